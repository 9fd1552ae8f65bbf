"""``flask --app wsgi report NAME --format csv|xlsx|json [--year YYYY | --from DATE --to DATE]
[--team ID] [--on DATE] [--window DAYS] [--by GROUP] [--suppress yes|no] [--scorecard NAME]
[--strategy NAME] [--output FILE]`` and
``flask --app wsgi report --list``.

CSV and JSON go to standard output (CSV without the byte-order mark that files get) unless
``--output`` names a file; XLSX needs
``--output``. Bad parameters exit with code 2 and say what is wrong. Every export is
recorded in the audit trail as made by the command line.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from workforce.audit import set_actor
from workforce.extensions import db
from workforce.reports import check_parameters, record_export, run_report
from workforce.reports.base import ParameterError
from workforce.reports.registry import all_reports, get
from workforce.reports.render import FORMATS, render


def _list_reports() -> None:
    for definition in all_reports():
        takes = []
        if "period" in definition.accepts:
            takes.append("--year YYYY | --from DATE --to DATE")
        if "on" in definition.accepts:
            takes.append("--on DATE")
        if "window" in definition.accepts:
            takes.append("--window DAYS")
        if "team" in definition.accepts:
            takes.append("--team ID")
        if "by" in definition.accepts:
            takes.append("--by " + "|".join(value for value, _ in definition.by_choices))
        if "suppress" in definition.accepts:
            takes.append("--suppress yes|no")
        for name in ("scorecard", "strategy"):
            if name in definition.accepts:
                takes.append(f"--{name} NAME")
        click.echo(f"{definition.name}\t{definition.title}: {definition.description}")
        click.echo(f"\tOptions: {' '.join(takes) or 'none'}")
        if "period" in definition.accepts:
            click.echo(f"\t--year is the {definition.year.description}")


@click.command("report")
@click.argument("name", required=False)
@click.option("--list", "list_reports", is_flag=True, help="Name every report and what it takes.")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(FORMATS)),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option("--year", help="A reporting year, such as 2025 (see --list for each report's year).")
@click.option("--from", "start", help="First day, as YYYY-MM-DD (with --to).")
@click.option("--to", "end", help="Last day, as YYYY-MM-DD (with --from).")
@click.option("--team", help="A team's number (id) or exact name.")
@click.option("--on", help="The date of a snapshot report, as YYYY-MM-DD (default today).")
@click.option("--window", help="Days of warning before mandatory training expires.")
@click.option("--by", help="What each row is, for reports that group (see --list).")
@click.option(
    "--suppress",
    type=click.Choice(["yes", "no"]),
    help='Show counts under 5 as "<5", for wider circulation (reports that take it).',
)
@click.option("--scorecard", help="A scorecard's code or exact name (the scorecard report).")
@click.option("--strategy", help="A strategy's code or exact name (the evaluation-model report).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file; CSV and JSON go to standard output without it.",
)
@with_appcontext
def report_command(
    name: str | None,
    list_reports: bool,
    format_name: str,
    year: str | None,
    start: str | None,
    end: str | None,
    team: str | None,
    on: str | None,
    window: str | None,
    by: str | None,
    suppress: str | None,
    scorecard: str | None,
    strategy: str | None,
    output: Path | None,
) -> None:
    """Export report NAME, or list the reports with --list."""
    if list_reports:
        _list_reports()
        return
    if not name:
        raise click.UsageError("Name a report, or use --list to see them.")
    definition = get(name)
    if definition is None:
        names = ", ".join(d.name for d in all_reports())
        raise click.UsageError(f"There is no report called {name!r}. Reports: {names}")
    if format_name == "xlsx" and output is None:
        raise click.UsageError("XLSX needs --output FILE (it cannot go to standard output).")
    set_actor(None, f"command line: report {name}")
    raw = {
        "year": year,
        "from": start,
        "to": end,
        "team": team,
        "on": on,
        "window": window,
        "by": by,
        "suppress": suppress,
        "scorecard": scorecard,
        "strategy": strategy,
    }
    try:
        params = check_parameters(definition, raw, strict=True)
    except ParameterError as error:
        raise click.UsageError("; ".join(problem.message for problem in error.problems)) from error
    result = run_report(definition, params, viewer=None)
    data = render(result, format_name)
    if output is None:
        # No byte-order mark on a terminal or a pipe; files keep it, for Excel.
        click.echo(data.decode("utf-8").removeprefix("\ufeff"), nl=False)
    else:
        output.write_bytes(data)
    record_export(result, format_name)
    db.session.commit()
    if output is not None:
        click.echo(f"Wrote the {definition.title.lower()} report to {output}", err=True)
