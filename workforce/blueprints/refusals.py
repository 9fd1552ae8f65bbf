"""Show a service's refusal on the form that asked for the change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workforce.services import ServiceError


def put_error(form: Any, error: ServiceError, aliases: Mapping[str, str] | None = None) -> None:
    """Put ``error``'s message beside the field it names (renamed through ``aliases`` where
    the service's name differs from the form's), or beside the button when no field fits."""
    name = (aliases or {}).get(error.field or "", error.field)
    field = getattr(form, name, None) if name else None
    field = field if field is not None else form.submit
    field.errors = [*field.errors, error.message]
