"""assessments views."""

from workforce.blueprints.capability import bp  # noqa: F401
