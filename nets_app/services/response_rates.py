"""Response rates per survey window, for any set of placements.

``invited`` counts survey invitations issued (kind ``"survey"``), ``responded``
those used, and the rate is their ratio: the share of invited learners who
answered. Learners who answered through an open (poster) link have no invitation
list behind them, so they are counted separately (``open_link``) and not in the
rate. ``responses`` is every submitted response (retests excluded). Counts are of
people who answered, never of what they answered, and only for whole placements
or larger, never per learner group.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, true

from nets_app.extensions import db
from nets_app.models import Invitation, Placement, Provider, Region, Response, SurveyWindow


@dataclass(frozen=True)
class ResponseRate:
    window_code: str
    window_name: str
    invited: int
    responded: int
    open_link: int
    responses: int
    provider_code: str = ""
    provider_name: str = ""
    region_code: str = ""

    @property
    def rate(self) -> float | None:
        """Percent of invited learners who answered; None without invitations."""
        return 100.0 * self.responded / self.invited if self.invited else None


def response_rates(
    placement_where: ColumnElement[bool] | None = None, *, by_provider: bool = False
) -> list[ResponseRate]:
    """One row per window (newest first), or per window and provider, over some placements.

    ``placement_where`` is a clause over :class:`Placement` / :class:`Provider`
    columns (e.g. ``Provider.region_id == 2`` or an access-scope clause on
    ``Placement.id``); None means every placement.
    """
    where = placement_where if placement_where is not None else true()
    unit = [Provider.code, Provider.name, Region.code] if by_provider else []
    inv = (
        select(Invitation.window_id, *unit, Invitation.kind, Invitation.used, func.count())
        .join(Placement, Invitation.placement_id == Placement.id)
        .join(Provider, Placement.provider_id == Provider.id)
        .join(Region, Provider.region_id == Region.id)
        .where(where)
        .group_by(Invitation.window_id, *unit, Invitation.kind, Invitation.used)
    )
    counts: dict[tuple, int] = {}
    keys: set[tuple] = set()
    for row in db.session.execute(inv):
        key = tuple(row[: 1 + len(unit)])
        kind, used, n = row[1 + len(unit) :]
        counts[(*key, kind, bool(used))] = int(n)
        keys.add(key)
    resp = (
        select(Response.window_id, *unit, func.count())
        .join(Placement, Response.placement_id == Placement.id)
        .join(Provider, Placement.provider_id == Provider.id)
        .join(Region, Provider.region_id == Region.id)
        .where(where, Response.is_retest.is_(False))
        .group_by(Response.window_id, *unit)
    )
    responses = {tuple(row[:-1]): int(row[-1]) for row in db.session.execute(resp)}
    keys |= set(responses)
    windows = list(db.session.scalars(select(SurveyWindow).order_by(SurveyWindow.opens_on.desc())))
    if not by_provider:
        keys |= {(w.id,) for w in windows}
    out = []
    for w in windows:
        for key in sorted(k for k in keys if k[0] == w.id):
            used = counts.get((*key, "survey", True), 0)
            out.append(
                ResponseRate(
                    w.code,
                    w.name,
                    invited=used + counts.get((*key, "survey", False), 0),
                    responded=used,
                    open_link=counts.get((*key, "open", True), 0),
                    responses=responses.get(key, 0),
                    provider_code=key[1] if by_provider else "",
                    provider_name=key[2] if by_provider else "",
                    region_code=key[3] if by_provider else "",
                )
            )
    return out
