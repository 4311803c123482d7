"""Who may see what: roles, scopes, and the checks every service query goes through.

A signed-in staff member is a :class:`Principal` (plain, frozen data). Scope rules:

============== =========================================================== ==================
role           results (placement, provider, region pages, exports, API)   other
============== =========================================================== ==================
site_reviewer  placements of their own providers                           --
regional       placements of providers in their region                     concerns, register
national       every placement                                             concerns, register
researcher     none (de-identified item data only, no free text)           research data
admin          none                                                        survey administration
============== =========================================================== ==================

Every service function that reads results takes the principal and filters by
:func:`placement_scope` in SQL, so a record of another scope is never loaded, and
``require_*`` functions turn a code from the URL into a row or raise
:class:`NotFound` (no such thing: 404) or :class:`AccessDenied` (exists, but not
yours: 403, and an audit entry).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, select, true

from nets_app.extensions import db
from nets_app.models import (
    ConcernReport,
    LearnerGroup,
    Placement,
    Provider,
    Region,
    StaffUser,
    SurveyWindow,
)

#: Which roles hold each permission. Scope (own providers / region / all) narrows further.
PERMISSIONS: dict[str, frozenset[str]] = {
    "results": frozenset({"site_reviewer", "regional", "national"}),
    "regions": frozenset({"regional", "national"}),
    "national": frozenset({"national"}),
    "concerns": frozenset({"regional", "national"}),
    "register": frozenset({"regional", "national"}),
    "research": frozenset({"researcher"}),
    "admin": frozenset({"admin"}),
}


class AccessDenied(Exception):
    """The record exists but is outside the user's role or scope (HTTP 403, audited)."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(f"{target}: {reason}")


class NotFound(Exception):
    """No such placement, provider, region, window, concern or filter value (HTTP 404)."""

    def __init__(self, what: str, value: object, hint: str = "") -> None:
        self.what = what
        self.value = value
        self.hint = hint
        super().__init__(f"no {what} {value!r}" + (f"; {hint}" if hint else ""))


@dataclass(frozen=True)
class Principal:
    """A signed-in staff member: identity, role and scope. Flask-Login's user object."""

    staff_id: int
    email: str
    name: str
    role: str
    session_version: int
    region_id: int | None = None
    provider_ids: frozenset[int] = frozenset()

    # Flask-Login's protocol
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        # The version makes a session cookie stop working once the user signs out.
        return f"{self.staff_id}:{self.session_version}"

    def can(self, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise ValueError(
                f"unknown permission {permission!r}; expected one of {sorted(PERMISSIONS)}"
            )
        return self.role in PERMISSIONS[permission]

    @property
    def scope_key(self) -> str:
        """A cache key naming exactly the data this principal may see."""
        if self.role == "national":
            return "national"
        if self.role == "regional":
            return f"region:{self.region_id}"
        if self.role == "site_reviewer":
            return "providers:" + ",".join(str(i) for i in sorted(self.provider_ids))
        return f"none:{self.role}"


def principal_for(user: StaffUser) -> Principal:
    return Principal(
        staff_id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        session_version=user.session_version,
        region_id=user.region_id if user.role == "regional" else None,
        provider_ids=frozenset(p.id for p in user.providers)
        if user.role == "site_reviewer"
        else frozenset(),
    )


def load_principal(session_id: str) -> Principal | None:
    """Flask-Login's user loader: the principal if the account is active and the session current."""
    staff_id, _, version = (session_id or "").partition(":")
    if not staff_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(StaffUser, int(staff_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return principal_for(user)


def require(principal: Principal, permission: str, target: str) -> None:
    """Raise :class:`AccessDenied` unless the principal's role holds ``permission``."""
    if not principal.can(permission):
        raise AccessDenied(target, f"role {principal.role!r} lacks permission {permission!r}")


def placement_scope(principal: Principal, placement_id: ColumnElement) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose ``placement_id`` column is in the principal's scope."""
    if not principal.can("results"):
        return false()
    if principal.role == "national":
        return true()
    if principal.role == "regional":
        ids = select(Placement.id).join(Provider).where(Provider.region_id == principal.region_id)
        return placement_id.in_(ids)
    ids = select(Placement.id).where(Placement.provider_id.in_(sorted(principal.provider_ids)))
    return placement_id.in_(ids)


def visible_placements(principal: Principal) -> Select:
    """``select(Placement)`` limited to the principal's scope (nothing for researchers and admins)."""
    return (
        select(Placement).where(placement_scope(principal, Placement.id)).order_by(Placement.code)
    )


def provider_scope(principal: Principal, provider_id: ColumnElement) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose ``provider_id`` column is in the principal's scope."""
    if not principal.can("results"):
        return false()
    if principal.role == "national":
        return true()
    if principal.role == "regional":
        return provider_id.in_(select(Provider.id).where(Provider.region_id == principal.region_id))
    return provider_id.in_(sorted(principal.provider_ids))


def region_scope(principal: Principal, region_id: ColumnElement) -> ColumnElement[bool]:
    """A WHERE clause keeping rows whose ``region_id`` column the principal may see as a region."""
    if not principal.can("regions"):
        return false()
    if principal.role == "national":
        return true()
    return region_id == principal.region_id


def _in_scope(principal: Principal, provider: Provider) -> bool:
    if principal.role == "national":
        return True
    if principal.role == "regional":
        return provider.region_id == principal.region_id
    if principal.role == "site_reviewer":
        return provider.id in principal.provider_ids
    return False


def _require_in_scope(principal: Principal, model, what: str, code: str, provider_of):
    target = f"{what}:{code}"
    require(principal, "results", target)
    row = db.session.scalar(select(model).where(model.code == code))
    if row is None:
        raise NotFound(what, code, f"check the {what} code")
    if not _in_scope(principal, provider_of(row)):
        raise AccessDenied(target, f"{what} outside the user's scope")
    return row


def require_placement(principal: Principal, code: str) -> Placement:
    return _require_in_scope(principal, Placement, "placement", code, lambda p: p.provider)


def require_provider(principal: Principal, code: str) -> Provider:
    return _require_in_scope(principal, Provider, "provider", code, lambda p: p)


def require_region(principal: Principal, code: str) -> Region:
    target = f"region:{code}"
    require(principal, "regions", target)
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise NotFound("region", code, "check the region code")
    if principal.role == "regional" and region.id != principal.region_id:
        raise AccessDenied(target, "region outside the user's scope")
    return region


def require_concern(principal: Principal, concern_id: int) -> ConcernReport:
    target = f"concern:{concern_id}"
    require(principal, "concerns", target)
    concern = db.session.get(ConcernReport, concern_id)
    if concern is None:
        raise NotFound("concern report", concern_id)
    if principal.role == "regional" and concern.placement.provider.region_id != principal.region_id:
        raise AccessDenied(target, "concern outside the user's region")
    return concern


def find_window(code: str | None) -> SurveyWindow:
    """The window with ``code``, or the newest that has opened when ``code`` is None."""
    if code is None or code == "":
        window = db.session.scalar(select(SurveyWindow).order_by(SurveyWindow.opens_on.desc()))
        if window is None:
            raise NotFound(
                "survey window",
                "(any)",
                "ask a survey administrator to add one: no survey window exists yet",
            )
        return window
    window = db.session.scalar(select(SurveyWindow).where(SurveyWindow.code == code))
    if window is None:
        raise NotFound("survey window", code, "choose one of the windows listed on the page")
    return window


def find_group(code: str | None) -> LearnerGroup | None:
    """The learner group with ``code``; None (all groups) for an empty value."""
    if code is None or code in ("", "all"):
        return None
    group = db.session.scalar(select(LearnerGroup).where(LearnerGroup.code == code))
    if group is None:
        raise NotFound("learner group", code, "choose one of the learner groups listed")
    return group
