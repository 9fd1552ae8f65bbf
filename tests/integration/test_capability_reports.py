"""The capability reports computed on small hand-built data, checked against hand counts.

The world (``build_world``): a framework CAPTEST with domains Practice, Partnership and
Leadership and levels 1 "Does not supervise" and 2 "Supervises others". Role profiles: census
role 5 (case holder) → level 1; role 3 (first line manager) → level 2; role 4 matches none.
Everyone starts on 6 January 2020.

- boss (Alpha, role 3, expected level 2): appraisal 1 December 2024 at level 1, all meets
  (a lower level: all below expectation). A supervisor account is linked to boss.
- a1 (Alpha, managed by boss): appraisal 10 May 2025 (meets, developing, exceeds), then a
  supervisor assessment 1 November 2025 (developing, meets, meets); a self-assessment
  1 December 2025 (all exceeds) and a draft 10 January 2026 (all not yet evident), neither
  counting.
- a2 (Alpha, managed by boss): appraisal 1 June 2025 at level 2 (higher): developing, meets,
  not yet evident, so Practice and Leadership are "not assessed at the expected level".
- a3 (Alpha, managed by boss): only a self-assessment, 1 September 2025: never assessed.
- b1 (Beta, line-managed by boss): appraisal 2 April 2025 and ASYE review 1 August 2025,
  all meets.
- b2 (Beta, role 4: no profile): appraisal 1 July 2025.
- leaver (Alpha, left 31 October 2025): appraisal 1 May 2025.
- mover (Alpha to 31 August 2025, then Beta): appraisal 15 July 2025 (in Alpha), all meets;
  supervisor assessment 1 October 2025 (in Beta): not yet evident, meets, developing.

Capability gaps on 15 January 2026 (everyone): seven people in post (leaver gone); six with
a profile, 18 domain judgements, 7 meeting. Per domain (meets / below / not assessed):
Practice 1/3/2, Partnership 4/1/1, Leadership 2/2/2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    Assessment,
    AssessmentRating,
    EmploymentSpell,
    RoleProfile,
    Staff,
)
from workforce.reports import run_report
from workforce.reports.base import Parameters
from workforce.reports.capability import NO_PROFILE, NO_TEAM, buckets
from workforce.reports.registry import get
from workforce.reports.render import json_document
from workforce.services.capability import ProfileDetails, person_gaps, save_profile

ON = date(2026, 1, 15)
YEAR_2025 = {"start": date(2025, 4, 1), "end": date(2026, 3, 31), "year": 2025}
R = {"n": "not_yet_evident", "d": "developing", "m": "meets", "e": "exceeds"}


def assess(
    world: dict[str, Any],
    who: str,
    day: date,
    kind: str,
    ratings: str,
    *,
    level: int = 1,
    status: str = "signed_off",
) -> Assessment:
    """An assessment of ``who`` rating the three domains in order ("mdm": meets, developing,
    meets), at ``level`` (1 or 2)."""
    assessment = Assessment(
        staff_id=world["people"][who].id,
        framework_id=world["framework"].id,
        level_id=world["levels"][level - 1].id,
        kind=kind,
        assessed_on=day,
        assessor_id=world["assessor"].id,
        status=status,
        signed_off_at=datetime(2026, 1, 1, tzinfo=UTC) if status == "signed_off" else None,
    )
    assessment.ratings = [
        AssessmentRating(domain_id=domain.id, rating=R[letter], evidence="Seen in practice")
        for domain, letter in zip(world["domains"], ratings, strict=True)
    ]
    db.session.add(assessment)
    db.session.flush()
    return assessment


def build_world() -> dict[str, Any]:
    """The world in the module docstring (committed)."""
    alpha = builders.make_team("Alpha")
    beta = builders.make_team("Beta")
    framework = builders.make_framework("CAPTEST")
    levels = framework.levels
    boss = builders.make_staff(alpha, first_name="Bea", last_name="Boss", org_role="3")
    people = {
        "boss": boss,
        "a1": builders.make_staff(alpha, first_name="Ann", last_name="Adams", manager=boss),
        "a2": builders.make_staff(alpha, first_name="Ben", last_name="Baker", manager=boss),
        "a3": builders.make_staff(alpha, first_name="Cat", last_name="Cole", manager=boss),
        "b1": builders.make_staff(beta, first_name="Eve", last_name="Evans", manager=boss),
        "b2": builders.make_staff(beta, first_name="Fay", last_name="Ford", org_role="4"),
        "leaver": builders.make_staff(
            alpha,
            first_name="Hal",
            last_name="Hill",
            end=date(2025, 10, 31),
            leaving_reason="1",
        ),
        "mover": builders.make_staff(
            alpha, first_name="Gus", last_name="Green", end=date(2025, 8, 31), manager=boss
        ),
    }
    db.session.add(
        EmploymentSpell(
            staff_id=people["mover"].id,
            post_title="Social worker",
            org_role="5",
            grade="SW2",
            contracted_hours=Decimal("37"),
            standard_hours=Decimal("37"),
            contract_type="permanent",
            team_id=beta.id,
            start_date=date(2025, 9, 1),
        )
    )
    save_profile(
        None,
        ProfileDetails("Case holder", framework.id, levels[0].id, org_role="5"),
    )
    save_profile(
        None,
        ProfileDetails("First line manager", framework.id, levels[1].id, org_role="3"),
    )
    db.session.commit()
    world: dict[str, Any] = {
        "alpha": alpha,
        "beta": beta,
        "framework": framework,
        "levels": levels,
        "domains": framework.domains,
        "people": people,
        "assessor": builders.make_user("hr"),
        "supervisor": builders.make_user("supervisor", staff=boss),
    }
    assess(world, "boss", date(2024, 12, 1), "appraisal", "mmm", level=1)
    assess(world, "a1", date(2025, 5, 10), "appraisal", "mde")
    assess(world, "a1", date(2025, 11, 1), "supervisor", "dmm")
    assess(world, "a1", date(2025, 12, 1), "self", "eee")
    assess(world, "a1", date(2026, 1, 10), "appraisal", "nnn", status="draft")
    assess(world, "a2", date(2025, 6, 1), "appraisal", "dmn", level=2)
    assess(world, "a3", date(2025, 9, 1), "self", "mmm")
    assess(world, "b1", date(2025, 4, 2), "appraisal", "mmm")
    assess(world, "b1", date(2025, 8, 1), "asye_review", "mmm")
    assess(world, "b2", date(2025, 7, 1), "appraisal", "mmm")
    assess(world, "leaver", date(2025, 5, 1), "appraisal", "mmm")
    assess(world, "mover", date(2025, 7, 15), "appraisal", "mmm")
    assess(world, "mover", date(2025, 10, 1), "supervisor", "nmd")
    db.session.commit()
    return world


@pytest.fixture
def world(db_session: Any) -> dict[str, Any]:
    return build_world()


def run(name: str, viewer: Any = None, **values: Any) -> Any:
    return run_report(get(name), Parameters(**values), viewer)


def by_name(result: Any) -> dict[str, dict[str, Any]]:
    return {row["name"].split(",")[0]: row for row in result.rows}


# --- capability gaps -------------------------------------------------------------------


def test_gaps_rows_judge_each_persons_latest_ratings(world):
    result = run("capability-gaps", on=ON)
    assert [r["name"] for r in result.rows] == [
        "Adams, Ann",
        "Baker, Ben",
        "Boss, Bea",
        "Cole, Cat",
        "Evans, Eve",
        "Ford, Fay",
        "Green, Gus",
    ]  # by team (Alpha, Beta), then name; the leaver has gone
    rows = by_name(result)
    figures = ("last_assessed", "domains", "meeting", "below", "below_domains", "not_assessed")

    def values(name: str) -> tuple[Any, ...]:
        return tuple(rows[name][key] for key in figures)

    assert values("Adams") == (date(2025, 11, 1), 3, 2, 1, "Practice", 0)
    assert values("Baker") == (date(2025, 6, 1), 3, 1, 0, "", 2)
    assert values("Boss") == (date(2024, 12, 1), 3, 0, 3, "Practice; Partnership; Leadership", 0)
    assert values("Cole") == (None, 3, 0, 0, "", 3)
    assert values("Evans") == (date(2025, 8, 1), 3, 3, 0, "", 0)
    assert values("Green") == (date(2025, 10, 1), 3, 1, 2, "Practice; Leadership", 0)
    ford = rows["Ford"]
    assert (ford["role_profile"], ford["last_assessed"], ford["meeting"]) == (
        NO_PROFILE,
        date(2025, 7, 1),
        None,
    )
    assert rows["Green"]["team"] == "Beta"  # the team of the spell in force on the date
    assert rows["Boss"]["role_profile"] == "First line manager"
    assert rows["Boss"]["level"] == "Supervises others"
    assert rows["Adams"]["framework"] == "Test capabilities"
    assert rows["Adams"]["staff_number"] == world["people"]["a1"].staff_number
    assert rows["Adams"]["post"] == "Social worker"


def test_gaps_summary_and_domain_counts(world):
    result = run("capability-gaps", on=ON)
    assert result.summary == {
        "people": 7,
        "people_with_gap": 3,
        "never_assessed": 1,
        "unprofiled": 1,
        "judgements": 18,
        "judgements_meeting": 7,
        "judgements_meeting_rate": Decimal("0.3889"),
    }
    ((section),) = result.sections
    assert [
        (r["domain"], r["expected"], r["meeting"], r["below"], r["not_assessed"], r["meeting_rate"])
        for r in section.rows
    ] == [
        ("Practice", 6, 1, 3, 2, Decimal("0.1667")),
        ("Partnership", 6, 4, 1, 1, Decimal("0.6667")),
        ("Leadership", 6, 2, 2, 2, Decimal("0.3333")),
    ]
    assert result.chart is not None and result.chart.table == "by_domain"


def test_gaps_on_an_earlier_date_use_the_ratings_known_then(world):
    result = run("capability-gaps", on=date(2025, 9, 1))
    rows = by_name(result)
    assert "Hill" in rows  # the leaver was still in post
    assert rows["Adams"]["below_domains"] == "Partnership"  # the May appraisal is the latest
    assert rows["Adams"]["last_assessed"] == date(2025, 5, 10)
    assert rows["Green"]["team"] == "Beta"  # moved that day
    assert rows["Green"]["meeting"] == 3


def test_gaps_for_one_team(world):
    result = run("capability-gaps", on=ON, team_id=world["alpha"].id)
    assert [r["name"] for r in result.rows] == [
        "Adams, Ann",
        "Baker, Ben",
        "Boss, Bea",
        "Cole, Cat",
    ]
    assert result.summary["people"] == 4
    assert result.summary["people_with_gap"] == 2
    assert result.summary["judgements_meeting_rate"] == Decimal("0.25")
    assert [r["expected"] for r in result.sections[0].rows] == [4, 4, 4]


def test_a_supervisor_sees_only_the_people_they_manage(world):
    result = run("capability-gaps", viewer=world["supervisor"], on=ON)
    # Their team and a report in another team; not their own record.
    assert sorted(by_name(result)) == ["Adams", "Baker", "Cole", "Evans"]
    assert result.summary["people"] == 4
    assert result.summary["people_with_gap"] == 1
    assert result.summary["judgements_meeting"] == 6
    assert [r["expected"] for r in result.sections[0].rows] == [4, 4, 4]
    everyone = run("capability-gaps", viewer=builders.make_user("ld_officer"), on=ON)
    assert everyone.summary["people"] == 7


def test_gaps_never_export_evidence(world):
    document = json_document(run("capability-gaps", on=ON))
    assert "Seen in practice" not in str(document)
    assert list(document) == ["report", "parameters", "generated_at", "columns", "rows", "summary"]
    assert document["parameters"] == {"on": "2026-01-15", "team": None, "team_name": None}
    assert document["summary"]["judgements_meeting_rate"] == 0.3889
    assert document["summary"]["by_domain"][0] == {
        "domain": "Practice",
        "framework": "Test capabilities",
        "expected": 6,
        "meeting": 1,
        "below": 3,
        "not_assessed": 2,
        "meeting_rate": 0.1667,
    }
    first = document["rows"][0]
    assert "_staff_id" not in first
    assert first["last_assessed"] == "2025-11-01"


def test_gaps_with_no_role_profiles_lists_everyone_unprofiled(world):
    for profile in db.session.scalars(select(RoleProfile)):
        profile.active = False
    db.session.commit()
    result = run("capability-gaps", on=ON)
    assert result.summary["unprofiled"] == 7
    assert result.summary["judgements_meeting_rate"] is None
    assert result.sections[0].rows == []


def rate_big(
    world: dict[str, Any], day: date, kind: str, ratings: dict[str, str], *, level: int = 1
) -> None:
    """An assessment of Fay Ford (b2) in the world's big framework, rating the domains
    named ("D02": "m")."""
    big = world["big"]
    assessment = Assessment(
        staff_id=world["people"]["b2"].id,
        framework_id=big.id,
        level_id=big.levels[level - 1].id,
        kind=kind,
        assessed_on=day,
        assessor_id=world["assessor"].id,
        status="signed_off",
        signed_off_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    named = {domain.name: domain for domain in big.domains}
    assessment.ratings = [
        AssessmentRating(domain_id=named[name].id, rating=R[letter])
        for name, letter in ratings.items()
    ]
    db.session.add(assessment)
    db.session.commit()


def test_gaps_take_each_domains_latest_rating_from_any_assessment(world):
    """Each domain's latest rating may come from a different assessment, given at another
    level; same-day assessments go by the later one; an assessment rating only a retired
    domain still dates "last assessed"; and a framework of 70 domains needs two words of
    bits in the database. Every row agrees with the person page's ``person_gaps``."""
    names = tuple(f"D{n:02d}" for n in range(1, 72))
    big = builders.make_framework("BIG", domains=names)
    retired = big.domains[-1]
    retired.retired = True  # D71
    db.session.commit()
    world["big"] = big
    save_profile(None, ProfileDetails("Other role", big.id, big.levels[0].id, org_role="4"))
    db.session.commit()
    rate_big(world, date(2025, 3, 1), "appraisal", {"D01": "m", "D65": "d", "D69": "d", "D70": "m"})
    rate_big(world, date(2025, 4, 1), "appraisal", {"D65": "d", "D66": "e"}, level=2)
    rate_big(world, date(2025, 5, 1), "supervisor", {"D70": "n", "D02": "m"})
    rate_big(world, date(2025, 5, 1), "appraisal", {"D02": "d"})  # later the same day
    rate_big(world, date(2025, 9, 1), "appraisal", {"D71": "m"})  # a retired domain only

    result = run("capability-gaps", on=ON)
    ford = by_name(result)["Ford"]
    figures = ("role_profile", "last_assessed", "domains", "meeting", "below", "not_assessed")
    # D01 and D66 (exceeds at a higher level) meet; D02 (developing, the later of 1 May),
    # D69 and D70 (not yet evident on 1 May) are below; D65 was rated at a higher level.
    assert tuple(ford[key] for key in figures) == ("Other role", date(2025, 9, 1), 70, 2, 3, 65)
    assert ford["below_domains"] == "D02; D69; D70"
    earlier = by_name(run("capability-gaps", on=date(2025, 4, 15)))["Ford"]
    # D01, D66 and D70 (not yet rated again) meet; D69 is below
    assert (earlier["last_assessed"], earlier["meeting"], earlier["below"]) == (
        date(2025, 4, 1),
        3,
        1,
    )
    assert earlier["below_domains"] == "D69"
    db.session.expire_all()
    for row in result.rows:
        gaps = person_gaps(db.session.get(Staff, row["_staff_id"]), ON)
        assert row["last_assessed"] == gaps.last_assessed
        if gaps.profile is None:
            assert row["role_profile"] == NO_PROFILE
            continue
        assert (row["domains"], row["meeting"], row["below"]) == (
            len(gaps.domains),
            gaps.meeting,
            len(gaps.gaps),
        ), row["name"]
        assert row["below_domains"] == "; ".join(d.domain.name for d in gaps.gaps)


def test_gaps_with_every_domain_retired_still_date_the_last_assessment(world):
    for domain in world["domains"]:  # the test framework's own (never the shipped ones)
        domain.retired = True
    db.session.commit()
    result = run("capability-gaps", on=ON)
    rows = by_name(result)
    assert (rows["Adams"]["last_assessed"], rows["Adams"]["domains"]) == (date(2025, 11, 1), 0)
    assert rows["Cole"]["last_assessed"] is None
    assert result.summary["judgements"] == 0
    assert result.summary["never_assessed"] == 1


# --- appraisals ------------------------------------------------------------------------

KINDS = ("appraisal", "supervisor", "asye_review", "self", "total", "people_assessed")


def counts(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[key] for key in KINDS)


def test_buckets_follow_months_and_calendar_quarters():
    months = buckets(date(2025, 4, 15), date(2025, 6, 10), "month")
    assert [(b.label, b.start, b.end) for b in months] == [
        ("April 2025", date(2025, 4, 15), date(2025, 4, 30)),
        ("May 2025", date(2025, 5, 1), date(2025, 5, 31)),
        ("June 2025", date(2025, 6, 1), date(2025, 6, 10)),
    ]
    quarters = buckets(date(2025, 4, 1), date(2026, 3, 31), "quarter")
    assert [b.label for b in quarters] == [
        "April to June 2025",
        "July to September 2025",
        "October to December 2025",
        "January to March 2026",
    ]
    assert quarters[-1].end == date(2026, 3, 31)
    assert len(buckets(date(2024, 12, 1), date(2025, 2, 1), "month")) == 3
    assert buckets(date(2025, 4, 1), date(2026, 3, 31), "team")[0].end == date(2026, 3, 31)


def test_appraisals_by_month(world):
    result = run("appraisals", **YEAR_2025, by="month")
    rows = {row["period"]: row for row in result.rows}
    assert len(rows) == 12
    assert counts(rows["April 2025"]) == (1, 0, 0, 0, 1, 1)
    assert counts(rows["May 2025"]) == (2, 0, 0, 0, 2, 2)
    assert counts(rows["June 2025"]) == (1, 0, 0, 0, 1, 1)
    assert counts(rows["July 2025"]) == (2, 0, 0, 0, 2, 2)
    assert counts(rows["August 2025"]) == (0, 0, 1, 0, 1, 1)
    assert counts(rows["September 2025"]) == (0, 0, 0, 1, 0, 0)
    assert counts(rows["October 2025"]) == (0, 1, 0, 0, 1, 1)
    assert counts(rows["November 2025"]) == (0, 1, 0, 0, 1, 1)
    assert counts(rows["December 2025"]) == (0, 0, 0, 1, 0, 0)
    assert counts(rows["January 2026"]) == (0, 0, 0, 0, 0, 0)  # the draft never counts
    # In post at the month's end, and assessed (not self) in the 12 months up to it.
    assert (rows["April 2025"]["in_post"], rows["April 2025"]["assessed_12m_rate"]) == (
        8,
        Decimal("0.25"),  # boss (December 2024) and b1
    )
    assert rows["October 2025"]["in_post"] == 8  # the leaver's last day
    assert (rows["November 2025"]["in_post"], rows["November 2025"]["assessed_12m_rate"]) == (
        7,
        Decimal("0.8571"),  # all but a3
    )
    assert (rows["March 2026"]["in_post"], rows["March 2026"]["assessed_12m_rate"]) == (
        7,
        Decimal("0.7143"),  # boss's appraisal is now too old
    )
    assert rows["April 2025"]["from"] == date(2025, 4, 1)
    assert rows["April 2025"]["to"] == date(2025, 4, 30)
    assert result.summary == {
        "appraisals": 6,
        "assessments": 9,
        "self_assessments": 2,
        "people_assessed": 6,
        "in_post": 7,
        "not_assessed_12m": 2,
        "assessed_12m_rate": Decimal("0.7143"),
    }


def test_appraisals_by_quarter(world):
    result = run("appraisals", **YEAR_2025, by="quarter")
    assert [(row["period"], counts(row)) for row in result.rows] == [
        ("April to June 2025", (4, 0, 0, 0, 4, 4)),
        ("July to September 2025", (2, 0, 1, 1, 3, 3)),
        ("October to December 2025", (0, 2, 0, 1, 2, 2)),
        ("January to March 2026", (0, 0, 0, 0, 0, 0)),
    ]
    assert result.rows[-1]["in_post"] == 7
    assert result.summary["people_assessed"] == 6


def test_appraisals_by_team_use_the_team_on_the_assessment_date(world):
    result = run("appraisals", **YEAR_2025, by="team")
    assert [(row["period"], counts(row)) for row in result.rows] == [
        ("Alpha", (4, 1, 0, 2, 5, 4)),  # a1, a2, leaver, mover (appraised in July in Alpha)
        ("Beta", (2, 1, 1, 0, 4, 3)),  # b1, b2, mover's October assessment in Beta
    ]
    alpha, beta = result.rows
    assert (alpha["in_post"], alpha["assessed_12m_rate"]) == (4, Decimal("0.5"))
    assert (beta["in_post"], beta["assessed_12m_rate"]) == (3, Decimal("1"))
    assert [c.key for c in result.columns][:2] == ["period", "appraisal"]
    assert result.summary["people_assessed"] == 6  # the mover once


def test_appraisals_for_one_team(world):
    result = run("appraisals", **YEAR_2025, by="month", team_id=world["beta"].id)
    rows = {row["period"]: row for row in result.rows}
    assert counts(rows["July 2025"]) == (1, 0, 0, 0, 1, 1)  # b2; the mover was in Alpha
    assert counts(rows["October 2025"]) == (0, 1, 0, 0, 1, 1)
    assert rows["April 2025"]["in_post"] == 2  # the mover joined Beta in September
    assert rows["March 2026"]["in_post"] == 3
    assert result.summary == {
        "appraisals": 2,
        "assessments": 4,
        "self_assessments": 0,
        "people_assessed": 3,
        "in_post": 3,
        "not_assessed_12m": 0,
        "assessed_12m_rate": Decimal("1"),
    }


def test_a_supervisor_counts_only_their_staff(world):
    result = run("appraisals", viewer=world["supervisor"], **YEAR_2025, by="quarter")
    assert result.summary == {
        "appraisals": 3,  # a1, a2, b1 (boss's own is not among them)
        "assessments": 5,
        "self_assessments": 2,
        "people_assessed": 3,
        "in_post": 4,
        "not_assessed_12m": 1,  # a3
        "assessed_12m_rate": Decimal("0.75"),
    }
    rows = {row["period"]: row for row in result.rows}
    assert rows["April to June 2025"]["appraisal"] == 3  # a1, a2 and b1; not the leaver
    assert rows["April to June 2025"]["in_post"] == 4


def test_an_assessment_outside_any_post_has_no_team(world):
    assess(world, "b2", date(2019, 12, 1), "appraisal", "mmm")  # before the spell began
    db.session.commit()
    result = run("appraisals", start=date(2019, 4, 1), end=date(2020, 3, 31), year=2019, by="team")
    assert [row["period"] for row in result.rows] == ["Alpha", "Beta", NO_TEAM]
    alpha, beta, nowhere = result.rows
    assert counts(nowhere) == (1, 0, 0, 0, 1, 1)
    assert (nowhere["in_post"], nowhere["assessed_12m_rate"]) == (0, None)
    assert (alpha["in_post"], beta["in_post"]) == (6, 2)  # on 31 March 2020
    assert counts(alpha) == (0, 0, 0, 0, 0, 0)


def test_a_period_still_to_come_has_no_snapshot(world):
    today = date.today()
    year = today.year + 2
    result = run(
        "appraisals", start=date(year, 4, 1), end=date(year + 1, 3, 31), year=year, by="month"
    )
    assert all(row["in_post"] is None and row["total"] == 0 for row in result.rows)
    assert result.summary["in_post"] is None
    assert result.summary["appraisals"] == 0


def test_appraisals_json_shape(world):
    document = json_document(run("appraisals", **YEAR_2025, by="quarter"))
    assert document["report"] == "appraisals"
    assert document["parameters"] == {
        "year": 2025,
        "from": "2025-04-01",
        "to": "2026-03-31",
        "team": None,
        "team_name": None,
        "by": "quarter",
    }
    assert [c["key"] for c in document["columns"]] == [
        "period",
        "from",
        "to",
        "appraisal",
        "supervisor",
        "asye_review",
        "self",
        "total",
        "people_assessed",
        "in_post",
        "assessed_12m_rate",
    ]
    assert document["rows"][0]["from"] == "2025-04-01"
    assert document["rows"][-1]["assessed_12m_rate"] == 0.7143
    assert document["summary"]["appraisals"] == 6


# --- set-based: the number of queries does not grow with the people ----------------------


def count_queries(fn: Any) -> int:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_reports_use_a_fixed_number_of_queries(world):
    supervisor = world["supervisor"]
    calls = {
        "gaps": lambda: run("capability-gaps", on=ON),
        "gaps for a supervisor": lambda: run("capability-gaps", viewer=supervisor, on=ON),
        "appraisals": lambda: run("appraisals", **YEAR_2025, by="month"),
        "appraisals by team": lambda: run("appraisals", **YEAR_2025, by="team"),
    }
    db.session.expire_all()
    before = {name: count_queries(fn) for name, fn in calls.items()}
    # Fifteen more people in Alpha, managed by boss, each assessed twice.
    for index in range(15):
        person = builders.make_staff(world["alpha"], manager=world["people"]["boss"])
        world["people"][f"extra{index}"] = person
        assess(world, f"extra{index}", date(2025, 6, 1), "appraisal", "mdm")
        assess(world, f"extra{index}", date(2025, 12, 1), "supervisor", "mmn")
    db.session.commit()
    db.session.expire_all()
    after = {name: count_queries(fn) for name, fn in calls.items()}
    assert after == before
    assert max(before.values()) <= 6
    assert run("capability-gaps", on=ON).summary["people"] == 22
