"""Database models, one module per domain; importing this package registers them all."""

from workforce.models.accounts import ROLES, User, UserRole
from workforce.models.audit import AuditEvent
from workforce.models.capability import (
    ASSESSMENT_KINDS,
    Assessment,
    AssessmentRating,
    DevelopmentAction,
    RoleProfile,
)
from workforce.models.frameworks import (
    Framework,
    FrameworkDescriptor,
    FrameworkDomain,
    FrameworkLevel,
    FrameworkPathway,
)
from workforce.models.people import (
    CONTRACT_TYPES,
    EmploymentSpell,
    Staff,
    Team,
)
from workforce.models.reference import CodeEntry
from workforce.models.supervision import (
    SupervisionAction,
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionNoteVersion,
    SupervisionPolicy,
    SupervisionPolicyStage,
    SupervisionSession,
)
from workforce.models.training import (
    Booking,
    Course,
    CourseAudience,
    CpdEntry,
    Evaluation,
    ImpactFollowUp,
    PracticeModel,
    StrategicPriority,
    TrainingSession,
    Venue,
)

__all__ = [
    "SupervisionAction",
    "SupervisionAttendee",
    "SupervisionAudit",
    "SupervisionNoteVersion",
    "SupervisionPolicy",
    "SupervisionPolicyStage",
    "SupervisionSession",
    "ASSESSMENT_KINDS",
    "Assessment",
    "AssessmentRating",
    "DevelopmentAction",
    "FrameworkDescriptor",
    "RoleProfile",
    "Booking",
    "Course",
    "CourseAudience",
    "CpdEntry",
    "Evaluation",
    "Framework",
    "FrameworkDomain",
    "FrameworkLevel",
    "FrameworkPathway",
    "ImpactFollowUp",
    "PracticeModel",
    "StrategicPriority",
    "TrainingSession",
    "Venue",
    "CONTRACT_TYPES",
    "ROLES",
    "AuditEvent",
    "CodeEntry",
    "EmploymentSpell",
    "Staff",
    "Team",
    "User",
    "UserRole",
]
