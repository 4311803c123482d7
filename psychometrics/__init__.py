"""Psychometrics for the NETS survey: reliability, factor structure, test-retest, scoring.

A pure statistics library: it imports no web framework and nothing from ``nets_app``,
so a researcher can use it in a notebook with a DataFrame and nothing else::

    import psychometrics as pm
    pm.cronbach_alpha(items)

Most names are loaded lazily from their modules on first use. Functions that share
their module's name (``cfa``, ``icc``, ``invariance``) are bound eagerly: once a
submodule is imported, Python sets the package attribute to the *module*, which
would shadow a lazily loaded function of the same name.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    # reliability
    "cronbach_alpha": "reliability",
    "AlphaResult": "reliability",
    "item_analysis": "reliability",
    "omega": "reliability",
    "OmegaResult": "reliability",
    # sampling adequacy
    "kmo": "adequacy",
    "KMOResult": "adequacy",
    "bartlett": "adequacy",
    "BartlettResult": "adequacy",
    # exploratory factor analysis
    "parallel_analysis": "parallel",
    "ParallelResult": "parallel",
    "efa": "factor",
    "EFAResult": "factor",
    # confirmatory factor analysis and invariance
    "cfa": "cfa",
    "CFAResult": "cfa",
    "invariance": "invariance",
    "InvarianceResult": "invariance",
    # test-retest
    "icc": "icc",
    # synthetic pilots with known truth
    "generate_pilot": "synthetic",
    "default_items": "synthetic",
    "ItemSpec": "synthetic",
    "SyntheticPilot": "synthetic",
    "PilotTruth": "synthetic",
    # placement scoring, benchmarking, adverse-environment flags
    "score_placements": "scoring",
    "benchmark": "benchmarking",
    "adverse_flags": "flags",
    "FlagConfig": "flag_config",
    "SuppressionConfig": "flag_config",
    "trend": "trends",
    "poor_streaks": "trends",
    # figures (matplotlib Figures, no pyplot state)
    "funnel_plot": "figures",
    "trend_chart": "figures",
    "item_distribution": "figures",
}

__all__ = sorted(_EXPORTS)

from psychometrics.cfa import cfa  # noqa: E402,F401  (see the module docstring)
from psychometrics.icc import icc  # noqa: E402,F401
from psychometrics.invariance import invariance  # noqa: E402,F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'psychometrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"psychometrics.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
