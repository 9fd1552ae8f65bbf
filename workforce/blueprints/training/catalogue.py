"""Training views: catalogue."""

from workforce.blueprints.training import bp  # noqa: F401
