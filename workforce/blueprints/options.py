"""Select-box options for forms (WTForms 3.3 wants SelectChoice, not tuples)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into WTForms select choices."""
    return [SelectChoice(value=str(value), label=label) for value, label in pairs]
