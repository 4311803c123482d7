"""Dashboard fixtures: two regions with results, one staff member per role, signed-in clients.

The world (names are distinctive so that a leak shows up as a plain substring)::

    region Northmoor (RNM)            region Southdale (RSD)
      provider Alder Trust (PALD)        provider Rowan Trust (PROW)
        placement Ward Aster (XASTER)      placement Ward Yarrow (XYARROW)
        placement Ward Basil (XBASIL)
      provider Birch Trust (PBIR)
        placement Ward Cedar (XCEDAR)

The site reviewer has Alder Trust, the regional user Northmoor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from nets_app.extensions import db, limiter
from nets_app.services import cache, risk
from tests.clients import new_client
from tests.dashboard import factories as f
from tests.factories import (
    create_group,
    create_placement,
    create_provider,
    create_region,
    create_window,
)

ROLES = ("site_reviewer", "regional", "national", "researcher", "admin")


@dataclass
class World:
    regions: dict = field(default_factory=dict)
    providers: dict = field(default_factory=dict)
    placements: dict = field(default_factory=dict)
    staff: dict = field(default_factory=dict)
    concerns: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    window: object = None
    previous: object = None
    groups: dict = field(default_factory=dict)

    def names_outside(self, role: str) -> set[str]:
        """Placement / provider names and codes this role must never see."""
        visible = {
            "site_reviewer": {"XASTER", "XBASIL"},
            "regional": {"XASTER", "XBASIL", "XCEDAR"},
            "national": set(self.placements),
        }.get(role, set())
        out = set()
        for code, p in self.placements.items():
            if code not in visible:
                out |= {p.code, p.name}
        providers_visible = {"site_reviewer": {"PALD"}, "regional": {"PALD", "PBIR"}}.get(
            role, set(self.providers) if role == "national" else set()
        )
        for code, p in self.providers.items():
            if code not in providers_visible:
                out |= {p.code, p.name}
        return out


@pytest.fixture
def client(app):
    return new_client(app)


@pytest.fixture(autouse=True)
def _fresh_caches(request):
    """Ids restart in every test's database, so the per-app caches and limits start empty."""
    if "app" in request.fixturenames:
        request.getfixturevalue("app")
        cache.clear()
        limiter.reset()
    yield


@pytest.fixture
def world(app) -> World:
    return make_world()


def make_world() -> World:
    """Build the world in the current app's database and commit it."""
    w = World()
    w.regions["RNM"] = create_region(code="RNM", name="Northmoor")
    w.regions["RSD"] = create_region(code="RSD", name="Southdale")
    for code, name, region in (
        ("PALD", "Alder Trust", "RNM"),
        ("PBIR", "Birch Trust", "RNM"),
        ("PROW", "Rowan Trust", "RSD"),
    ):
        w.providers[code] = create_provider(code=code, name=name, region=w.regions[region])
    for code, name, provider in (
        ("XASTER", "Ward Aster", "PALD"),
        ("XBASIL", "Ward Basil", "PALD"),
        ("XCEDAR", "Ward Cedar", "PBIR"),
        ("XYARROW", "Ward Yarrow", "PROW"),
    ):
        w.placements[code] = create_placement(code=code, name=name, provider=w.providers[provider])
    today = dt.date.today()
    w.previous = create_window(
        code="W2025",
        name="NETS 2025",
        opens_on=today - dt.timedelta(days=400),
        closes_on=today - dt.timedelta(days=350),
    )
    w.window = create_window(code="W2026", name="NETS 2026")
    w.groups = {g: create_group(g) for g in ("nursing", "medical")}
    for window, base in ((w.previous, 60.0), (w.window, 70.0)):
        run = f.create_run(window)
        for k, placement in enumerate(w.placements.values()):
            for scale in ("overall", "induction", "supervision", "domain 1"):
                f.create_score(
                    run, placement, scale, score=base + k, ci_low=base + k - 8, ci_high=base + k + 8
                )
            f.create_score(
                run, placement, "overall", group=w.groups["nursing"], status="suppressed"
            )
            f.create_score(
                run, placement, "overall", group=w.groups["medical"], status="suppressed"
            )
        if window is w.window:
            f.create_flag(
                run,
                w.placements["XASTER"],
                evidence={
                    "text": "Aster flag: score 41 below the limit",
                    "ci_low": 35.123,
                    "window": "W2026",
                },
            )
            f.create_flag(
                run,
                w.placements["XYARROW"],
                evidence={
                    "text": "Yarrow flag: score 41 below the limit",
                    "ci_low": 35.123,
                    "window": "W2026",
                },
            )
    w.concerns["A"] = f.create_concern(
        w.window, w.placements["XASTER"], details="Aster concern details"
    )
    w.concerns["B"] = f.create_concern(
        w.window, w.placements["XYARROW"], details="Yarrow concern details"
    )
    w.staff["site_reviewer"] = f.create_staff("site_reviewer", providers=[w.providers["PALD"]])
    w.staff["regional"] = f.create_staff("regional", region=w.regions["RNM"])
    for role in ("national", "researcher", "admin"):
        w.staff[role] = f.create_staff(role)
    db.session.commit()
    for provider, placement, title in (
        ("PALD", "XASTER", "Aster supervision concern"),
        ("PROW", "XYARROW", "Yarrow supervision concern"),
    ):
        w.quality[provider] = _registered_concern(provider, placement, title)
    return w


def _registered_concern(provider: str, placement: str, title: str) -> int:
    """A concern on the register (4 x 3 = 12) at ISF category 2, through the risk service."""
    evidence = [
        {"kind": "gmc_nts", "ref": "GMC NTS 2026", "summary": "supervision below benchmark"}
    ]
    concern = risk.create_manual_concern(
        provider_code=provider,
        placement_code=placement,
        title=title,
        evidence=evidence,
        actor="dashboard tests",
        reason="seen in the GMC survey",
        standards=["3.1"],
    )
    risk.rate_concern(concern.id, "dashboard tests", 4, 3, "likely, moderate impact")
    risk.change_category(
        concern.id,
        "dashboard tests",
        2,
        "plans not delivering at pace",
        evidence_ids=[concern.evidence[0].id],
    )
    return concern.id


def sign_in(client, user) -> None:
    """Put a signed-in session in the test client's cookie (no password hashing per test)."""
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{user.session_version}"
        session["_fresh"] = True


@pytest.fixture
def client_for(app, world):
    """``client_for(role)`` -> a test client signed in as that role's staff member."""

    def make(role: str):
        client = new_client(app)
        sign_in(client, world.staff[role])
        return client

    return make
