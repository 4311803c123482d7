"""ISF categories, the risk register and the ISF board as the dashboards show them.

The lead's risk service (:mod:`nets_app.services.risk_reports`) stores and reads
concerns, ratings and ISF categories, deciding nothing itself (the domain rules
do); this module maps the dashboard's principal to that service's scope (a region
id, or None for national), audits the view, and shapes rows for the templates.
No view decides a category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from nets_app.domain.isf import category_info
from nets_app.domain.risk_config import DEFAULT_REGISTER_THRESHOLD
from nets_app.extensions import db
from nets_app.models import Provider, Region
from nets_app.services import audit
from nets_app.services import risk_reports as reports
from nets_app.services.access import Principal, require, require_region
from nets_app.services.uow import transactional


@dataclass(frozen=True)
class IsfInfo:
    category: int
    name: str
    support: str

    @property
    def tag(self) -> str:
        """The NHS.UK tag colour: 0 green, 1 blue, 2 yellow, 3 orange, 4 red."""
        return ("green", "blue", "yellow", "orange", "red")[self.category]


def available() -> bool:
    return True


def info(category: int) -> IsfInfo:
    meta = category_info(category)
    return IsfInfo(meta.number, meta.name, meta.support)


def provider_categories(provider_ids: list[int]) -> dict[str, IsfInfo]:
    """Provider code -> its ISF category (its most severe open concern's), for these providers."""
    if not provider_ids:
        return {}
    regions = set(
        db.session.scalars(select(Provider.region_id).where(Provider.id.in_(provider_ids)))
    )
    codes = set(db.session.scalars(select(Provider.code).where(Provider.id.in_(provider_ids))))
    scope = next(iter(regions)) if len(regions) == 1 else None
    return {
        row["provider_code"]: info(row["category"])
        for row in reports.provider_categories(scope)
        if row["provider_code"] in codes
    }


def _scope(principal: Principal, region_code: str | None, target: str) -> tuple[int | None, str]:
    """The risk service's scope for this user: their region, or a chosen one for national users."""
    require(principal, "register", target)
    if principal.role == "regional":
        if region_code:
            require_region(principal, region_code)  # 403 for another region's code
        region = db.session.get(Region, principal.region_id)
        return region.id, region.name
    if region_code:
        region = require_region(principal, region_code)
        return region.id, region.name
    return None, "England (all regions)"


@dataclass(frozen=True)
class RegisterPage:
    scope_name: str
    region_code: str | None
    regions: tuple[tuple[str, str], ...]
    rows: tuple[dict[str, Any], ...]
    overdue: tuple[dict[str, Any], ...]
    threshold: int


def _regions(principal: Principal) -> tuple[tuple[str, str], ...]:
    if principal.role != "national":
        return ()
    return tuple((r.code, r.name) for r in db.session.scalars(select(Region).order_by(Region.name)))


@transactional
def register_page(principal: Principal, region_code: str | None = None) -> RegisterPage:
    """Open concerns on the register (score at or above the threshold, or ISF rules), highest first."""
    scope, name = _scope(principal, region_code, "register")
    page = RegisterPage(
        scope_name=name,
        region_code=region_code,
        regions=_regions(principal),
        rows=tuple(reports.register(scope)),
        overdue=tuple(reports.overdue_actions(scope)),
        threshold=DEFAULT_REGISTER_THRESHOLD,
    )
    audit.record("view", "register", detail={"page": "risk register", "region": region_code or ""})
    return page


@dataclass(frozen=True)
class BoardColumn:
    category: IsfInfo
    providers: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class BoardPage:
    scope_name: str
    region_code: str | None
    regions: tuple[tuple[str, str], ...]
    columns: tuple[BoardColumn, ...]
    no_concerns: int


@transactional
def board_page(principal: Principal, region_code: str | None = None) -> BoardPage:
    """Providers by ISF category (that of their most severe open concern), 4 to 1."""
    scope, name = _scope(principal, region_code, "isf-board")
    rows = reports.provider_categories(scope)
    columns = tuple(
        BoardColumn(info(cat), tuple(r for r in rows if r["category"] == cat))
        for cat in (4, 3, 2, 1)
    )
    page = BoardPage(
        scope_name=name,
        region_code=region_code,
        regions=_regions(principal),
        columns=columns,
        no_concerns=sum(r["category"] == 0 for r in rows),
    )
    audit.record("view", "isf-board", detail={"page": "ISF board", "region": region_code or ""})
    return page
