"""The survey's built-in retest: who is offered it, when the link works, how answers pair up."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import Answer, Invitation, Response
from nets_app.services import retest
from nets_app.services.tokens import token_hash
from nets_app.services.uow import unit_of_work
from tests.factories import create_group, create_placement, create_window

TODAY = dt.date.today()


class Draw:
    """A random source that returns a given number (to test the subsample boundary)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


def make_response(
    window, *, on=TODAY, group="nursing", code=None, is_retest=False, values=(), placement=None
):
    response = Response(
        window_id=window.id,
        placement_id=(placement or create_placement()).id,
        learner_group_id=create_group(group).id,
        instrument_version_id=window.instrument_version_id,
        submitted_on=on,
        is_retest=is_retest,
        retest_code=code,
        answers=[Answer(item_id=i, value=v, not_applicable=False) for i, v in values],
    )
    db.session.add(response)
    db.session.flush()
    return response


@pytest.fixture
def window(app):
    return create_window(retest_fraction=0.1, retest_min_days=7, retest_max_days=21)


def test_a_learner_in_the_subsample_gets_a_retest_invitation_paired_by_code(app, window):
    response = make_response(window)
    with unit_of_work():
        token = retest.offer_retest(response, window, Draw(0.0999))
    assert token is not None
    inv = db.session.scalar(select(Invitation).where(Invitation.kind == "retest"))
    assert inv.token_hash == token_hash(token) and inv.used is False
    assert inv.retest_code == response.retest_code and len(inv.retest_code) == 32
    assert (inv.window_id, inv.placement_id, inv.learner_group_id) == (
        window.id,
        response.placement_id,
        response.learner_group_id,
    )


@pytest.mark.parametrize("draw", [0.1, 0.5, 0.9999])
def test_learners_outside_the_subsample_get_nothing(app, window, draw):
    response = make_response(window)
    with unit_of_work():
        assert retest.offer_retest(response, window, Draw(draw)) is None
    assert response.retest_code is None
    assert db.session.scalar(select(Invitation.id)) is None


def test_a_retest_answer_is_never_offered_another_retest_nor_is_a_window_without_retests(
    app, window
):
    second = make_response(window, is_retest=True, code="c" * 32)
    assert retest.offer_retest(second, window, Draw(0.0)) is None
    window.retest_fraction = 0.0
    assert retest.offer_retest(make_response(window), window, Draw(0.0)) is None


def test_the_share_offered_is_the_windows_fraction(app, window):
    # 500 seeded draws at 10 %: the binomial 99.9 % range is 29-73.
    rng = random.Random(5)
    offered = sum(rng.random() < window.retest_fraction for _ in range(500))
    rng = random.Random(5)
    placement = create_placement()
    with unit_of_work():
        responses = [make_response(window, placement=placement) for _ in range(500)]
        tokens = [retest.offer_retest(r, window, rng) for r in responses]
    assert sum(t is not None for t in tokens) == offered
    assert 29 <= offered <= 73
    assert len({t for t in tokens if t}) == offered  # every link is different


@pytest.mark.parametrize(
    ("days_after", "open_"), [(6, False), (7, True), (14, True), (21, True), (22, False)]
)
def test_the_retest_link_works_from_min_to_max_days_after_the_first_answer(
    app, window, days_after, open_
):
    first_day = TODAY - dt.timedelta(days=30)
    response = make_response(window, on=first_day)
    with unit_of_work():
        retest.offer_retest(response, window, Draw(0.0))
    inv = db.session.scalar(select(Invitation).where(Invitation.kind == "retest"))
    today = first_day + dt.timedelta(days=days_after)
    assert retest.retest_window_open(inv, today) is open_
    if open_:
        retest.check_retest_open(inv, today)
    else:
        error = retest.RetestNotOpen if days_after < 7 else retest.RetestClosed
        with pytest.raises(error) as caught:
            retest.check_retest_open(inv, today)
        day = first_day + dt.timedelta(days=7 if days_after < 7 else 21)
        assert f"{day.day} {day:%B %Y}" in caught.value.what_happened


def test_the_confirmation_shows_the_offer_until_it_is_used(app, window):
    response = make_response(window)
    with unit_of_work():
        token = retest.offer_retest(response, window, Draw(0.0))
    offer = retest.offer_for_confirmation(token)
    assert (offer.opens_on, offer.closes_on) == (
        TODAY + dt.timedelta(days=7),
        TODAY + dt.timedelta(days=21),
    )
    assert retest.offer_for_confirmation("not a token!") is None
    assert retest.offer_for_confirmation(None) is None
    db.session.scalar(select(Invitation)).used = True
    assert retest.offer_for_confirmation(token) is None


def test_pairs_are_matched_by_code_with_their_interval(app, window):
    first_day = TODAY - dt.timedelta(days=40)
    make_response(window, on=first_day, code="a" * 32, values=[("ind_1", 4), ("ind_2", 5)])
    make_response(
        window,
        on=first_day + dt.timedelta(days=12),
        code="a" * 32,
        is_retest=True,
        values=[("ind_1", 3), ("ind_2", 5)],
    )
    make_response(window, on=first_day, code="b" * 32, group="medical", values=[("ind_1", 2)])
    make_response(window, on=first_day, code="c" * 32, is_retest=True, values=[("ind_1", 1)])
    make_response(window, on=first_day, values=[("ind_1", 1)])  # never offered
    pairs, unpaired = retest.load_retest_pairs(window.code, ["ind_1", "ind_2"])
    assert unpaired == 1  # the retest answer "c" has no first answer
    assert pairs.to_dict("list") == {
        "retest_code": ["a" * 32, "a" * 32],
        "occasion": [1, 2],
        "interval_days": [12, 12],
        "group": ["nursing", "nursing"],
        "ind_1": [4.0, 3.0],
        "ind_2": [5.0, 5.0],
    }
    pairs, unpaired = retest.load_retest_pairs(window.code, ["ind_1"], group="medical")
    assert pairs.empty and unpaired == 0
