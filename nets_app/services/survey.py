"""The learner survey: entering by link, saving each page to the draft, submitting once.

The views call one function here per request. Invitation ids come from the
learner's session; answers live only in the server-side :class:`SurveyDraft`
until submission, when the response, its answers, comments and any concern
reports are written, the invitation is marked used and the draft is deleted, all
in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import joinedload

from nets_app.extensions import db
from nets_app.models import (
    Answer,
    ConcernReport,
    FreeTextComment,
    InstrumentVersion,
    Invitation,
    LearnerGroup,
    OpenLink,
    Placement,
    Response,
    SurveyDraft,
    SurveyWindow,
)
from nets_app.services import retest
from nets_app.services import survey_flow as flow
from nets_app.services.concerns import respond_by
from nets_app.services.survey_errors import (
    AlreadySubmitted,
    IncompleteDraft,
    InvitationUsed,
    MalformedToken,
    NoSurveySession,
    PageNotFound,
    UnknownInvitation,
    UnknownOpenLink,
    WindowClosed,
    WindowNotOpen,
)
from nets_app.services.tokens import new_token, token_hash, well_formed
from nets_app.services.uow import unit_of_work
from questionnaires import Instrument, load_framework, load_instrument

SLUG_RE = re.compile(r"^[A-Za-z0-9_-]{4,32}$")
SIGNPOSTING = "signposting"


def today() -> dt.date:
    return dt.date.today()


@lru_cache(maxsize=8)
def _instrument(name: str, version: int, sha256: str) -> Instrument:
    inst = load_instrument(f"{name}@{version}")
    if inst.sha256 != sha256:
        raise RuntimeError(
            f"{inst.key}: the file's sha256 {inst.sha256[:12]} differs from the registered "
            f"{sha256[:12]}; run `flask nets instrument check` and register a new version"
        )
    return inst


def instrument_for(window: SurveyWindow) -> Instrument:
    v: InstrumentVersion = window.instrument_version
    return _instrument(v.name, v.version, v.sha256)


@dataclass(frozen=True)
class Group:
    id: int
    code: str
    name: str


def _groups() -> tuple[Group, ...]:
    """Learner groups in the Quality Framework's order (then any others by name)."""
    order = {code: n for n, code in enumerate(load_framework().learner_groups)}
    # Plain rows, not ORM objects: read on every survey request, never changed here.
    rows = db.session.execute(select(LearnerGroup.id, LearnerGroup.code, LearnerGroup.name))
    groups = sorted(rows, key=lambda g: (order.get(g.code, len(order)), g.name))
    return tuple(Group(g.id, g.code, g.name) for g in groups)


@dataclass
class _State:
    invitation: Invitation
    window: SurveyWindow
    draft: SurveyDraft | None
    inst: Instrument
    groups: tuple[Group, ...]
    data: dict[str, Any]
    steps: tuple[flow.Step, ...]

    @property
    def fixed_group(self) -> Group | None:
        gid = self.invitation.learner_group_id
        return next((g for g in self.groups if g.id == gid), None) if gid else None


def _check_window(window: SurveyWindow, invitation_id: int | None = None) -> None:
    """Refuse a window that is not open; a closed one loses its drafts here and now."""
    now = today()
    if now < window.opens_on:
        raise WindowNotOpen(window.opens_on)
    if now > window.closes_on:
        if invitation_id is not None:
            with unit_of_work() as session:
                session.execute(
                    delete(SurveyDraft).where(SurveyDraft.invitation_id == invitation_id)
                )
        raise WindowClosed(window.closes_on)


def _check_open(inv: Invitation) -> None:
    """The window must be open; a retest link has its own interval after the first answer."""
    if inv.kind == "retest":
        retest.check_retest_open(inv, today())
    else:
        _check_window(inv.window, inv.id)


def _steps(inv: Invitation, inst: Instrument, group: str | None) -> tuple[flow.Step, ...]:
    """The survey's pages, or the retest form's single page for a retest invitation."""
    return retest.retest_steps(inst) if inv.kind == "retest" else flow.build_steps(inst, group)


def _load(invitation_id: int, lock: bool) -> tuple[Invitation | None, SurveyDraft | None]:
    """The invitation with its window and instrument version, and its draft if any.

    One query, unless the draft is to be locked: PostgreSQL cannot lock the nullable
    side of an outer join, so then the draft is read ``FOR UPDATE`` on its own.
    """
    eager = joinedload(Invitation.window).joinedload(SurveyWindow.instrument_version)
    if lock:
        inv = db.session.get(Invitation, invitation_id, options=[eager])
        if inv is None:
            return None, None
        query = select(SurveyDraft).where(SurveyDraft.invitation_id == inv.id)
        return inv, db.session.scalar(query.with_for_update())
    row = db.session.execute(
        select(Invitation, SurveyDraft)
        .outerjoin(SurveyDraft, SurveyDraft.invitation_id == Invitation.id)
        .where(Invitation.id == invitation_id)
        .options(eager)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def _state(invitation_id: int | None, *, lock: bool = False) -> _State:
    if invitation_id is None:
        raise NoSurveySession()
    inv, draft = _load(invitation_id, lock)
    if inv is None:
        raise NoSurveySession()
    if inv.used:
        raise AlreadySubmitted()
    _check_open(inv)
    data = dict(draft.data) if draft is not None else {}
    groups = _groups()
    state = _State(inv, inv.window, draft, instrument_for(inv.window), groups, data, ())
    if state.fixed_group is not None:
        data["group"] = state.fixed_group.code
    state.steps = _steps(inv, state.inst, data.get("group"))
    return state


def _new_draft(inv: Invitation) -> SurveyDraft:
    draft = SurveyDraft(
        invitation_id=inv.id,
        window_id=inv.window_id,
        placement_id=inv.placement_id,
        learner_group_id=inv.learner_group_id,
        data={},
        updated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    db.session.add(draft)
    return draft


# -- entering -------------------------------------------------------------------------------


def enter_with_token(token: str) -> int:
    """Exchange an invitation token for the invitation id the session will hold."""
    if not well_formed(token):
        raise MalformedToken()
    with unit_of_work() as session:
        inv = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))
        if inv is None or inv.placement_id is None:
            raise UnknownInvitation()
        if inv.used:
            raise InvitationUsed()
        _check_open(inv)
        has_draft = session.scalar(
            select(SurveyDraft.id).where(SurveyDraft.invitation_id == inv.id)
        )
        if has_draft is None:
            _new_draft(inv)
        return inv.id


@dataclass(frozen=True)
class OpenEntry:
    invitation_id: int
    created: bool  # a new anonymous draft was started (counts towards the rate limit)


def enter_open_link(slug: str, current_invitation_id: int | None) -> OpenEntry:
    """Start (or carry on) an anonymous response from a placement's QR-poster link.

    A browser that already holds a draft for this link keeps it, so scanning the
    poster again resumes rather than starting over; once it has submitted, it is
    shown the confirmation. Otherwise a new ``"open"`` invitation and draft are made.
    """
    if not SLUG_RE.match(slug):
        raise UnknownOpenLink()
    with unit_of_work() as session:
        link = session.scalar(select(OpenLink).where(OpenLink.slug == slug))
        if link is None:
            raise UnknownOpenLink()
        _check_window(link.window)
        if current_invitation_id is not None:
            held = session.get(Invitation, current_invitation_id)
            if (
                held is not None
                and held.kind == "open"
                and (held.window_id, held.placement_id) == (link.window_id, link.placement_id)
            ):
                return OpenEntry(held.id, created=False)
        inv = Invitation(
            token_hash=token_hash(new_token()),
            window_id=link.window_id,
            placement_id=link.placement_id,
            kind="open",
        )
        session.add(inv)
        session.flush()
        _new_draft(inv)
        return OpenEntry(inv.id, created=True)


def create_open_link(window_code: str | None = None, placement_code: str | None = None) -> str:
    """The poster slug for a placement in a window (newest window, first placement by default)."""
    with unit_of_work() as session:
        window = session.scalar(
            select(SurveyWindow).filter_by(code=window_code)
            if window_code
            else select(SurveyWindow).order_by(SurveyWindow.opens_on.desc())
        )
        placement = session.scalar(
            select(Placement).filter_by(code=placement_code)
            if placement_code
            else select(Placement).order_by(Placement.id)
        )
        if window is None or placement is None:
            raise ValueError(
                f"unknown survey window {window_code!r} or placement {placement_code!r}"
            )
        link = session.scalar(
            select(OpenLink).filter_by(window_id=window.id, placement_id=placement.id)
        )
        if link is None:
            link = OpenLink(
                slug=new_token()[:12],
                window_id=window.id,
                placement_id=placement.id,
                created_on=today(),
            )
            session.add(link)
        return link.slug


# -- pages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """Everything a survey page shows."""

    step: flow.Step
    inst: Instrument
    values: dict[str, Any]
    number: int
    total: int
    back: str | None
    placement: str
    provider: str
    window: str
    closes_on: dt.date
    fixed_group: Group | None
    groups: tuple[Group, ...]


def _gate(state: _State, key: str) -> flow.Step:
    step = flow.step_by_key(state.steps, key)
    if step is None:
        raise PageNotFound()
    gap = flow.first_incomplete(state.steps, state.data)
    order = [s.key for s in state.steps] + [flow.CHECK]
    if order.index(key) > order.index(gap):
        raise IncompleteDraft(gap)
    return step


def page(invitation_id: int | None, key: str) -> Page:
    """One survey page with the learner's saved answers."""
    state = _state(invitation_id)
    step = _gate(state, key)
    number, total = flow.page_number(state.steps, key)
    placement = state.invitation.placement
    return Page(
        step=step,
        inst=state.inst,
        values=flow.page_values(step, state.inst, state.data),
        number=number,
        total=total,
        back=flow.previous_key(state.steps, key),
        placement=placement.name,
        provider=placement.provider.name,
        window=state.window.name,
        closes_on=state.window.closes_on,
        fixed_group=state.fixed_group,
        groups=state.groups,
    )


def save_page(
    invitation_id: int | None, key: str, values: dict[str, Any], *, to_check: bool
) -> str:
    """Save one page's answers to the draft; return the key of the page to show next.

    Raises :class:`~nets_app.services.survey_flow.InvalidAnswer` (nothing saved)
    for a value the page cannot take.
    """
    with unit_of_work():
        state = _state(invitation_id, lock=True)
        step = _gate(state, key)
        if step.kind == "start" and state.fixed_group is not None:
            values = {"group": state.fixed_group.code}
        codes = tuple(g.code for g in state.groups)
        data = flow.apply_page(state.data, state.steps, step, state.inst, values, codes)
        draft = state.draft or _new_draft(state.invitation)
        draft.data = data
        draft.learner_group_id = next((g.id for g in state.groups if g.code == data["group"]), None)
        draft.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if step.kind == "concerns" and flow.concerns_raised(state.inst, data):
            return SIGNPOSTING
        steps = _steps(state.invitation, state.inst, data["group"])
        return flow.next_key(steps, key, data, to_check=to_check)


def resume(invitation_id: int | None) -> str:
    """The page to continue from: the first one not yet answered, else "check"."""
    state = _state(invitation_id)
    return flow.first_incomplete(state.steps, state.data)


def concerns_raised(invitation_id: int | None) -> tuple[str, ...]:
    """The concern kinds the learner has said yes to so far."""
    state = _state(invitation_id)
    return flow.concerns_raised(state.inst, state.data)


@dataclass(frozen=True)
class CheckPage:
    sections: list[tuple[flow.Step, list[flow.SummaryRow]]]
    number: int
    total: int
    back: str | None
    placement: str
    window: str
    fixed_group: bool


def check_page(invitation_id: int | None) -> CheckPage:
    """'Check your answers': every page's answers, once all pages are done."""
    state = _state(invitation_id)
    gap = flow.first_incomplete(state.steps, state.data)
    if gap != flow.CHECK:
        raise IncompleteDraft(gap)
    names = {g.code: g.name for g in state.groups}
    number, total = flow.page_number(state.steps, flow.CHECK)
    return CheckPage(
        sections=flow.summary(state.steps, state.inst, state.data, names),
        number=number,
        total=total,
        back=flow.previous_key(state.steps, flow.CHECK),
        placement=state.invitation.placement.name,
        window=state.window.name,
        fixed_group=state.fixed_group is not None,
    )


# -- submitting -----------------------------------------------------------------------------


def submit(invitation_id: int | None) -> str | None:
    """Store the response exactly once, in one transaction, and delete the draft.

    Returns the token of a retest link when the learner is in the window's random
    retest subsample (:func:`nets_app.services.retest.offer_retest`; shown once on
    the confirmation page), else None.

    The invitation is claimed with ``UPDATE ... SET used = true WHERE used = false``
    before anything is written; a second submit (double tap, refresh, second tab,
    even at the same instant) claims nothing and raises :class:`AlreadySubmitted`,
    rolling back, so exactly one response is stored. A closed window raises
    :class:`WindowClosed`; a draft with a page still to answer raises
    :class:`IncompleteDraft`.
    """
    with unit_of_work() as session:
        state = _state(invitation_id)
        try:
            answers, comments, concerns = flow.response_rows(state.inst, state.steps, state.data)
        except flow.InvalidAnswer as exc:
            raise IncompleteDraft(flow.first_incomplete(state.steps, state.data)) from exc
        inv = state.invitation
        # Every write below but the concern reports (and a retest invitation) goes
        # through the unit of work's connection as plain SQL: the same transaction,
        # without the ORM's per-row bookkeeping (a third of the submit's service time;
        # bench/load_survey.py). The ORM objects loaded above are not changed by it.
        conn = session.connection()
        invitations = Invitation.__table__
        claimed = conn.execute(
            update(invitations)
            .where(invitations.c.id == inv.id, invitations.c.used.is_(False))
            .values(used=True)
        ).rowcount
        if claimed != 1:
            raise AlreadySubmitted()
        on = today()
        group_id = next(g.id for g in state.groups if g.code == state.data["group"])
        row = {
            "window_id": inv.window_id,
            "placement_id": inv.placement_id,
            "learner_group_id": group_id,
            "instrument_version_id": state.window.instrument_version_id,
            "submitted_on": on,
            "is_retest": inv.kind == "retest",
            "retest_code": inv.retest_code,
        }
        # offer_retest reads the response and may give it a retest code (and add the
        # retest invitation to the session); the response itself is inserted below.
        response = Response(**row)
        token = retest.offer_retest(response, state.window, retest.SYSTEM_RNG)
        row["retest_code"] = response.retest_code
        response_id = conn.execute(
            insert(Response.__table__).returning(Response.__table__.c.id), row
        ).scalar_one()
        conn.execute(
            insert(Answer.__table__),
            [
                {"response_id": response_id, "item_id": item_id, "value": value,
                 "not_applicable": value is None}
                for item_id, value in answers
            ],
        )  # fmt: skip
        if comments:
            conn.execute(
                insert(FreeTextComment.__table__),
                [{"response_id": response_id, "prompt_id": p, "text": t} for p, t in comments],
            )
        for kind, details in concerns:
            session.add(
                ConcernReport(
                    window_id=inv.window_id,
                    placement_id=inv.placement_id,
                    learner_group_id=group_id,
                    kind=kind,
                    details=details,
                    reported_on=on,
                    respond_by=respond_by(kind, on),
                    status="new",
                )
            )
        if state.draft is not None:
            conn.execute(delete(SurveyDraft.__table__).where(SurveyDraft.id == state.draft.id))
    return token


@dataclass(frozen=True)
class Confirmation:
    placement: str
    window: str
    is_retest: bool = False
    retest_offer: retest.RetestOffer | None = None


def confirmation(invitation_id: int | None, retest_token: str | None = None) -> Confirmation | None:
    """What the confirmation page shows, or None if this browser has not submitted yet.

    ``retest_token`` is the retest link the browser was given at submission, if any;
    it is offered while unused.
    """
    inv = db.session.get(Invitation, invitation_id) if invitation_id is not None else None
    if inv is None:
        raise NoSurveySession()
    if not inv.used:
        return None
    return Confirmation(
        inv.placement.name if inv.placement else "",
        inv.window.name,
        is_retest=inv.kind == "retest",
        retest_offer=None if inv.kind == "retest" else retest.offer_for_confirmation(retest_token),
    )


def purge_closed_drafts(on: dt.date | None = None) -> dict[str, int]:
    """Delete drafts of windows closed before ``on`` (default today) and unused poster invitations.

    Returns the counts deleted.
    """
    on = on or today()
    closed = select(SurveyWindow.id).where(SurveyWindow.closes_on < on)
    with unit_of_work() as session:
        drafts = session.execute(
            delete(SurveyDraft).where(SurveyDraft.window_id.in_(closed))
        ).rowcount
        invitations = session.execute(
            delete(Invitation).where(
                Invitation.window_id.in_(closed),
                Invitation.kind == "open",
                Invitation.used.is_(False),
            )
        ).rowcount
    return {"drafts": drafts, "open_invitations": invitations}
