"""Database models, one module per domain; importing this package registers them all."""

from workforce.models.accounts import ROLES, User, UserRole
from workforce.models.audit import AuditEvent
from workforce.models.people import (
    CONTRACT_TYPES,
    EmploymentSpell,
    Staff,
    Team,
)
from workforce.models.reference import CodeEntry

__all__ = [
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
