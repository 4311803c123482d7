"""What can go wrong for a learner, as exceptions that become clear pages.

Each carries the HTTP status, a heading and what to do next; the survey
blueprint renders them with one error handler.
"""

from __future__ import annotations

import datetime as dt


def _date(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


class SurveyError(Exception):
    status = 400
    title = "There is a problem with this survey link"
    what_happened = ""
    what_next: tuple[str, ...] = ()

    def __init__(self, what_happened: str | None = None, *what_next: str) -> None:
        if what_happened is not None:
            self.what_happened = what_happened
        if what_next:
            self.what_next = what_next
        super().__init__(self.what_happened)


class MalformedToken(SurveyError):
    status = 400
    title = "This survey link is not complete"
    what_happened = "The link you used is not in the form we send, so it may have been cut short."
    what_next = (
        "Copy the whole link from your invitation email into your browser's address bar.",
        "If it still does not work, ask whoever sent the invitation for a new link.",
    )


class UnknownInvitation(SurveyError):
    status = 404
    title = "We could not find this survey link"
    what_happened = "There is no survey invitation for this link."
    what_next = (
        "Check that you copied the whole link from your invitation.",
        "If you were given a QR code, scan it again.",
        "If it still does not work, ask whoever sent the invitation for a new link.",
    )


class UnknownOpenLink(SurveyError):
    status = 404
    title = "We could not find this survey"
    what_happened = "There is no survey for this poster link."
    what_next = (
        "Scan the QR code on the poster again, or type the whole web address shown under it.",
        "If it still does not work, ask your placement's education lead for the current poster.",
    )


class PageNotFound(SurveyError):
    status = 404
    title = "Page not found"
    what_happened = "This survey has no page at that address."
    what_next = ("Go back to the survey: your saved answers are kept.",)


class InvitationUsed(SurveyError):
    status = 410
    title = "You have already completed this survey"
    what_happened = (
        "This link has already been used to submit a response. Each link can be used once, "
        "so your answers have been received and cannot be changed."
    )
    what_next = (
        "You do not need to do anything else.",
        "If you have a concern about patient safety or bullying, you can still raise it: "
        "speak to your supervisor or clinical tutor, your Freedom to Speak Up guardian, "
        "your education provider, or the Dean at your local office.",
    )


class WindowClosed(SurveyError):
    status = 410
    title = "This survey has closed"

    def __init__(self, closes_on: dt.date) -> None:
        super().__init__(
            f"The survey closed on {_date(closes_on)}, so it can no longer take answers. "
            "Any answers you had saved but not submitted have been deleted.",
            "Look out for the next survey: your education provider will tell you when it opens.",
            "If you have a concern about patient safety or bullying, raise it now with your "
            "supervisor, clinical tutor or Freedom to Speak Up guardian, your education "
            "provider, or the Dean at your local office.",
        )


class WindowNotOpen(SurveyError):
    status = 403
    title = "This survey has not opened yet"

    def __init__(self, opens_on: dt.date) -> None:
        super().__init__(
            f"The survey opens on {_date(opens_on)}.",
            "Use the same link again on or after that date.",
        )


class NoSurveySession(SurveyError):
    status = 403
    title = "We cannot find your survey"
    what_happened = (
        "Your browser is not holding a survey at the moment. This happens if you opened "
        "this page directly, or your browser cleared its cookies."
    )
    what_next = (
        "Open the link from your invitation again, or scan the QR code on the poster. "
        "If you had saved answers with your invitation link, you will continue where you left off.",
    )


class AlreadySubmitted(SurveyError):
    """The draft's invitation was used: the view shows the confirmation instead."""

    status = 409


class IncompleteDraft(SurveyError):
    """A page is still to be answered: the view sends the learner to it."""

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"the page {key!r} is still to be answered")
