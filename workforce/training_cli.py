"""Command-line tools for the training programme: ``flask --app wsgi training ...``."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup

from workforce.audit import set_actor
from workforce.extensions import db

training_cli = AppGroup("training", help="Training programme tasks.")


@training_cli.command("follow-ups")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Schedule as if today were this date (YYYY-MM-DD); for catching up or testing.",
)
def follow_ups_command(today: datetime | None) -> None:
    """Create the impact follow-ups that have fallen due (safe to run again, e.g. nightly)."""
    from workforce.services.evaluations import schedule_impact_follow_ups

    set_actor(None, "command line: training follow-ups")
    on = today.date() if today is not None else date.today()
    created = schedule_impact_follow_ups(on)
    db.session.commit()
    click.echo(
        f"Impact follow-ups created: {created} (due on or before {on:%d/%m/%Y})."
        if created
        else f"No new impact follow-ups are due on or before {on:%d/%m/%Y}."
    )
