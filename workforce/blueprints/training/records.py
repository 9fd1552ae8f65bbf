"""Training views: records."""

from workforce.blueprints.training import bp  # noqa: F401
