"""Staff accounts with a role and a scope (providers or a region)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nets_app.extensions import db
from nets_app.models.org import Provider, Region

ROLES = {
    "site_reviewer": "Pilot-site reviewer (own providers)",
    "regional": "Regional quality team (own region)",
    "national": "National quality team",
    "researcher": "Researcher (de-identified item data, no free text)",
    "admin": "Administrator",
}

staff_providers = Table(
    "staff_provider",
    db.metadata,
    Column("staff_id", ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    Column("provider_id", ForeignKey("provider.id", ondelete="CASCADE"), primary_key=True),
)


class StaffUser(db.Model):
    __tablename__ = "staff_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout / password change so every existing session is invalidated.
    session_version: Mapped[int] = mapped_column(default=1)

    region: Mapped[Region | None] = relationship()
    providers: Mapped[list[Provider]] = relationship(secondary=staff_providers)
