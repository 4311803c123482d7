"""Typed SQLAlchemy 2.0 models. Import from here: ``from nets_app.models import Placement``."""

from nets_app.models.audit import AuditEvent
from nets_app.models.org import (
    EducationProvider,
    LearnerGroup,
    Placement,
    Programme,
    Provider,
    Region,
    Site,
)
from nets_app.models.risk import ConcernAction, ConcernEvent, ConcernEvidence, QualityConcern
from nets_app.models.scoring import AdverseFlag, PlacementScore, ScoringRun
from nets_app.models.staff import ROLES, StaffUser, staff_providers
from nets_app.models.survey import (
    Answer,
    ConcernReport,
    FreeTextComment,
    InstrumentVersion,
    Invitation,
    Response,
    SurveyDraft,
    SurveyWindow,
)
from nets_app.models.survey_links import OpenLink

__all__ = [
    "AdverseFlag",
    "AuditEvent",
    "ConcernAction",
    "ConcernEvent",
    "ConcernEvidence",
    "QualityConcern",
    "PlacementScore",
    "ScoringRun",
    "ROLES",
    "Answer",
    "ConcernReport",
    "EducationProvider",
    "FreeTextComment",
    "InstrumentVersion",
    "Invitation",
    "LearnerGroup",
    "OpenLink",
    "Placement",
    "Programme",
    "Provider",
    "Region",
    "Response",
    "Site",
    "StaffUser",
    "SurveyDraft",
    "SurveyWindow",
    "staff_providers",
]
