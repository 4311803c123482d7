"""A validation report: every section computed independently from one :class:`ReportInput`.

Pure (no database, no request): :mod:`nets_app.services.validation` loads the
input; the tests feed synthetic pilots with known truth through the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from threadpoolctl import threadpool_limits

from nets_app.services import validation_retest as vr
from nets_app.services import validation_sections as vs
from nets_app.services import validation_structure as vst
from nets_app.services.validation_common import ReportInput, Section, Settings, clean, run_section

#: (key, title, function) in report order.
SECTIONS: tuple[tuple[str, str, Callable[[ReportInput, Settings], Section]], ...] = (
    ("sample", "Sample", vs.sample),
    ("distributions", "Item distributions", vs.distributions),
    ("reliability", "Reliability: alpha and omega", vs.reliability),
    ("items", "Item analysis", vs.item_analysis),
    ("adequacy", "Sampling adequacy: KMO and Bartlett", vst.adequacy),
    ("dimensionality", "Dimensionality: parallel analysis", vst.dimensionality),
    ("efa", "Exploratory factor analysis", vst.efa),
    ("cfa", "Confirmatory factor analysis of the themes", vst.cfa),
    ("retest", "Test-retest reliability", vr.retest),
    ("criterion", "Criterion validity", vs.criterion),
    ("invariance", "Invariance across learner groups", vst.invariance),
)
SECTION_KEYS = tuple(key for key, _, _ in SECTIONS)


@dataclass(frozen=True)
class Report:
    """A computed report: what it covers, how it was computed, and its sections."""

    window: str
    window_name: str
    group: str | None
    group_name: str | None
    instrument: str
    generated_on: dt.date
    settings: Settings
    sections: tuple[Section, ...]

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(f"no section {key!r}; sections are {SECTION_KEYS}")

    def to_json(self) -> dict[str, Any]:
        """Every number of the report as JSON-able data (NaN as null)."""
        return clean(
            {
                "window": self.window,
                "window_name": self.window_name,
                "group": self.group,
                "group_name": self.group_name,
                "instrument": self.instrument,
                "generated_on": self.generated_on.isoformat(),
                "settings": asdict(self.settings),
                "sections": {
                    s.key: {
                        "title": s.title,
                        "status": s.status,
                        "reason": s.reason,
                        "notes": list(s.notes),
                        **s.data,
                    }
                    for s in self.sections
                },
            }
        )


def compute_report(
    inp: ReportInput,
    settings: Settings | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    group_name: str | None = None,
    today: dt.date | None = None,
    only: tuple[str, ...] | None = None,
) -> Report:
    """Compute every section (or ``only`` those named); a section that cannot run says why.

    ``progress`` is called with each section's key as it finishes (the CLI's
    progress bar). BLAS runs single-threaded: the matrices are small, and on a
    busy machine multi-threaded BLAS mostly waits (see ``psychometrics._cfa_engine``).
    """
    settings = settings or Settings()
    if only is not None:
        unknown = [k for k in only if k not in SECTION_KEYS]
        if unknown:
            raise ValueError(f"unknown section(s) {unknown}; sections are {SECTION_KEYS}")
    chosen = [s for s in SECTIONS if only is None or s[0] in only]
    with threadpool_limits(limits=1, user_api="blas"):
        sections = tuple(
            run_section(key, title, lambda fn=fn: fn(inp, settings), progress)
            for key, title, fn in chosen
        )
    return Report(
        window=inp.window,
        window_name=inp.window_name,
        group=inp.group,
        group_name=group_name,
        instrument=inp.instrument,
        generated_on=today or dt.date.today(),
        settings=settings,
        sections=sections,
    )
