"""The scale generator: a whole authority of any size, for benchmarks and load tests.

``flask --app wsgi seed demo --staff N --years Y`` (or ``--preset county|national``) calls
``build_scale``. It loads the reference data (as ``seed reference`` does), then generates
one coherent authority, deterministic for its seed, with dates relative to ``today``:

- ``people``: teams with their managers, staff with employment spells over ``years`` years
  (joiners, movers and leavers, census fields), each team's establishment and absences;
- ``accounts``: the hand-made demo's six accounts (same emails and password) linked to
  generated people, and an account for each manager;
- ``training``: the catalogue, sessions over the years, bookings and registers,
  evaluations, impact follow-ups, CPD entries;
- ``supervision``: two years of sessions under the shipped policies, with group sessions,
  cancellations, actions and audits;
- ``caseload``: two years of monthly snapshots with their counts and stored totals;
- ``capability``: role profiles and two years of appraisals and other assessments;
- ``asye``: an enrolment for every newly qualified starter;
- and the hand-made demo's performance data (targets, figures, the Northbrook scorecard).

Bulk rows go in through ``writer.BulkWriter`` (PostgreSQL ``COPY``, SQLite
``executemany``), streamed from generators in batches so memory stays bounded at national
scale; one audit event describes the load. The caller commits.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from workforce.audit import record_event
from workforce.extensions import db
from workforce.models import Staff, Team

#: Named sizes: (posts, years of history).
PRESETS: dict[str, tuple[int, int]] = {"county": (5_000, 5), "national": (50_000, 10)}
MIN_STAFF = 100
MAX_STAFF = 500_000
MAX_YEARS = 20


@dataclass
class ScaleSummary:
    """What a scale build wrote and how fast."""

    staff: int
    years: int
    seed: int
    today: date
    teams: int = 0
    people: int = 0
    in_post: int = 0
    #: Rows written in bulk per table, in the order written.
    rows: dict[str, int] = field(default_factory=dict)
    #: Each step of the build (a domain): seconds (generation and writing together) and
    #: rows written.
    steps: dict[str, tuple[float, int]] = field(default_factory=dict)
    #: Seconds for the whole load (reference data, generation and writing together).
    elapsed: float = 0.0
    #: Seconds refreshing PostgreSQL's statistics after the load (not in ``elapsed``).
    analysed: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def rate(self) -> float:
        """Rows written per second over the whole load."""
        return self.total / self.elapsed if self.elapsed else 0.0

    def table(self) -> list[str]:
        """Rows written per table, then each step's seconds and rows per second, as lines
        of text."""
        lines = [f"{'table':<28}{'rows':>12}"]
        lines += [f"{name:<28}{count:>12,}" for name, count in self.rows.items()]
        lines += ["", f"{'step':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}"]
        for name, (seconds, count) in self.steps.items():
            rate = f"{count / seconds:>12,.0f}" if seconds > 0 and count else f"{'':>12}"
            lines.append(f"{name:<28}{count:>12,}{seconds:>10.1f}{rate}")
        lines.append(f"{'total':<28}{self.total:>12,}{self.elapsed:>10.1f}{self.rate:>12,.0f}")
        if self.analysed >= 0.05:
            lines.append(f"(then ANALYZE: {self.analysed:.1f} s)")
        return lines

    def __str__(self) -> str:
        return (
            f"Scale authority built: {self.people:,} staff records ({self.in_post:,} in post "
            f"today) in {self.teams:,} teams over {self.years} years, seed {self.seed}; "
            f"{self.total:,} rows in {self.elapsed:.1f} s ({self.rate:,.0f} rows/s)"
        )


def load_reference() -> None:
    """The reference data ``seed reference`` loads (each part skipped when present)."""
    from workforce.services.asye import load_default_programme
    from workforce.services.caseloads import load_caseload_defaults
    from workforce.services.frameworks import load_shipped_frameworks
    from workforce.services.performance_seed import load_performance_seeds
    from workforce.services.reference import load_code_lists
    from workforce.services.supervision import load_default_policies
    from workforce.services.training_lists import load_training_lists

    load_code_lists()
    load_shipped_frameworks()
    load_training_lists()
    load_default_policies()
    load_caseload_defaults()
    load_default_programme()
    load_performance_seeds()
    db.session.flush()


def build_scale(
    staff: int,
    years: int,
    seed: int = 2026,
    today: date | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> ScaleSummary:
    """Generate the authority into an empty database; return what was written. The caller
    commits (or rolls back)."""
    from workforce.demo_performance import build_performance_demo
    from workforce.scale.accounts import write_accounts
    from workforce.scale.asye import write_asye
    from workforce.scale.capability import write_capability
    from workforce.scale.caseload import write_caseloads
    from workforce.scale.people import (
        build_population,
        write_absences,
        write_establishment,
        write_people,
    )
    from workforce.scale.supervision import write_supervision
    from workforce.scale.training import write_training
    from workforce.scale.writer import BulkWriter

    if not MIN_STAFF <= staff <= MAX_STAFF:
        raise ValueError(f"--staff must be from {MIN_STAFF:,} to {MAX_STAFF:,}")
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(f"--years must be from 1 to {MAX_YEARS}")
    held = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Team, Staff)
    }
    if any(held.values()):
        raise ValueError(
            "The scale generator needs a database without teams or staff; this one holds "
            + " and ".join(f"{count:,} {table} records" for table, count in held.items() if count)
        )
    today = today or date.today()
    say = progress or (lambda _: None)
    started = time.perf_counter()
    summary = ScaleSummary(staff=staff, years=years, seed=seed, today=today)

    writer: BulkWriter | None = None
    marks: list[tuple[str, float, int]] = []

    def step(label: str) -> None:
        """Close the step under way and start ``label``."""
        marks.append((label, time.perf_counter(), writer.total if writer else 0))
        if len(marks) > 1:
            name, began, rows = marks[-2]
            summary.steps[name] = (marks[-1][1] - began, marks[-1][2] - rows)
        if label != "done":
            say(label)

    step("reference data")
    load_reference()
    step("people")
    population = build_population(staff, years, seed, today)
    writer = BulkWriter(db.session.connection())
    write_people(writer, population, seed)
    step("accounts and establishment")
    accounts = write_accounts(writer, population)
    write_establishment(writer, population, seed)
    step("absences")
    write_absences(writer, population, seed)
    step("training")
    write_training(writer, population, seed)
    step("supervision")
    write_supervision(writer, population, accounts, seed, years)
    step("caseloads")
    write_caseloads(writer, population, seed, years)
    step("capability")
    write_capability(writer, population, accounts, seed, years)
    step("ASYE")
    write_asye(writer, population, accounts, seed)
    step("performance and sequences")
    build_performance_demo(random.Random(seed), today)
    db.session.flush()
    writer.finish()
    step("done")
    marks.pop()

    summary.teams = len(population.teams)
    summary.people = len(population.people)
    summary.in_post = population.in_post_today()
    summary.rows = dict(writer.rows)
    record_event(
        "import",
        "Staff",
        f"Scale authority generated: {summary.people:,} staff records in {summary.teams:,} "
        f"teams over {years} years (seed {seed}), {summary.total:,} rows in bulk",
        {"staff": staff, "years": years, "seed": seed, "today": today.isoformat(),
         "rows": summary.rows},
    )  # fmt: skip
    db.session.flush()
    summary.elapsed = time.perf_counter() - started
    if writer.postgres:
        say("statistics (ANALYZE)")
    analysed = time.perf_counter()
    writer.analyse()
    summary.analysed = time.perf_counter() - analysed
    return summary


__all__ = ["PRESETS", "ScaleSummary", "build_scale", "load_reference"]
