"""Where each staff member lands after signing in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from nets_app.extensions import db
from nets_app.models import Provider, Region
from nets_app.services.access import Principal


@dataclass(frozen=True)
class Landing:
    """Either a redirect (``endpoint`` + ``values``) or a list of the user's organisations."""

    endpoint: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    providers: tuple[tuple[str, str], ...] = ()


def landing(principal: Principal) -> Landing:
    if principal.role == "national":
        return Landing("dashboard.national")
    if principal.role == "researcher":
        return Landing("dashboard.research_data")
    if principal.role == "admin":
        return Landing("admin.windows")
    if principal.role == "regional":
        region = db.session.get(Region, principal.region_id) if principal.region_id else None
        return Landing("dashboard.region", {"code": region.code}) if region else Landing()
    providers = tuple(
        (p.code, p.name)
        for p in db.session.scalars(
            select(Provider)
            .where(Provider.id.in_(sorted(principal.provider_ids)))
            .order_by(Provider.name)
        )
    )
    if len(providers) == 1:
        return Landing("dashboard.provider", {"code": providers[0][0]})
    return Landing(providers=providers)
