"""NETS flags become proposed concerns, each with a rating suggested from its flags.

Part of the risk-register service (:mod:`nets_app.services.risk` re-exports
:func:`propose_concerns_from_flags`). The lead's scoring service stores
:class:`~nets_app.models.AdverseFlag` rows for a window; this turns them into
:class:`~nets_app.models.QualityConcern` rows in status ``proposed`` that a quality-team
user confirms or dismisses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from nets_app.domain.errors import DomainError
from nets_app.domain.isf_config import EvidenceKind
from nets_app.domain.risk import DEFAULT_RISK_CONFIG, Flag, RiskConfig
from nets_app.domain.risk import suggest_rating as _suggest
from nets_app.extensions import db
from nets_app.models import AdverseFlag, ConcernEvidence, Placement, QualityConcern, SurveyWindow
from nets_app.services.access import NotFound
from nets_app.services.risk_common import (
    ACTIVE,
    Actor,
    actor_of,
    rating_to_json,
    record_event,
    store_rating,
    utc_naive,
)
from nets_app.services.uow import unit_of_work
from questionnaires import load_framework

__all__ = ["domain_flag", "propose_concerns_from_flags"]

#: Standards a flag touches when the instrument cannot say (by rule). [NETS]
_RULE_STANDARDS = {"patient_safety_concern": ("1.1",), "adverse_items": ("1.2",)}


def domain_flag(flag: AdverseFlag) -> Flag:
    """A stored flag as the domain's :class:`Flag`.

    ``measure`` is what was measured: the flag's scale (theme, domain, ``overall``) when
    it has one, else its measure text, so the breadth rule of
    :func:`~nets_app.domain.risk.suggest_rating` counts distinct scales (a funnel flag and
    a fall on "supervision" touch one measure). ``n`` is withheld (NULL) for concern
    counts, which never show who raised them; it does not enter the rating, so 0 is
    passed.
    """
    return Flag(
        rule=flag.rule,
        measure=flag.scale or flag.measure,
        value=flag.value,  # type: ignore[arg-type]
        limit=flag.limit,  # type: ignore[arg-type]
        n=flag.n if flag.n is not None else 0,
        window=flag.window.code,
        placement=flag.placement.code,
    )


def _standards_for(flags: Iterable[AdverseFlag], window: SurveyWindow) -> list[str]:
    """Quality Framework standards the flags touch, read from the window's instrument.

    A flag on a theme touches the standards of that theme's items; on a domain
    (``"domain_3"`` or ``"3"``) that domain's standards; concern and adverse-item
    flags the standards in ``_RULE_STANDARDS``. Unknown scales add nothing.
    """
    items = (window.instrument_version.definition or {}).get("items", [])
    known = load_framework().standards
    out: set[str] = set()
    for f in flags:
        out.update(_RULE_STANDARDS.get(f.rule, ()))
        if f.rule == "adverse_items":
            out.update(s for it in items if it.get("adverse") for s in it.get("standards", []))
        scale = (f.scale or "").removeprefix("domain_")
        out.update(s for it in items if it.get("theme") == scale for s in it["standards"])
        out.update(s for s in known if s.split(".")[0] == scale)
    return sorted(s for s in out if s in known)


def _flag_evidence(concern: QualityConcern, flag: AdverseFlag, actor: Actor, at: dt.datetime):
    name, _ = actor_of(actor)
    row = ConcernEvidence(
        concern=concern,
        kind=EvidenceKind.FLAG.value,
        ref=f"flag:{flag.id}",
        flag_id=flag.id,
        window_id=flag.window_id,
        summary=str((flag.evidence or {}).get("text") or f"{flag.rule} on {flag.measure}"),
        detail={
            "rule": flag.rule,
            "scale": flag.scale,
            "measure": flag.measure,
            "value": flag.value,
            "limit": flag.limit,
            "n": flag.n,
            "raised_on": flag.raised_on.isoformat(),
            "evidence": flag.evidence or {},
        },
        added_at=at,
        added_by=name,
    )
    db.session.add(row)
    return row


def propose_concerns_from_flags(
    window_code: str,
    *,
    actor: Actor = "system",
    at: dt.datetime | None = None,
    config: RiskConfig = DEFAULT_RISK_CONFIG,
) -> list[QualityConcern]:
    """Propose one concern per flagged placement of a window, with a suggested rating.

    A placement that already has a proposed or open concern gets no second one: the
    window's new flags are added to that concern as evidence (triangulation), which
    a person then weighs. Flags already attached to a concern are skipped, so running
    this twice changes nothing.

    Parameters
    ----------
    window_code : str
        The scored window.
    actor, at : optional
        Who and when (default ``"system"``, now).
    config : RiskConfig, optional
        Rules for the suggested rating.

    Returns
    -------
    list of QualityConcern
        The concerns created (not those given more evidence).

    Notes
    -----
    The suggestion is :func:`nets_app.domain.risk.suggest_rating` over the placement's
    flags in the window; if the stored flags cannot be weighed (e.g. an unknown rule),
    the concern is proposed unrated and the trail says why.
    """
    at = utc_naive(at)
    with unit_of_work():
        window = db.session.scalar(select(SurveyWindow).where(SurveyWindow.code == window_code))
        if window is None:
            raise NotFound("survey window", window_code, "score the window first")
        linked = select(ConcernEvidence.flag_id).where(ConcernEvidence.flag_id.is_not(None))
        flags = db.session.scalars(
            select(AdverseFlag)
            .where(AdverseFlag.window_id == window.id, AdverseFlag.id.not_in(linked))
            .order_by(AdverseFlag.placement_id, AdverseFlag.id)
        ).all()
        by_placement: dict[int, list[AdverseFlag]] = {}
        for f in flags:
            by_placement.setdefault(f.placement_id, []).append(f)
        created = []
        for placement_id, group in by_placement.items():
            active = db.session.scalar(
                select(QualityConcern)
                .where(
                    QualityConcern.placement_id == placement_id,
                    QualityConcern.status.in_(ACTIVE),
                )
                .order_by(QualityConcern.id)
            )
            if active is not None:
                for f in group:
                    _flag_evidence(active, f, actor, at)
                record_event(
                    active,
                    "evidence_added",
                    actor,
                    at,
                    f"{len(group)} new flag(s) in window {window.code}",
                    {"flags": [f.id for f in group], "window": window.code},
                )
                continue
            created.append(_propose(group, window, actor, at, config))
        db.session.flush()
    return created


def _propose(flags, window, actor, at, config) -> QualityConcern:
    placement: Placement = flags[0].placement
    rules = sorted({f.rule for f in flags})
    name, _ = actor_of(actor)
    concern = QualityConcern(
        provider_id=placement.provider_id,
        placement=placement,
        window=window,
        title=f"NETS flags at {placement.name} in {window.code}: {', '.join(rules)}",
        source="flags",
        status="proposed",
        standards=_standards_for(flags, window),
        created_at=at,
        created_by=name,
    )
    db.session.add(concern)
    for f in flags:
        _flag_evidence(concern, f, actor, at)
    detail: dict[str, Any] = {"flags": [f.id for f in flags], "window": window.code}
    try:
        suggested = _suggest([domain_flag(f) for f in flags], config=config)
    except DomainError as err:
        detail["suggestion_refused"] = {"rule": err.rule, "message": err.detail}
    else:
        store_rating(concern, suggested)
        detail["rating"] = rating_to_json(suggested)
    record_event(concern, "proposed", actor, at, f"{len(flags)} flag(s): {', '.join(rules)}",
                 detail)  # fmt: skip
    return concern
