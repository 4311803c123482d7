"""Load a synthetic pilot into the database (demo data for ``make run``, tests and benchmarks).

The pilot comes from :func:`psychometrics.generate_pilot` with the items of the
registered instrument, so the planted truth (adverse and declining placements,
retest stability) is known to the tests that read the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select, text
from tqdm import tqdm

from nets_app.extensions import db
from nets_app.models import (
    Answer,
    ConcernReport,
    EducationProvider,
    FreeTextComment,
    Invitation,
    LearnerGroup,
    Placement,
    Programme,
    Provider,
    Region,
    Response,
    SurveyWindow,
)
from nets_app.services.concerns import respond_by
from nets_app.services.instruments import register_instrument
from nets_app.services.retest_demo import store_demo_retests
from nets_app.services.tokens import new_token
from nets_app.services.uow import unit_of_work
from questionnaires import Instrument, load_framework, load_instrument

CHUNK = 20_000
GOOD = [
    "Supportive team who made time to teach.",
    "Great variety of patients and procedures.",
    "My supervisor gave regular, honest feedback.",
]
IMPROVE = [
    "Induction could be shorter and more practical.",
    "Hard to get protected study time on busy days.",
    "Rest areas are often unavailable.",
]


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count(Placement.id))))


def item_specs(inst: Instrument):
    """The instrument's items as the generator's ItemSpec (theme = latent factor)."""
    from psychometrics import ItemSpec

    specs = []
    for it in inst.scoring_items:
        specs.append(
            ItemSpec(
                id=it.id,
                factor=it.theme,
                loading=0.72 if not it.adverse else 0.6,
                reverse=it.reverse,
                adverse=it.adverse,
                na_rate=0.05 if it.allow_na else 0.0,
            )
        )
    return tuple(specs)


def window_dates(today: dt.date, n_windows: int) -> list[tuple[str, dt.date, dt.date]]:
    """Annual windows ending with one open today: (code, opens_on, closes_on), oldest first."""
    out = []
    for back in range(n_windows - 1, -1, -1):
        opens = today.replace(year=today.year - back) - dt.timedelta(days=21)
        closes = today.replace(year=today.year - back) + dt.timedelta(days=28)
        out.append((str(today.year - back), opens, closes))
    return out


def _chunks(rows: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(model, rows: list[dict], bar: tqdm | None = None) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(model), chunk)
        if bar is not None:
            bar.update(len(chunk))


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _sync_sequences(models: Iterable) -> None:
    """After inserting explicit ids on PostgreSQL, move each serial sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )
        )


def load_demo(
    n_responses: int = 3000,
    seed: int = 2026,
    *,
    today: dt.date | None = None,
    progress: bool = False,
    n_windows: int = 3,
) -> dict[str, int]:
    """Generate a synthetic pilot and store it in one transaction. Returns counts."""
    from psychometrics import generate_pilot

    today = today or dt.date.today()
    inst = load_instrument()
    windows = window_dates(today, n_windows)
    pilot = generate_pilot(
        item_specs(inst),
        n_responses=n_responses,
        windows=tuple(w[0] for w in windows),
        seed=seed,
    )
    with unit_of_work():
        version = register_instrument(inst)
        ids = _load_structure(pilot, windows, version.id, today)
        first_id = _next_id(Response)
        stats = _load_responses(pilot, inst, ids, version.id, windows, today, seed, progress)
        _sync_sequences(
            [Region, Provider, Placement, Response, Answer, FreeTextComment, ConcernReport]
        )
        # The pilot's retest pairs, so the validation report's test-retest section has data.
        stats["retest_pairs"] = store_demo_retests(pilot, first_id, inst, today)
    return stats


def _load_structure(pilot, windows, version_id: int, today: dt.date) -> dict[str, dict[str, int]]:
    fw = load_framework()
    groups = {}
    for code, group in fw.learner_groups.items():
        row = db.session.scalar(select(LearnerGroup).filter_by(code=code))
        if row is None:
            row = LearnerGroup(code=code, name=group.title)
            db.session.add(row)
        groups[code] = row
    regions = {}
    for r in pilot.regions.itertuples():
        regions[r.region] = Region(code=r.region, name=r.region_name)
    db.session.add_all(regions.values())
    db.session.flush()
    providers = {}
    for p in pilot.providers.itertuples():
        providers[p.provider] = Provider(
            code=p.provider, name=p.provider_name, region_id=regions[p.region].id
        )
    db.session.add_all(providers.values())
    db.session.flush()
    placements = {}
    for p in pilot.placements.itertuples():
        placements[p.placement] = Placement(
            code=p.placement,
            name=p.placement_name,
            specialty=p.specialty,
            provider_id=providers[p.provider].id,
        )
    db.session.add_all(placements.values())
    uni = EducationProvider(code="EP01", name="University of Northfield (synthetic)")
    db.session.add(uni)
    db.session.flush()
    for code, group in groups.items():
        db.session.add(
            Programme(
                code=f"EP01-{code}",
                name=f"{group.name} programme",
                education_provider_id=uni.id,
                learner_group_id=group.id,
            )
        )
    window_rows = {}
    for code, opens, closes in windows:
        row = db.session.scalar(select(SurveyWindow).filter_by(code=code))
        if row is None:
            row = SurveyWindow(
                code=code,
                name=f"NETS {code}",
                opens_on=opens,
                closes_on=closes,
                instrument_version_id=version_id,
            )
            db.session.add(row)
        window_rows[code] = row
    db.session.flush()
    return {
        "group": {k: v.id for k, v in groups.items()},
        "placement": {k: v.id for k, v in placements.items()},
        "window": {k: v.id for k, v in window_rows.items()},
    }


def _submitted_dates(rng, window_codes, windows, today) -> np.ndarray:
    spans = {code: (opens, min(closes, today)) for code, opens, closes in windows}
    out = np.empty(len(window_codes), dtype=object)
    for code, (start, end) in spans.items():
        mask = window_codes == code
        days = max((end - start).days, 0)
        offsets = rng.integers(0, days + 1, size=int(mask.sum()))
        out[mask] = [start + dt.timedelta(days=int(o)) for o in offsets]
    return out


def _load_responses(pilot, inst, ids, version_id, windows, today, seed, progress) -> dict[str, int]:
    rng = np.random.default_rng(seed + 1)
    df: pd.DataFrame = pilot.responses.reset_index(drop=True)
    n = len(df)
    first_id = _next_id(Response)
    response_ids = np.arange(first_id, first_id + n)
    window_codes = df["window"].to_numpy()
    dates = _submitted_dates(rng, window_codes, windows, today)
    placement_ids = df["placement"].map(ids["placement"]).to_numpy()
    group_ids = df["group"].map(ids["group"]).to_numpy()
    window_ids = df["window"].map(ids["window"]).to_numpy()
    responses = [
        {
            "id": int(response_ids[i]),
            "window_id": int(window_ids[i]),
            "placement_id": int(placement_ids[i]),
            "learner_group_id": int(group_ids[i]),
            "instrument_version_id": version_id,
            "submitted_on": dates[i],
            "is_retest": False,
        }
        for i in range(n)
    ]
    overall = inst.item_by_role("overall_experience").id
    recommend = inst.item_by_role("would_recommend").id
    values = df.rename(columns={"overall": overall, "recommend": recommend})
    item_ids = [it.id for it in inst.scoring_items] + [overall, recommend]
    allow_na = {it.id: it.allow_na for it in inst.all_items}
    matrix = values[item_ids].to_numpy(dtype=float)
    answers = []
    for j, item_id in enumerate(item_ids):
        col = matrix[:, j]
        keep = ~np.isnan(col) | allow_na[item_id]
        for rid, v in zip(response_ids[keep], col[keep], strict=True):
            na = bool(np.isnan(v))
            answers.append(
                {
                    "response_id": int(rid),
                    "item_id": item_id,
                    "value": None if na else int(v),
                    "not_applicable": na,
                }
            )
    comments = []
    picks = rng.random(n)
    for i in np.flatnonzero(picks < 0.3):
        comments.append(
            {"response_id": int(response_ids[i]), "prompt_id": "good", "text": GOOD[i % len(GOOD)]}
        )
    for i in np.flatnonzero(picks > 0.8):
        comments.append(
            {
                "response_id": int(response_ids[i]),
                "prompt_id": "improve",
                "text": IMPROVE[i % len(IMPROVE)],
            }
        )
    concerns = []
    for kind, column in (
        ("patient_safety", "concern_patient_safety"),
        ("bullying", "concern_bullying"),
    ):
        if column not in df:
            continue
        for i in np.flatnonzero(df[column].to_numpy(dtype=bool)):
            concerns.append(
                {
                    "window_id": int(window_ids[i]),
                    "placement_id": int(placement_ids[i]),
                    "learner_group_id": int(group_ids[i]),
                    "kind": kind,
                    "details": "Synthetic demo concern.",
                    "reported_on": dates[i],
                    "respond_by": respond_by(kind, dates[i]),
                    "status": "new",
                }
            )
    total = len(responses) + len(answers) + len(comments) + len(concerns)
    with tqdm(total=total, desc="Loading demo pilot", unit="row", disable=not progress) as bar:
        _insert(Response, responses, bar)
        _insert(Answer, answers, bar)
        _insert(FreeTextComment, comments, bar)
        _insert(ConcernReport, concerns, bar)
    return {
        "responses": len(responses),
        "answers": len(answers),
        "comments": len(comments),
        "concerns": len(concerns),
        "placements": len(ids["placement"]),
    }


def create_invitation(window_code: str | None = None, placement_code: str | None = None) -> str:
    """Create a one-submission invitation and return its token (only its hash is stored)."""
    with unit_of_work():
        window = (
            db.session.scalar(select(SurveyWindow).filter_by(code=window_code))
            if window_code
            else db.session.scalar(select(SurveyWindow).order_by(SurveyWindow.opens_on.desc()))
        )
        if window is None:
            raise ValueError(f"unknown survey window {window_code!r}")
        placement = (
            db.session.scalar(select(Placement).filter_by(code=placement_code))
            if placement_code
            else db.session.scalar(select(Placement).order_by(Placement.id))
        )
        if placement is None:
            raise ValueError(f"unknown placement {placement_code!r}")
        token = new_token()
        db.session.add(
            Invitation(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                window_id=window.id,
                placement_id=placement.id,
            )
        )
    return token


def newcomer_info() -> dict[str, list[tuple[str, ...]]]:
    """What ``make run`` prints: links to try and a demo login per staff role.

    A fresh invitation each time (its token is shown once: only its hash is stored),
    the placement's QR-poster link, and demo accounts with fresh random passwords.
    """
    from nets_app.services import staff, survey

    token = create_invitation()
    slug = survey.create_open_link()
    with unit_of_work():
        logins = staff.demo_logins()
    return {
        "links": [
            ("A learner's survey link", f"/s/{token}"),
            ("A placement's QR-poster link", f"/p/{slug}"),
            ("Staff sign-in", "/staff/login"),
        ],
        "logins": logins,
    }
