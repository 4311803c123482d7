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
