"""Where learning happens: regions, placement providers, sites, placements, programmes."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nets_app.extensions import db


class Region(db.Model):
    """A region / local office (e.g. "London")."""

    __tablename__ = "region"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    providers: Mapped[list[Provider]] = relationship(back_populates="region")


class Provider(db.Model):
    """A placement provider organisation (trust, GP practice, private provider)."""

    __tablename__ = "provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="trust")
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)

    region: Mapped[Region] = relationship(back_populates="providers")
    sites: Mapped[list[Site]] = relationship(back_populates="provider")
    placements: Mapped[list[Placement]] = relationship(back_populates="provider")


class Site(db.Model):
    """A site or department of a provider."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))

    provider: Mapped[Provider] = relationship(back_populates="sites")


class Placement(db.Model):
    """A provider's learning environment for a specialty or department."""

    __tablename__ = "placement"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(100))
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id"))

    provider: Mapped[Provider] = relationship(back_populates="placements")
    site: Mapped[Site | None] = relationship()


class EducationProvider(db.Model):
    """A university, college or school a learner is attached to."""

    __tablename__ = "education_provider"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class LearnerGroup(db.Model):
    """A learner group (medical, nursing, midwifery, ...); codes come from questionnaires/."""

    __tablename__ = "learner_group"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Programme(db.Model):
    """A programme of an education provider for one learner group."""

    __tablename__ = "programme"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    education_provider_id: Mapped[int] = mapped_column(
        ForeignKey("education_provider.id"), index=True
    )
    learner_group_id: Mapped[int] = mapped_column(ForeignKey("learner_group.id"), index=True)

    education_provider: Mapped[EducationProvider] = relationship()
    learner_group: Mapped[LearnerGroup] = relationship()
