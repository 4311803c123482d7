"""``flask risk ...`` commands."""

from __future__ import annotations

from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import ConcernEvent
from nets_app.services import risk
from tests.risk.factories import flagged_placement, two_windows


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["risk", *args])


def test_propose_register_summary_and_history(app):
    w1, _ = two_windows()
    placement, _ = flagged_placement(w1)
    db.session.commit()

    result = _run(app, "propose", w1.code)
    assert result.exit_code == 0, result.output
    assert "1 concern(s) proposed" in result.output and placement.code in result.output
    (concern_id,) = [int(line.split()[1].rstrip(":")) for line in result.stdout.splitlines()[1:]]

    risk.confirm_concern(concern_id, "qa", "confirmed")
    risk.rate_concern(concern_id, "qa", 4, 3, "agreed")
    register = _run(app, "register", "--region", placement.provider.region.code)
    assert register.exit_code == 0
    assert [line.split(",")[0] for line in register.stdout.splitlines()] == ["id", str(concern_id)]

    summary = _run(app, "summary", "alerts")
    assert summary.exit_code == 0 and str(concern_id) in summary.output

    assert _run(app, "check-history").exit_code == 0


def test_unknown_window_and_region_are_clear_errors(app):
    result = _run(app, "propose", "1999")
    assert result.exit_code == 1 and "no survey window '1999'" in result.stderr
    result = _run(app, "register", "--region", "NOPE")
    assert result.exit_code == 1 and "no region 'NOPE'" in result.stderr


def test_a_tampered_history_fails_the_check(app):
    w1, _ = two_windows()
    flagged_placement(w1)
    db.session.commit()
    (c,) = risk.propose_concerns_from_flags(w1.code)
    risk.confirm_concern(c.id, "qa", "ok")
    risk.change_category(c.id, "qa", 2, "why", [{"kind": "complaint", "ref": "C1"}])
    event = db.session.scalar(select(ConcernEvent).where(ConcernEvent.kind == "category_change"))
    event.detail = {**event.detail, "from_category": 1}
    db.session.commit()
    result = _run(app, "check-history")
    assert result.exit_code == 1 and "isf.replay_chain" in result.stderr
