"""Every report by name.

A report module registers its builders with ``@report(...)``; the module's name goes in
``REPORT_MODULES`` so the registry loads it on first use. The web pages, the exports and
``flask --app wsgi report`` all look reports up here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from workforce.reports.base import REPORTING_YEAR, Parameters, Report, ReportDefinition, YearSpec

if TYPE_CHECKING:
    from workforce.models import User

#: Modules that register reports; add a line for each new report module.
REPORT_MODULES: tuple[str, ...] = (
    "workforce.reports.training",
    "workforce.reports.capability",
    "workforce.reports.supervision",
    "workforce.reports.caseload",
    "workforce.reports.turnover",
    "workforce.reports.workforce_profile",
    "workforce.reports.asye",
    "workforce.reports.performance",
)

_REGISTRY: dict[str, ReportDefinition] = {}
_loaded = False

Builder = Callable[[Parameters, "User | None"], Report]


def report(
    name: str,
    *,
    title: str,
    description: str,
    roles: tuple[str, ...],
    accepts: tuple[str, ...],
    by_choices: tuple[tuple[str, str], ...] = (),
    year: YearSpec = REPORTING_YEAR,
) -> Callable[[Builder], Builder]:
    """Register the decorated function as the builder of report ``name``."""

    def decorator(build: Builder) -> Builder:
        if name in _REGISTRY and _REGISTRY[name].build is not build:
            raise ValueError(f"a report named {name!r} is registered already")
        _REGISTRY[name] = ReportDefinition(
            name=name,
            title=title,
            description=description,
            roles=roles,
            build=build,
            accepts=frozenset(accepts),
            by_choices=by_choices,
            year=year,
        )
        return build

    return decorator


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in REPORT_MODULES:
            importlib.import_module(module)
        _loaded = True


def get(name: str) -> ReportDefinition | None:
    """The report called ``name``, or None."""
    _load()
    return _REGISTRY.get(name)


def all_reports() -> list[ReportDefinition]:
    """Every report, by name."""
    _load()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def reports_for(user: User | None) -> list[ReportDefinition]:
    """The reports ``user`` may run, by name."""
    return [definition for definition in all_reports() if definition.visible_to(user)]
