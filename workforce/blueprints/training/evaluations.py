"""Training views: evaluations."""

from workforce.blueprints.training import bp  # noqa: F401
