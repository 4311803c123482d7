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
    a person then weighs. Flags already behind a concern (even a dismissed one) are
    skipped, so running this twice, or after rescoring the window, changes nothing.

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
    flags in the window whose rules ``config.flag_rules`` weighs; flags of other rules
    are attached as evidence and named in the trail as not weighed. If nothing can be
    weighed the concern is proposed unrated and the trail says why.
    """
    at = utc_naive(at)
    with unit_of_work():
        window = db.session.scalar(select(SurveyWindow).where(SurveyWindow.code == window_code))
        if window is None:
            raise NotFound("survey window", window_code, "score the window first")
        seen = _flags_already_attached(window.id)
        flags = [
            f
            for f in db.session.scalars(
                select(AdverseFlag)
                .where(AdverseFlag.window_id == window.id)
                .order_by(AdverseFlag.placement_id, AdverseFlag.id)
            )
            if _flag_key(f.placement_id, f.rule, f.scale, f.measure) not in seen
        ]
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


def _flag_key(placement_id, rule, scale, measure) -> tuple:
    return (placement_id, rule, scale or None, measure)


def _flags_already_attached(window_id: int) -> set[tuple]:
    """Flags of the window already behind a concern, by content rather than id.

    Rescoring a window replaces its flag rows (new ids; the evidence keeps a copy of
    each flag in ``detail``), so a flag counts as attached when a concern about the same
    placement holds flag evidence of the window with the same rule, scale and measure.
    A dismissed concern keeps its flags: a decision is not re-opened by rescoring.
    """
    rows = db.session.execute(
        select(QualityConcern.placement_id, ConcernEvidence.detail)
        .join(ConcernEvidence, ConcernEvidence.concern_id == QualityConcern.id)
        .where(
            ConcernEvidence.window_id == window_id,
            ConcernEvidence.kind == EvidenceKind.FLAG.value,
        )
    )
    return {_flag_key(pid, d.get("rule"), d.get("scale"), d.get("measure")) for pid, d in rows}


def _suggestion(flags, config: RiskConfig, detail: dict[str, Any]):
    """The rating suggested from the flags whose rules the configuration weighs.

    Flags of rules the risk configuration does not know are kept as evidence but not
    weighed; the trail says so. None (and why, in ``detail``) if nothing can be weighed.
    """
    known = [f for f in flags if f.rule in config.flag_rules]
    unknown = sorted({f.rule for f in flags} - {f.rule for f in known})
    if unknown:
        detail["not_weighed"] = {
            "rules": unknown,
            "why": "no rule for them in the risk configuration; rate by hand if they matter",
        }
    try:
        return _suggest([domain_flag(f) for f in known], config=config)
    except DomainError as err:
        detail["suggestion_refused"] = {"rule": err.rule, "message": err.detail}
        return None


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
    suggested = _suggestion(flags, config, detail)
    if suggested is not None:
        store_rating(concern, suggested)
        detail["rating"] = rating_to_json(suggested)
    record_event(concern, "proposed", actor, at, f"{len(flags)} flag(s): {', '.join(rules)}",
                 detail)  # fmt: skip
    return concern
