"""Tables for the Intensive Support Framework (ISF), each entry beside its source.

Source
------
Health Education England. *A guide to the HEE Intensive Support Framework*. Cited as
[ISF <section>, line N], N being the line of the seed text
``shared/seeds/hee-intensive-support-framework-guide.txt`` that holds the quote.
Entries marked [NETS] are the platform's choices and say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "CATEGORIES",
    "EVIDENCE_KINDS",
    "IMPROVEMENT_KINDS",
    "REASON_CODES",
    "STAKEHOLDERS",
    "EvidenceKind",
    "IsfCategory",
    "ReasonCode",
    "Stakeholder",
]


@dataclass(frozen=True)
class Stakeholder:
    """A role that must (or may) be told about a concern.

    Attributes
    ----------
    code : str
        Stable id for storage and notification routing.
    name : str
        The guide's wording.
    scope : {"local", "provider", "regional", "national", "external"}
        Where the role sits, as the guide groups them.
    """

    code: str
    name: str
    scope: str


# [ISF Reporting, lines 69-87]; codes are [NETS].
STAKEHOLDERS: MappingProxyType[str, Stakeholder] = MappingProxyType(
    {
        s.code: s
        for s in (
            # Category 0-1, "shared locally ... (as appropriate)" [ISF Reporting, lines 69-79]
            Stakeholder("head_of_specialty_school", "Head(s) of Specialty School", "local"),
            Stakeholder("training_programme_director", "Training Programme Directors (TPDs)",
                        "local"),
            Stakeholder("programme_lead", "Programme Leads", "local"),
            Stakeholder("practice_placement_lead", "Practice Placement Leads", "local"),
            Stakeholder("local_quality_lead", "Local Quality Leads", "local"),
            Stakeholder("education_training_lead", "Education and Training Leads", "local"),
            Stakeholder("educator", "Educators (Educational Supervisors, Clinical Supervisors, "
                        "Mentors etc.)", "local"),
            Stakeholder("affected_learners", "Affected learners", "local"),
            Stakeholder("provider_education_quality_lead",
                        "Provider organisation education / quality leads and / or teams",
                        "provider"),
            # Category 2 adds [ISF Reporting, line 83]
            Stakeholder("regional_head_of_quality", "Regional Head of Quality", "regional"),
            Stakeholder("postgraduate_dean", "Postgraduate Dean", "regional"),
            Stakeholder("regulator", "The respective regulator(s) (e.g. the General Medical "
                        "Council)", "external"),
            Stakeholder("provider_director_medical_education",
                        "Provider's Director of Medical Education", "provider"),
            # Category 3 adds [ISF Reporting, line 85]
            Stakeholder("provider_chief_executive", "Provider's Chief Executive", "provider"),
            Stakeholder("provider_medical_director", "Provider's Medical Director", "provider"),
            Stakeholder("regional_quality_surveillance_group",
                        "Regional Quality Surveillance Group", "regional"),
            Stakeholder("jsog", "Joint Strategic Oversight Group (JSOG)", "national"),
            Stakeholder("executive_director_education_quality",
                        "Executive Director of Education and Quality", "national"),
            Stakeholder("national_medical_director", "National Medical Director", "national"),
            # Category 4 adds [ISF Reporting, line 87]
            Stakeholder("regional_director", "Regional Director", "regional"),
            Stakeholder("hee_executive", "HEE Executive", "national"),
            Stakeholder("national_deputy_medical_director", "National Deputy Medical Director",
                        "national"),
            Stakeholder("provider_chair", "Provider's Chair", "provider"),
            Stakeholder("service_commissioners", "Local and regional service commissioners",
                        "external"),
        )
    }
)  # fmt: skip


@dataclass(frozen=True)
class IsfCategory:
    """What an ISF category means and what it sets in motion.

    Attributes
    ----------
    number : int
        0-4.
    name : str
    definition : str
        The guide's definition.
    adds_stakeholders : tuple of str
        Stakeholder codes first told at this category (the lists are cumulative).
    stakeholders_required : bool
        False at 0-1, where the local list is shared "as appropriate"; True from 2,
        where concerns "will be required to be shared".
    monitoring : str
    support : str
        The support offer's name.
    support_detail : str
    register : {"not_expected", "by_score", "expected"}
        Whether the guide expects concerns at this category on the regional and
        national risk registers.
    pace : str
        Expected response pace.
    pace_rank : int
        Orders the pace: 0 none, 1 timely, 2 more rapid than category 1 (the guide
        ranks no further).
    action_plan_required : bool
        A formal, time-limited SMART action plan is expected.
    """

    number: int
    name: str
    definition: str
    adds_stakeholders: tuple[str, ...]
    stakeholders_required: bool
    monitoring: str
    support: str
    support_detail: str
    register: str
    pace: str
    pace_rank: int
    action_plan_required: bool


_LOCAL = (
    "head_of_specialty_school", "training_programme_director", "programme_lead",
    "practice_placement_lead", "local_quality_lead", "education_training_lead", "educator",
    "affected_learners", "provider_education_quality_lead",
)  # fmt: skip

# The pace of response [ISF principles, "Responsive", line 40]: "Minor concerns may not
# require immediate attention, nor might they require a formal intervention but be
# managed in-house by a provider or left to a Specialty School / TPD to address. Concerns
# with an ISF categorisation of 2 or above would be expected to have been responded to
# in a more rapid manner than those in category 1". The guide sets no days or weeks.
_PACE_RAPID = "More rapid than category 1 (the guide sets no fixed timescale)"

CATEGORIES: MappingProxyType[int, IsfCategory] = MappingProxyType(
    {
        0: IsfCategory(
            number=0,
            name="No concerns",
            # [ISF Risk categorisation, line 51]
            definition="The education and training delivered by the provider meets all the "
            "HEE standards.",
            # [ISF Reporting, line 69]: "If category 0 or 1 is appropriate ... only be
            # shared locally ... (as appropriate)"
            adds_stakeholders=_LOCAL,
            stakeholders_required=False,
            # [ISF Monitoring, line 91]
            monitoring="Regional quality teams may explore areas of good / best practice.",
            # [ISF Activity / support, line 101]
            support="Good practice",
            support_detail="Investigate areas of good / best practice and share them with "
            "other providers within the region and nationally as appropriate.",
            register="not_expected",  # [ISF Reporting, line 69]: shared locally only
            pace="No response needed beyond looking for good practice to share",
            pace_rank=0,
            action_plan_required=False,
        ),
        1: IsfCategory(
            number=1,
            name="Minor concerns",
            # [ISF Risk categorisation, line 52]
            definition="One or more areas where the provider does not meet HEE standards, "
            "with active plans in place to meet them that are consistently delivered against.",
            adds_stakeholders=(),
            stakeholders_required=False,  # [ISF Reporting, line 69] "(as appropriate)"
            # [ISF Monitoring, line 93]
            monitoring="Monitored closely by HEE via regional quality teams, in partnership "
            "with Specialty Schools, as an early warning of more significant issues.",
            # [ISF Support through the framework, line 109]
            support="Self-directed quality improvement",
            support_detail="Support from HEE quality teams locally as appropriate, to keep "
            "relatively low-level risk from developing into more significant concerns; "
            "advice, suggestions for improvement and sharing of good practice.",
            register="not_expected",  # [ISF Reporting, line 81]
            pace="Timely; may not need immediate attention or a formal intervention, and "
            "may be managed in-house by the provider or by a Specialty School / TPD",
            pace_rank=1,
            action_plan_required=False,
        ),
        2: IsfCategory(
            number=2,
            name="Significant concerns",
            # [ISF Risk categorisation, line 53]
            definition="A significant number of areas where the provider does not meet HEE "
            "standards and / or plans in place are not delivering sustainable improvement "
            "at the pace required.",
            # [ISF Reporting, line 83]
            adds_stakeholders=("regional_head_of_quality", "postgraduate_dean", "regulator",
                               "provider_director_medical_education"),
            stakeholders_required=True,  # "will be required to be shared locally"
            # [ISF Monitoring, line 93]
            monitoring="Monitored closely by HEE via regional quality teams, in partnership "
            "with Specialty Schools, as an early warning of more significant issues.",
            # [ISF Support through the framework, line 110]
            support="Enhanced support programme",
            support_detail="Formal, time-limited action plans in response to HEE's "
            "recommendations and requirements after intervention(s), agreed between HEE "
            "and the provider with SMART objectives; plans may be shared with other "
            "stakeholders (e.g. GMC, NHSI, CQC).",
            # [ISF Reporting, line 83]: "may, but will not always, reach or exceed the
            # risk rating threshold of 12"
            register="by_score",
            pace=_PACE_RAPID,
            pace_rank=2,
            action_plan_required=True,  # [ISF line 110] "formal, time limited action plans"
        ),
        3: IsfCategory(
            number=3,
            name="Major concerns",
            # [ISF Risk categorisation, line 54]
            definition="The provider has fallen, or is at risk of falling, well below the "
            "standards expected by HEE and has not delivered on the improvement trajectory "
            "agreed; a significant risk to, or impact on, the quality of education and "
            "training. Notice is given that training will be suspended if rapid and "
            "sustained directed improvements are not made.",
            # [ISF Reporting, line 85]
            adds_stakeholders=("provider_chief_executive", "provider_medical_director",
                               "regional_quality_surveillance_group", "jsog",
                               "executive_director_education_quality",
                               "national_medical_director"),
            stakeholders_required=True,
            # [ISF Monitoring, lines 93-95]
            monitoring="As category 2, and also nationally via the regional and national "
            "risk registers and by the JSOG.",
            # [ISF Support through the framework, line 111]
            support="Intensive support programme",
            support_detail="Multi-agency oversight and ownership with commitment to effect "
            "improvement and manage risk; notice of intention to withdraw approval or "
            "suspend training if improvement is not delivered.",
            register="expected",  # [ISF Reporting, line 85]
            pace=_PACE_RAPID,
            pace_rank=2,
            action_plan_required=True,  # [NETS] the category 2 plan continues under review
        ),
        4: IsfCategory(
            number=4,
            name="Training suspended",
            # [ISF Risk categorisation, line 55]
            definition="HEE has decided to suspend training / remove trainees within the "
            "affected clinical learning environment; recovery plans are in place with the "
            "provider to reinstate training.",
            # [ISF Reporting, line 87]
            adds_stakeholders=("regional_director", "hee_executive",
                               "national_deputy_medical_director", "provider_chair",
                               "service_commissioners"),
            stakeholders_required=True,
            # [ISF Monitoring, line 97]
            monitoring="As category 3, with oversight from the HEE Executive and the JSOG.",
            # [ISF Support through the framework, line 113]
            support="Training recovery support programme",
            support_detail="Trainees removed under HEE's suspension policy, with the "
            "expressed ambition to lift the suspension unless posts are decommissioned; "
            "agreed lead agency and ownership; support and resources agreed through "
            "multi-agency discussions.",
            register="expected",  # [ISF Reporting, line 87] "all of the above"
            pace=_PACE_RAPID,
            pace_rank=2,
            action_plan_required=True,  # [ISF line 55] "recovery plans in place"
        ),
    }
)  # fmt: skip


class ReasonCode(StrEnum):
    """Why a concern escalates to category 3 [ISF Movement, line 117]."""

    #: "insufficient progress is made to address concerns at category 1 or 2"; also used
    #: for the move from 3 to 4 when category 3 "fails to address the situation"
    #: [ISF Movement, line 119].
    INSUFFICIENT_PROGRESS = "insufficient_progress"
    #: "there is a significant and rapid fall in quality".
    RAPID_FALL = "rapid_fall"


REASON_CODES: MappingProxyType[ReasonCode, str] = MappingProxyType(
    {
        ReasonCode.INSUFFICIENT_PROGRESS: "Insufficient progress to address the concern",
        ReasonCode.RAPID_FALL: "Significant and rapid fall in quality",
    }
)


class EvidenceKind(StrEnum):
    """Kinds of evidence behind a concern or a category change.

    The guide lists sources "including (but not restricted to) learner survey data,
    complaints, concerns from regulators and ALBs, learner committees / representatives,
    alerts from providers" [ISF Risk categorisation, line 47].
    """

    FLAG = "flag"  # a NETS adverse-environment flag
    GMC_NTS = "gmc_nts"  # GMC National Training Survey
    COMPLAINT = "complaint"
    REGULATOR = "regulator"  # concern from a regulator or arm's-length body
    LEARNER_REPRESENTATIVE = "learner_representative"
    PROVIDER_ALERT = "provider_alert"
    QUALITY_INTERVENTION = "quality_intervention"  # visit, review, meeting findings
    ACTION_PLAN_PROGRESS = "action_plan_progress"
    OTHER = "other"
    # Evidence of sustained improvement, the only kinds that allow de-escalation [NETS]:
    WINDOW_WITHOUT_FLAG = "window_without_flag"  # a later survey window without the flag
    IMPROVEMENT_FEEDBACK = "improvement_feedback"  # [ISF Movement, line 119] "feedback
    # from consultants, non-training grade doctors and other healthcare professionals"
    INTERVENTION_FOUND_RESOLVED = "intervention_found_resolved"  # a follow-up visit or
    # review found the standards met


EVIDENCE_KINDS: MappingProxyType[EvidenceKind, str] = MappingProxyType(
    {
        EvidenceKind.FLAG: "NETS adverse-environment flag",
        EvidenceKind.GMC_NTS: "GMC National Training Survey",
        EvidenceKind.COMPLAINT: "Complaint",
        EvidenceKind.REGULATOR: "Concern from a regulator or arm's-length body",
        EvidenceKind.LEARNER_REPRESENTATIVE: "Learner committee or representative",
        EvidenceKind.PROVIDER_ALERT: "Alert from the provider",
        EvidenceKind.QUALITY_INTERVENTION: "Quality intervention findings",
        EvidenceKind.ACTION_PLAN_PROGRESS: "Action plan progress",
        EvidenceKind.OTHER: "Other evidence",
        EvidenceKind.WINDOW_WITHOUT_FLAG: "A later survey window without the flag",
        EvidenceKind.IMPROVEMENT_FEEDBACK: "Feedback showing sustained improvement",
        EvidenceKind.INTERVENTION_FOUND_RESOLVED: "Follow-up intervention found it resolved",
    }
)

# De-escalation "needs evidence of sustained improvement": [ISF Movement, line 119]
# "Assurance that it is safe to do so will require sustained improvement over time,
# which must be evidenced". A change record lists its evidence; at least one item must
# be of these kinds for any move to a lower category [NETS: which kinds count].
IMPROVEMENT_KINDS: frozenset[EvidenceKind] = frozenset(
    {
        EvidenceKind.WINDOW_WITHOUT_FLAG,
        EvidenceKind.IMPROVEMENT_FEEDBACK,
        EvidenceKind.INTERVENTION_FOUND_RESOLVED,
    }
)
