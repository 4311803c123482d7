"""NETS instruments as data: JSON files checked by a schema, and a small typed loader.

Code reads instruments from here; it never hard-codes items.
"""

from questionnaires.loader import (
    ConcernQuestion,
    FreeTextPrompt,
    Instrument,
    InstrumentError,
    Item,
    LearnerGroup,
    ProfessionBlock,
    QualityFramework,
    Standard,
    Theme,
    available_instruments,
    coverage,
    load_framework,
    load_instrument,
)

__all__ = [
    "ConcernQuestion",
    "FreeTextPrompt",
    "Instrument",
    "InstrumentError",
    "Item",
    "LearnerGroup",
    "ProfessionBlock",
    "QualityFramework",
    "Standard",
    "Theme",
    "available_instruments",
    "coverage",
    "load_framework",
    "load_instrument",
]
