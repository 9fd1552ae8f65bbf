"""Command-line tools: ``flask --app wsgi users|seed|import|frameworks ...``."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from workforce.audit import set_actor
from workforce.extensions import db
from workforce.models import ROLES
from workforce.scale import MAX_STAFF, MAX_YEARS, MIN_STAFF, PRESETS

users_cli = AppGroup("users", help="Manage accounts.")
seed_cli = AppGroup("seed", help="Load reference data or a demo authority.")
import_cli = AppGroup("import", help="Import records from files.")
frameworks_cli = AppGroup("frameworks", help="Import and export capability frameworks.")
export_cli = AppGroup("export", help="Export returns to files.")


def _as_cli(command: str) -> None:
    set_actor(None, f"command line: {command}")


@users_cli.command("create")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(sorted(ROLES)),
    help="A role to hold; repeat for several.",
)
@click.option("--password", help="At least 12 characters. Asked for when left out.")
@click.option("--staff-number", help="Link the account to this staff record.")
def create_user_command(
    email: str, roles: tuple[str, ...], password: str | None, staff_number: str | None
) -> None:
    """Create an account for EMAIL."""
    from workforce.services import ServiceError
    from workforce.services.accounts import create_user
    from workforce.services.people import find_staff_by_number

    _as_cli("users create")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    staff = None
    if staff_number:
        staff = find_staff_by_number(staff_number)
        if staff is None:
            raise click.ClickException(f"No staff record has staff number {staff_number}")
    try:
        user = create_user(email, password, roles, staff=staff)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {user.email} with roles: {', '.join(sorted(user.roles))}")


@seed_cli.command("reference")
def seed_reference_command() -> None:
    """Load the code lists, frameworks, training lists and (when there are none) supervision
    policies from seeds/ (safe to run again)."""
    from workforce.services.asye import load_default_programme
    from workforce.services.caseloads import load_caseload_defaults
    from workforce.services.frameworks import load_shipped_frameworks
    from workforce.services.performance_seed import PerformanceSeedError, load_performance_seeds
    from workforce.services.reference import load_code_lists
    from workforce.services.supervision import load_default_policies
    from workforce.services.training_lists import load_training_lists

    _as_cli("seed reference")
    counts = load_code_lists()
    frameworks = load_shipped_frameworks()
    added = load_training_lists()
    policies = load_default_policies()
    case_types, schemes = load_caseload_defaults()
    programmes = load_default_programme()
    try:
        performance = load_performance_seeds()
    except PerformanceSeedError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo("Loaded code lists: " + ", ".join(f"{k} ({v})" for k, v in counts.items()))
    click.echo("Loaded frameworks: " + ", ".join(frameworks))
    click.echo("Added to training lists: " + ", ".join(f"{k} ({v})" for k, v in added.items()))
    click.echo(
        f"Supervision policies: {policies} added"
        if policies
        else "Supervision policies: kept as they are"
    )
    click.echo(
        f"Caseload weighting: {case_types} case types and {schemes} scheme added"
        if case_types or schemes
        else "Caseload weighting: kept as it is"
    )
    click.echo(
        "ASYE programme: the default added" if programmes else "ASYE programme: kept as it is"
    )
    click.echo(
        f"Performance: {performance['measures']} measures, {performance['strategies']} "
        f"evaluation model(s) and {performance['scorecards']} scorecard(s) added"
        if any(performance.values())
        else "Performance: kept as it is"
    )


@seed_cli.command("demo")
@click.option(
    "--seed",
    "random_seed",
    default=2026,
    show_default=True,
    help="Random seed; the same seed builds the same authority.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing if any staff record exists.")
@click.option(
    "--staff",
    type=click.IntRange(MIN_STAFF, MAX_STAFF),
    help="Generate an authority of this many posts instead (the scale generator; needs a "
    "database without staff).",
)
@click.option(
    "--years",
    type=click.IntRange(1, MAX_YEARS),
    help="Years of history of the generated authority (with --staff; default 5).",
)
@click.option(
    "--preset",
    type=click.Choice(sorted(PRESETS)),
    help="A generated authority of a named size: county (5,000 staff, 5 years) or national "
    "(50,000 staff, 10 years).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Build the generated authority as if today were this date (YYYY-MM-DD; with "
    "--staff or --preset): the same seed and date build the same authority.",
)
def seed_demo_command(
    random_seed: int,
    if_empty: bool,
    staff: int | None,
    years: int | None,
    preset: str | None,
    today: datetime | None,
) -> None:
    """Build a realistic demo authority with one account per role (hand-made, about 300
    staff), or, with --staff or --preset, a generated one of any size."""
    from workforce.demo import build_demo, demo_present
    from workforce.services.reference import load_code_lists

    if preset and (staff is not None or years is not None):
        raise click.UsageError(
            "--preset sets the staff and the years: give --preset, or --staff (and --years), "
            "not both"
        )
    if years is not None and staff is None:
        raise click.UsageError("--years goes with --staff (or use --preset)")
    if today is not None and staff is None and preset is None:
        raise click.UsageError("--today goes with --staff or --preset")
    if staff is not None or preset is not None:
        _seed_scale(random_seed, if_empty, staff, years, preset, today.date() if today else None)
        return
    _as_cli("seed demo")
    if if_empty and demo_present():
        click.echo("Staff records exist already; demo data not loaded again.")
        return
    from workforce.services.frameworks import load_shipped_frameworks
    from workforce.services.training_lists import load_training_lists

    load_code_lists()
    load_shipped_frameworks()
    load_training_lists()
    summary = build_demo(random_seed)
    db.session.commit()
    click.echo(summary)


def _seed_scale(
    random_seed: int,
    if_empty: bool,
    staff: int | None,
    years: int | None,
    preset: str | None,
    today: date | None,
) -> None:
    """``seed demo --staff N [--years Y]`` or ``--preset NAME``: the scale generator."""
    from workforce.demo import demo_present
    from workforce.scale import build_scale

    staff, years = PRESETS[preset] if preset else (staff or 0, years or 5)
    _as_cli(f"seed demo --staff {staff} --years {years} --seed {random_seed}")
    if demo_present():
        if if_empty:
            click.echo("Staff records exist already; demo data not loaded again.")
            return
        raise click.ClickException(
            "Staff records exist already: the scale generator needs a database without staff "
            "(or add --if-empty to skip without an error)"
        )
    click.echo(f"Generating an authority of {staff:,} staff with {years} years of history...")
    try:
        summary = build_scale(
            staff,
            years,
            random_seed,
            today,
            progress=lambda step: click.echo(f"  {step}", err=True),
        )
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(str(summary))
    for line in summary.table():
        click.echo(line)


@import_cli.command("staff")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
def import_staff_command(path: Path, dry_run: bool) -> None:
    """Import staff and employment spells from a CSV or XLSX file (upsert by staff number)."""
    from workforce.services.staff_import import apply_import, plan_import, read_table

    _as_cli(f"import staff {path.name}")
    try:
        table = read_table(path.read_bytes(), path.name)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    plan = plan_import(table)
    if plan.errors:
        click.echo(f"{len(plan.errors)} problem(s) found; nothing was imported:", err=True)
        for problem in plan.errors:
            click.echo(f"  row {problem.row}, {problem.column}: {problem.message}", err=True)
        sys.exit(1)
    click.echo(plan.describe())
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    apply_import(plan, source=path.name)
    db.session.commit()
    click.echo("Imported.")


@import_cli.command("attendance")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--session",
    "session_id",
    type=int,
    help="The session whose register this is; without it, each row names its session_id.",
)
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
def import_attendance_command(path: Path, session_id: int | None, dry_run: bool) -> None:
    """Import attendance registers from a CSV or XLSX file (all or nothing)."""
    from workforce.services.attendance_import import (
        apply_attendance_import,
        plan_attendance_import,
    )
    from workforce.services.tabular import read_table

    _as_cli(f"import attendance {path.name}")
    try:
        table = read_table(path.read_bytes(), path.name)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    plan = plan_attendance_import(table, session_id=session_id)
    if plan.errors:
        click.echo(f"{len(plan.errors)} problem(s) found; nothing was imported:", err=True)
        for problem in plan.errors:
            click.echo(f"  row {problem.row}, {problem.column}: {problem.message}", err=True)
        sys.exit(1)
    click.echo(plan.describe())
    if dry_run:
        click.echo("Dry run: nothing written.")
        return
    completed = apply_attendance_import(plan, source=path.name)
    db.session.commit()
    if completed:
        click.echo("Sessions now completed: " + ", ".join(str(i) for i in completed))
    click.echo("Imported.")


@frameworks_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
def frameworks_import_command(path: Path, dry_run: bool) -> None:
    """Import a framework from a YAML or CSV file (all or nothing; updates by code)."""
    from workforce.services.framework_io import (
        MAX_FILE_BYTES,
        apply_framework_import,
        check_framework_file,
    )

    _as_cli(f"frameworks import {path.name}")
    with path.open("rb") as handle:
        content = handle.read(MAX_FILE_BYTES + 1)
    plan = check_framework_file(content, path.name)
    if plan.errors:
        db.session.rollback()
        where = "line" if path.suffix.lower() in (".yaml", ".yml") else "row"
        click.echo(f"{len(plan.errors)} problem(s) found; nothing was imported:", err=True)
        for problem in plan.errors:
            place = f"{where} {problem.row}, " if problem.row else ""
            click.echo(f"  {place}{problem.column}: {problem.message}", err=True)
        sys.exit(1)
    click.echo(plan.describe())
    if dry_run or (not plan.is_new and not plan.changes):
        db.session.rollback()
        click.echo("Dry run: nothing written." if dry_run else "Nothing written.")
        return
    apply_framework_import(plan, source=path.name)
    db.session.commit()
    click.echo("Imported.")


@frameworks_cli.command("export")
@click.argument("code")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of the standard output.",
)
def frameworks_export_command(code: str, fmt: str, output: Path | None) -> None:
    """Export the framework with code CODE as YAML or CSV."""
    from workforce.audit import record_event
    from workforce.services.framework_io import export_framework, find_framework

    _as_cli(f"frameworks export {code}")
    framework = find_framework(code)
    if framework is None:
        raise click.ClickException(f"No framework has the code {code}")
    text, _, _ = export_framework(framework, fmt)
    record_event(
        "export",
        "Framework",
        f"Exported framework {framework.code} as {fmt.upper()}",
        {"format": fmt, "output": str(output) if output else "standard output"},
        entity_id=str(framework.id),
    )
    db.session.commit()
    if output is None:
        click.echo(text.removeprefix("\ufeff"), nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {framework.code} to {output}", err=True)


@export_cli.command("census")
@click.option(
    "--year", type=int, required=True, help="Census year: 1 October YYYY-1 to 30 September YYYY."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="The file to write.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["xml", "csv"]), default="xml", show_default=True
)
@click.option(
    "--accept-warnings",
    is_flag=True,
    help="Export although warnings (optional fields missing) remain; errors always stop it.",
)
def export_census_command(year: int, output: Path, fmt: str, accept_warnings: bool) -> None:
    """Export the DfE children's social work workforce census return for --year as XML
    (validated against the DfE schema) or CSV, after the pre-submission check."""
    from workforce.services import ServiceError
    from workforce.services.census import CensusNotReady, export_return

    _as_cli(f"export census --year {year}")
    if not 2000 <= year <= 2200:
        raise click.UsageError("The year must be four digits, like 2024")
    try:
        content, result = export_return(year, fmt, accept_warnings=accept_warnings)
    except CensusNotReady as error:
        db.session.rollback()
        click.echo(f"{error.message}. Nothing was written.", err=True)
        for problem in error.problems:
            who = f"{problem.name} ({problem.staff_number})" if problem.staff_id else problem.name
            click.echo(f"  {problem.severity}: {who}, {problem.field}: {problem.message}", err=True)
        sys.exit(1)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    output.write_bytes(content)
    db.session.commit()
    click.echo(
        f"Wrote {len(result.records)} records for {year} to {output}"
        + (f" ({len(result.warnings)} warnings accepted)" if result.warnings else ""),
        err=True,
    )


@import_cli.command("census")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and show what would change; write nothing.")
@click.option(
    "--team", help="Team (number or exact name) for new spells; default: a team for them."
)
def import_census_command(path: Path, dry_run: bool, team: str | None) -> None:
    """Import a previous year's census return (XML, 2022 schema): people matched by Social
    Work England number; all or nothing."""
    from workforce.reports import find_team
    from workforce.services import ServiceError
    from workforce.services.census import apply_census_import, plan_census_import, read_upload

    _as_cli(f"import census {path.name}")
    team_id = None
    if team:
        found = find_team(team)
        if found is None:
            raise click.ClickException(f"There is no team {team!r}")
        team_id = found[0]
    plan = plan_census_import(read_upload(path))
    if plan.problems:
        db.session.rollback()
        click.echo(f"{len(plan.problems)} problem(s) found; nothing was imported:", err=True)
        for problem in plan.problems:
            click.echo(f"  line {problem.line}: {problem.message}", err=True)
        sys.exit(1)
    click.echo(plan.describe())
    for change in plan.changes:
        click.echo(
            f"  {change.swe_number} ({change.staff_number}) {change.field}: "
            f"{change.old} -> {change.new}"
        )
    if dry_run or not plan.changes_anything:
        db.session.rollback()
        click.echo("Dry run: nothing written." if dry_run else "Nothing to change.")
        return
    try:
        apply_census_import(plan, source=path.name, team_id=team_id)
    except ServiceError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo("Imported.")


def register(app: Flask) -> None:
    """Add the command groups to ``app``."""
    from workforce.reports.cli import report_command
    from workforce.training_cli import training_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(frameworks_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(report_command)
    app.cli.add_command(training_cli)
