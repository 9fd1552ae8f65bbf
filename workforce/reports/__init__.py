"""Reports: one object per report, shown as a page and exported as CSV, XLSX and JSON,
from the web (``/reports/<name>?format=csv|xlsx|json``) or the command line
(``flask --app wsgi report NAME``).

- ``base``: the ``Report`` object, its columns, and parameter checking;
- ``registry``: every report by name (``@report(...)`` registers a builder);
- ``render``: CSV, XLSX and JSON;
- ``cli``: the ``report`` command;
- one module per family of reports (``training``, ...).
"""

from __future__ import annotations

from collections.abc import Mapping, Sized
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import select

from workforce.audit import record_event
from workforce.collector import collector_paused
from workforce.extensions import db
from workforce.reports.base import Parameters, Report, ReportDefinition, parse_parameters

if TYPE_CHECKING:
    from workforce.models import User

#: Days ahead of expiry that a mandatory course counts as "expiring", unless configured.
DEFAULT_EXPIRY_WARNING_DAYS = 60


def expiry_warning_days() -> int:
    """The configured warning window for expiring mandatory training."""
    return int(current_app.config.get("TRAINING_EXPIRY_WARNING_DAYS", DEFAULT_EXPIRY_WARNING_DAYS))


def find_team(text: str) -> tuple[int, str] | None:
    """A team by number (id) or exact name, as (id, name)."""
    from workforce.models import Team

    text = text.strip()
    condition = Team.id == int(text) if text.isdigit() else Team.name == text
    row = db.session.execute(select(Team.id, Team.name).where(condition)).first()
    return (row[0], row[1]) if row else None


def find_record(parameter: str, text: str) -> tuple[str, str] | None:
    """A scorecard or strategy by code or exact name, as (code, name); the first by name
    for an empty ``text``."""
    from workforce.models import Scorecard, Strategy

    model = {"scorecard": Scorecard, "strategy": Strategy}[parameter]
    query = select(model.code, model.name).order_by(model.name).limit(1)
    text = text.strip()
    if text:
        query = query.where((model.code == text) | (model.name == text))
    row = db.session.execute(query).first()
    return (row[0], row[1]) if row else None


def check_parameters(
    definition: ReportDefinition,
    raw: Mapping[str, Any],
    *,
    strict: bool = False,
    today: date | None = None,
) -> Parameters:
    """Check text parameters for ``definition`` (raises ``base.ParameterError``)."""
    return parse_parameters(
        definition,
        raw,
        today=today or date.today(),
        default_window=expiry_warning_days(),
        team_lookup=find_team,
        record_lookup=find_record,
        strict=strict,
    )


def run_report(definition: ReportDefinition, params: Parameters, viewer: User | None) -> Report:
    """Build the report for ``viewer`` (None: the command line, which sees everything),
    with the cyclic garbage collector paused (``workforce.collector``)."""
    with collector_paused():
        result = definition.build(params, viewer)
    result.parameters = params.as_dict(definition.accepts)
    return result


def record_export(result: Report, format_name: str) -> None:
    """Put the export in the audit trail: which report, with what parameters, in what format.

    The actor (user or command line) is whoever ``workforce.audit`` says is acting. The
    caller commits.
    """
    rows = len(result.rows) if isinstance(result.rows, Sized) else None
    details: dict[str, Any] = {
        "report": result.name,
        "parameters": result.parameters,
        "format": format_name,
    }
    if rows is not None:
        details["rows"] = rows
    record_event(
        "export",
        "Report",
        f"Exported the {result.title.lower()} report ({result.name}) as {format_name.upper()}"
        + (f", {rows} rows" if rows is not None else ""),
        details,
        entity_id=result.name,
    )
