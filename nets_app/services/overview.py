"""Counts for the start page."""

from __future__ import annotations

from sqlalchemy import func, select

from nets_app.extensions import db
from nets_app.models import Placement, Provider, Region, Response, SurveyWindow


def platform_summary() -> dict[str, int]:
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return {
        "regions": count(Region),
        "providers": count(Provider),
        "placements": count(Placement),
        "windows": count(SurveyWindow),
        "responses": db.session.scalar(
            select(func.count(Response.id)).where(Response.is_retest.is_(False))
        )
        or 0,
    }


def methods() -> dict:
    """The settings behind every shown result, each with its rationale (shown to users).

    The values are the ones this deployment uses (config overrides included), so the
    page cannot drift from what the scoring service applies.
    """
    from nets_app.domain.risk_config import DEFAULT_RISK_CONFIG, LEVEL_MAPPING_RATIONALE
    from nets_app.services.scoring import flag_config, suppression_config

    def shown(v):
        return int(v) if isinstance(v, float) and v.is_integer() else v

    def rows(cfg) -> list[dict]:
        return [{**r, "value": shown(r["value"])} for r in cfg.describe().to_dict("records")]

    return {
        "suppression": rows(suppression_config()),
        "flags": rows(flag_config()),
        "levels": dict(DEFAULT_RISK_CONFIG.level_by_rag),
        "level_rationale": LEVEL_MAPPING_RATIONALE,
        "register_threshold": DEFAULT_RISK_CONFIG.register_threshold,
    }
