"""The DfE children's social work workforce census return: build it for a collection year,
check it before submission, export it as XML (validated against the DfE schema) or CSV,
and import a previous year's return.

**Year.** The census year named ``YYYY`` runs from 1 October YYYY-1 to 30 September YYYY,
the reference date.

**Who is in the return** (``../shared/reference/DOMAIN.md`` section 4): every child and
family social worker employed during the year (an employment spell with a census
organisational role code, not an agency contract, in force on any day of the year),
including leavers in the year, and agency workers (agency spells with a role code) in post
on 30 September.

**One record per worker and role.** A person's spells that follow one another without a
leaving reason (a move of team or role: one spell ends and the next starts within
``MOVE_GAP_DAYS``) are one record: ``RoleStartDate`` is when the run started (so an internal
move is neither a starter nor a leaver), and ``OrgRole``, ``FTE`` and ``CFKSSstatus`` are the
latest spell's. Two posts held at once are two records. Each agency spell in force on
30 September is its own record (agency records are never de-duplicated).

**Leavers.** A record whose run ends between 1 October and 30 September (inclusive) has a
``RoleEndDate``, ``ReasonLeave`` and ``LeaverDestination``, and is not in post on 30
September, so it has no ``FTE30``. Where no reason is recorded but the person carried on in
a post outside the census within ``MOVE_GAP_DAYS``, ``ReasonLeave`` is 7 ("moved to a non
child and family social work role within the LA"), flagged as a warning to confirm.

**Per person, once.** ``Cases30`` (the total of the latest caseload snapshot taken in the
census year, on or before 30 September), ``WorkingDaysLost`` and ``ReasonAbsence`` go on the
person's main record only (in post first, then the most senior role), so a person with two
posts is not counted twice. Absences count the working days lost inside the census year:
an absence running over 1 October or 30 September counts the share of its weekdays inside
the year (an open absence runs to 30 September). Agency workers carry no absence items.

**LA level.** ``NumberOfVacancies`` is, over the teams with an establishment in force on 30
September, the sum of each team's funded FTE less the FTE in post (non-agency ``FTE30`` of
the census records in that team), never below 0 for a team. ``NoAgencyFTE`` and
``NoAgencyHeadcount`` count agency workers in post on 30 September whose spell is marked as
covering a vacancy.

**Before submission** (``CensusReturn.problems``): every missing or invalid field by person
and element. *Errors* (no or a malformed Social Work England number, no qualifying
institution for an employee, a code the schema does not allow, no local authority code)
always stop the export. *Warnings* (optional fields the DfE expects but the schema does not
require: date of birth, gender, ethnicity, qualification level, Step Up or Frontline,
start origin, a leaver's reason and destination, cases at 30 September for a case holder,
an agency worker's contract weeks or qualifying institution, a team with no
establishment, an inferred reason for leaving) stop it unless the person exporting accepts
them (``accept_warnings``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select

from workforce.audit import record_event
from workforce.collector import collector_paused
from workforce.extensions import db
from workforce.metrics.fte import fte as fte_of
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models._base import utcnow
from workforce.models.workforce_planning import (
    Absence,
    CaseloadCount,
    CaseloadSnapshot,
    TeamEstablishment,
)
from workforce.services import ServiceError
from workforce.services import census_xml as cx
from workforce.services.reference import labels
from workforce.spreadsheets import csv_lines
from workforce.validation import SWE_PATTERN, normalise_swe

#: Days between the end of one spell and the start of the next that still make one run.
MOVE_GAP_DAYS = 7
#: The census organisational role for case holders.
CASE_HOLDER = "5"
LA_CODE_SETTING = "CENSUS_LA_CODE"
ERROR, WARNING = "error", "warning"
SIX = Decimal("0.000001")
TWO = Decimal("0.01")
ONE = Decimal("0.1")


def year_bounds(year: int) -> tuple[date, date]:
    """First day (1 October of the year before) and reference date (30 September)."""
    return date(year - 1, 10, 1), date(year, 9, 30)


def latest_year(today: date) -> int:
    """The latest census year whose reference date has passed (or is today)."""
    return today.year if today >= date(today.year, 9, 30) else today.year - 1


def weekdays(first: date, last: date) -> int:
    """Monday-to-Friday days from ``first`` to ``last`` inclusive (0 when ``last`` is
    earlier)."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, extra = divmod(days, 7)
    count = weeks * 5
    start = first.weekday()
    count += sum(1 for i in range(extra) if (start + i) % 7 < 5)
    return count


def days_lost_in_year(
    start: date, end: date | None, days_lost: Decimal, first: date, reference: date
) -> Decimal:
    """The working days lost of one absence that fall in the census year ``first`` to
    ``reference``: all of them when the absence lies inside the year, otherwise the share
    of its weekdays inside the year (an open absence runs to the reference date)."""
    last = end or reference
    if start >= first and last <= reference:
        return days_lost
    if last < first or start > reference:
        return Decimal(0)
    total = weekdays(start, last)
    inside = weekdays(max(start, first), min(last, reference))
    if total == 0:
        return days_lost if first <= start <= reference else Decimal(0)
    return days_lost * Decimal(inside) / Decimal(total)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _dec(value: Decimal, places: Decimal) -> str:
    return str(value.quantize(places, rounding=ROUND_HALF_UP))


def split_institutions(text: str | None) -> list[str]:
    """The qualifying institutions recorded for a person (several are separated by ";")."""
    if text and ";" not in text:  # one institution (most people)
        text = text.strip()
        return [text] if text else []
    return [part.strip() for part in (text or "").split(";") if part.strip()]


# --- the return ---------------------------------------------------------------------------


@dataclass
class WorkerRecord:
    """One ``CSWWWorker``: who it is for, and each element's values in schema order."""

    staff_id: int
    staff_number: str
    name: str
    agency: bool
    in_post: bool
    org_role: str | None
    team_id: int
    values: dict[str, list[str]]
    #: An agency worker whose spell covers a vacancy (counted in ``NoAgencyFTE``).
    covers_vacancy: bool = False

    @property
    def fte30(self) -> Decimal:
        """FTE on 30 September (0 when not in post)."""
        return Decimal(self.values["FTE30"][0]) if self.values.get("FTE30") else Decimal(0)


@dataclass(frozen=True)
class CensusProblem:
    """A missing or invalid field: whose, which element, why, and how serious."""

    staff_id: int | None
    staff_number: str
    name: str
    field: str
    message: str
    severity: str


@dataclass
class CensusReturn:
    """A census return for a year, with everything the pre-submission check found."""

    year: int
    first_day: date
    reference_date: date
    la_code: str | None
    records: list[WorkerRecord]
    vacancies: dict[str, str]
    problems: list[CensusProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[CensusProblem]:
        """Problems that always stop the export."""
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[CensusProblem]:
        """Problems the person exporting may accept."""
        return [p for p in self.problems if p.severity == WARNING]

    def by_person(self) -> list[tuple[tuple[int | None, str, str], list[CensusProblem]]]:
        """Problems grouped by person (the local authority's own first), errors first."""
        groups: dict[tuple[int | None, str, str], list[CensusProblem]] = defaultdict(list)
        for problem in self.problems:
            groups[(problem.staff_id, problem.staff_number, problem.name)].append(problem)
        ordered = sorted(
            groups.items(),
            key=lambda item: (
                item[0][0] is not None,
                not any(p.severity == ERROR for p in item[1]),
                item[0][2].casefold(),
                item[0][1],
            ),
        )
        return [(key, sorted(found, key=lambda p: p.severity != ERROR)) for key, found in ordered]

    def figures(self) -> dict[str, Any]:
        """Counts for the check page."""
        people = {r.staff_id for r in self.records if not r.agency}
        return {
            "records": len(self.records),
            "people": len(people),
            "agency": sum(r.agency for r in self.records),
            "leavers": sum(bool(r.values.get("RoleEndDate")) for r in self.records),
            "starters": sum(
                1
                for r in self.records
                if not r.agency
                and r.values.get("RoleStartDate")
                and date.fromisoformat(r.values["RoleStartDate"][0]) >= self.first_day
            ),
            "in_post_fte": sum(
                (r.fte30 for r in self.records if not r.agency and r.in_post), Decimal(0)
            ),
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }


def configured_la_code() -> str | None:
    """The local authority's three-digit DfE code from the ``CENSUS_LA_CODE`` setting."""
    value = current_app.config.get(LA_CODE_SETTING)
    return str(value).strip() if value is not None and str(value).strip() else None


def _la_code_problem(code: str | None) -> str | None:
    if code is None:
        return (
            f"The local authority code is not set: set {LA_CODE_SETTING} to your three-digit "
            "DfE local authority code (for example 929) before exporting the return"
        )
    if not (len(code) == 3 and code.isdigit()):
        return f"{LA_CODE_SETTING} is {code!r}: it must be the three-digit DfE local authority code"
    return None


@dataclass(slots=True)
class _Spell:
    org_role: str | None
    contract_type: str
    #: FTE to six places, and as the return writes it.
    fte: Decimal
    fte_text: str
    team_id: int
    start: date
    end: date | None
    start_origin: str | None
    leaving_reason: str | None
    leaver_destination: str | None
    cfkss_status: str | None
    #: ``ContractWeeks`` as the return writes it (None when not recorded).
    weeks_text: str | None
    covers_vacancy: bool
    #: Whether the spell has a census organisational role.
    census: bool


def _rows(query: Any) -> Sequence[Any]:
    """The rows of a column query, read on the session's connection and fetched at once:
    plain rows, without the ORM's per-row work (``build_return`` flushes the session
    first)."""
    return db.session.connection().execute(query).all()


def _in_scope(first: date, reference: date) -> Any:
    """The people with a census spell in force on any day of the year (a subquery for
    ``IN``, which the database answers as a semi-join)."""
    spell = EmploymentSpell.__table__.c
    return select(spell.staff_id).where(
        spell.org_role.is_not(None),
        spell.start_date <= reference,
        or_(spell.end_date.is_(None), spell.end_date >= first),
    )


@dataclass(slots=True)
class _Person:
    """A person in the return, with the elements every record of theirs carries written
    once (None when the element is left out)."""

    id: int
    staff_number: str
    name: str
    #: The order of the return: surname, first name (case-blind), then id.
    order: tuple[str, str, int]
    swe: str | None
    birth: str | None
    gender: str | None
    ethnicity: str | None
    qual_inst: list[str]
    qual_level: str | None
    step_up: str | None
    frontline: str | None


def _person(
    staff_id: int,
    staff_number: str,
    first_name: str,
    last_name: str,
    swe_number: str | None,
    birth: date | None,
    gender: str | None,
    ethnicity: str | None,
    qual_inst: str | None,
    qual_level: str | None,
    step_up: bool | None,
    frontline: bool | None,
) -> _Person:
    # Text columns: an empty one is left out as a missing one is.
    return _Person(
        staff_id,
        staff_number,
        f"{last_name}, {first_name}",
        (last_name.casefold(), first_name.casefold(), staff_id),
        normalise_swe(swe_number),
        None if birth is None else birth.isoformat(),
        gender or None,
        ethnicity or None,
        split_institutions(qual_inst) or [""],
        qual_level or None,
        None if step_up is None else ("1" if step_up else "0"),
        None if frontline is None else ("1" if frontline else "0"),
    )


def _load_spells(
    in_scope: Any, reference: date
) -> tuple[dict[int, _Person], dict[int, list[_Spell]]]:
    """The people in scope, and each one's spells starting up to ``MOVE_GAP_DAYS`` after
    the reference date in order of start (one query: each spell with its person)."""
    spell = EmploymentSpell.__table__.c
    staff = Staff.__table__.c
    query = (
        select(
            spell.staff_id,
            spell.org_role,
            spell.contract_type,
            spell.contracted_hours,
            spell.standard_hours,
            spell.team_id,
            spell.start_date,
            spell.end_date,
            spell.start_origin,
            spell.leaving_reason,
            spell.leaver_destination,
            spell.cfkss_status,
            spell.contract_weeks,
            spell.covers_vacancy,
            staff.staff_number,
            staff.first_name,
            staff.last_name,
            staff.swe_number,
            staff.date_of_birth,
            staff.gender,
            staff.ethnicity,
            staff.qual_inst,
            staff.qual_level,
            staff.step_up_grad,
            staff.frontline_grad,
        )
        .join_from(EmploymentSpell.__table__, Staff.__table__, staff.id == spell.staff_id)
        .where(
            spell.staff_id.in_(in_scope),
            spell.start_date <= reference + timedelta(days=MOVE_GAP_DAYS),
        )
        .order_by(spell.staff_id, spell.start_date, spell.id)
    )
    people: dict[int, _Person] = {}
    spells: dict[int, list[_Spell]] = {}
    own: list[_Spell] = []
    # Hours and weeks take few distinct values: each is worked out and written once.
    fte_cache: dict[tuple[Decimal, Decimal], tuple[Decimal, str]] = {}
    weeks_cache: dict[Decimal, str] = {}
    for (
        staff_id,
        org_role,
        contract_type,
        contracted,
        standard,
        team_id,
        start,
        end,
        start_origin,
        leaving_reason,
        leaver_destination,
        cfkss_status,
        contract_weeks,
        covers_vacancy,
        staff_number,
        first_name,
        last_name,
        swe_number,
        birth,
        gender,
        ethnicity,
        qual_inst,
        qual_level,
        step_up,
        frontline,
    ) in _rows(query):
        if staff_id not in people:  # the person's first spell (rows come by person)
            people[staff_id] = _person(
                staff_id,
                staff_number,
                first_name,
                last_name,
                swe_number,
                birth,
                gender,
                ethnicity,
                qual_inst,
                qual_level,
                step_up,
                frontline,
            )
            own = spells[staff_id] = []
        key = (contracted, standard)
        found = fte_cache.get(key)
        if found is None:
            value = fte_of(contracted, standard).quantize(SIX, rounding=ROUND_HALF_UP)
            found = fte_cache[key] = (value, str(value))
        weeks_text = None
        if contract_weeks is not None:
            weeks_text = weeks_cache.get(contract_weeks)
            if weeks_text is None:
                weeks_text = weeks_cache[contract_weeks] = _dec(Decimal(contract_weeks), ONE)
        own.append(
            _Spell(
                org_role,
                contract_type,
                found[0],
                found[1],
                team_id,
                start,
                end,
                start_origin,
                leaving_reason,
                leaver_destination,
                cfkss_status,
                weeks_text,
                bool(covers_vacancy),
                org_role is not None,
            )
        )
    return people, spells


def _runs(spells: list[_Spell]) -> list[list[_Spell]]:
    """Non-agency census spells joined into runs: a spell continues a run whose last spell
    ended without a leaving reason up to ``MOVE_GAP_DAYS`` before it started."""
    runs: list[list[_Spell]] = []
    for spell in spells:
        if not spell.census or spell.contract_type == "agency":
            continue
        for run in runs:
            last = run[-1]
            if (
                last.end is not None
                and last.leaving_reason is None
                and 0 < (spell.start - last.end).days <= MOVE_GAP_DAYS
            ):
                run.append(spell)
                break
        else:
            runs.append([spell])
    return runs


@dataclass(slots=True)
class _Draft:
    person: _Person
    agency: bool
    in_post: bool
    first: _Spell
    last: _Spell
    start: date
    end: date | None
    inferred_reason: bool = False
    main: bool = False


def _main_order(draft: _Draft) -> tuple[bool, bool, str, int]:
    """Which of a person's records carries their cases and absence: in post first, then
    not agency, then the most senior role, then the latest start."""
    return (not draft.in_post, draft.agency, draft.last.org_role or "9", -draft.start.toordinal())


def _within_person(draft: _Draft) -> tuple[bool, date]:
    return draft.agency, draft.start


def _drafts(
    people: dict[int, _Person], spells: dict[int, list[_Spell]], first: date, reference: date
) -> list[_Draft]:
    """Each person's records (runs of employment, agency spells in post on the reference
    date) with the one carrying their cases and absence marked, in the return's order:
    by person (surname, first name, id), then employees before agency, then start."""
    by_person: list[tuple[tuple[str, str, int], list[_Draft]]] = []
    for staff_id, every in spells.items():
        person = people[staff_id]
        own = [s for s in every if s.start <= reference]
        found: list[_Draft] = []
        for run in _runs(own):
            start, end = run[0].start, run[-1].end
            if start > reference or (end is not None and end < first):
                continue
            draft = _Draft(
                person, False, end is None or end > reference, run[0], run[-1], start, end
            )
            if end is not None and end <= reference and run[-1].leaving_reason is None:
                draft.inferred_reason = any(
                    not s.census and 0 < (s.start - end).days <= MOVE_GAP_DAYS for s in every
                )
            found.append(draft)
        for spell in own:
            if (
                spell.census
                and spell.contract_type == "agency"
                and (spell.end is None or spell.end >= reference)
            ):
                found.append(_Draft(person, True, True, spell, spell, spell.start, spell.end))
        if not found:
            continue
        if len(found) == 1:
            found[0].main = True
        else:
            min(found, key=_main_order).main = True
            found.sort(key=_within_person)
        by_person.append((person.order, found))
    # Each person's order is their own (it ends with their id).
    by_person.sort(key=itemgetter(0))
    return [draft for _, found in by_person for draft in found]


def _latest_cases(first: date, reference: date) -> dict[int, int]:
    """Each person's cases in their latest snapshot taken in the year (every person with
    one: the return looks up only its own people). Snapshots are ranked latest first per
    person on the (person, date) index, rather than grouped and joined back."""
    snapshot = CaseloadSnapshot.__table__.c
    count = CaseloadCount.__table__.c
    ranked = (
        select(
            snapshot.staff_id,
            snapshot.id,
            func.row_number()
            .over(partition_by=snapshot.staff_id, order_by=snapshot.taken_on.desc())
            .label("rank"),
        )
        .where(snapshot.taken_on >= first, snapshot.taken_on <= reference)
        .subquery("ranked")
    )
    query = (
        select(ranked.c.staff_id, func.coalesce(func.sum(count.cases), 0))
        .select_from(ranked)
        .outerjoin(CaseloadCount.__table__, count.snapshot_id == ranked.c.id)
        .where(ranked.c.rank == 1)
        .group_by(ranked.c.staff_id)
    )
    return {staff_id: int(cases) for staff_id, cases in _rows(query)}


@dataclass(slots=True)
class _Absences:
    days: Decimal = Decimal(0)
    reasons: list[str] = field(default_factory=list)
    on_reference: bool = False


def _absences(in_scope: Any, first: date, reference: date) -> dict[int, _Absences]:
    absence = Absence.__table__.c
    query = (
        select(
            absence.staff_id,
            absence.start_date,
            absence.end_date,
            absence.working_days_lost,
            absence.reason,
        )
        .where(
            absence.staff_id.in_(in_scope),
            absence.start_date <= reference,
            or_(absence.end_date.is_(None), absence.end_date >= first),
        )
        .order_by(absence.staff_id, absence.start_date)
    )
    out: dict[int, _Absences] = {}
    for staff_id, start, end, days, reason in _rows(query):
        found = out.get(staff_id)
        if found is None:
            found = out[staff_id] = _Absences()
        found.days += days_lost_in_year(start, end, Decimal(days), first, reference)
        if reason not in found.reasons:
            found.reasons.append(reason)
        if start <= reference and (end is None or end >= reference):
            found.on_reference = True
    return out


def _establishment(reference: date) -> dict[int, Decimal]:
    latest = (
        select(
            TeamEstablishment.team_id,
            func.max(TeamEstablishment.effective_from).label("effective_from"),
        )
        .where(TeamEstablishment.effective_from <= reference)
        .group_by(TeamEstablishment.team_id)
        .subquery()
    )
    query = select(TeamEstablishment.team_id, TeamEstablishment.funded_fte).join(
        latest,
        (latest.c.team_id == TeamEstablishment.team_id)
        & (latest.c.effective_from == TeamEstablishment.effective_from),
    )
    return {team_id: Decimal(funded) for team_id, funded in db.session.execute(query)}


def build_return(year: int) -> CensusReturn:
    """The return for census year ``year`` with its pre-submission check; writes nothing."""
    with collector_paused():
        return _build_return(year)


def _build_return(year: int) -> CensusReturn:
    first, reference = year_bounds(year)
    # Read first through the session, which flushes anything pending; the rest is read on
    # its connection.
    funded = _establishment(reference)
    in_scope = _in_scope(first, reference)
    people, spells = _load_spells(in_scope, reference)
    drafts = _drafts(people, spells, first, reference)
    cases = _latest_cases(first, reference)
    absences = _absences(in_scope, first, reference)
    records = [_record(d, cases, absences, first, reference) for d in drafts]
    la_code = configured_la_code()
    result = CensusReturn(
        year=year,
        first_day=first,
        reference_date=reference,
        la_code=la_code,
        records=records,
        vacancies=_vacancies(drafts, funded),
        problems=[],
    )
    result.problems = _check(result, drafts, funded)
    return result


def _record(
    draft: _Draft,
    cases: dict[int, int],
    absences: dict[int, _Absences],
    first: date,
    reference: date,
) -> WorkerRecord:
    """A draft's ``CSWWWorker``: each element's values, written in the schema's order and
    left out when there are none."""
    person, last, agency, end = draft.person, draft.last, draft.agency, draft.end
    values: dict[str, list[str]] = {"AgencyWorker": ["1" if agency else "0"]}
    if person.swe is not None:
        values["SWENo"] = [person.swe]
    values["FTE"] = [last.fte_text]
    if person.birth is not None:
        values["PersonBirthDate"] = [person.birth]
    if person.gender is not None:
        values["GenderCurrent"] = [person.gender]
    if person.ethnicity is not None:
        values["Ethnicity"] = [person.ethnicity]
    values["QualInst"] = list(person.qual_inst)
    if person.qual_level is not None:
        values["QualLevel"] = [person.qual_level]
    if person.step_up is not None:
        values["StepUpGrad"] = [person.step_up]
    if last.org_role:
        values["OrgRole"] = [last.org_role]
    values["RoleStartDate"] = [draft.start.isoformat()]
    if draft.first.start_origin:
        values["StartOrigin"] = [draft.first.start_origin]
    if not agency and end is not None and first <= end <= reference:  # a leaver
        values["RoleEndDate"] = [end.isoformat()]
        if last.leaver_destination:
            values["LeaverDestination"] = [last.leaver_destination]
        reason = "7" if draft.inferred_reason else last.leaving_reason
        if reason:
            values["ReasonLeave"] = [reason]
    main = draft.main
    if draft.in_post:
        values["FTE30"] = [last.fte_text]
        if main and person.id in cases:
            values["Cases30"] = [str(cases[person.id])]
    absence = absences.get(person.id)
    if main and not agency:
        values["WorkingDaysLost"] = [_dec(absence.days, TWO) if absence else "0.00"]
    if last.weeks_text is not None:
        values["ContractWeeks"] = [last.weeks_text]
    if person.frontline is not None:
        values["FrontlineGrad"] = [person.frontline]
    if draft.in_post and not agency:
        values["Absat30Sept"] = ["1" if absence and absence.on_reference else "0"]
    if main and not agency and absence and absence.reasons:
        values["ReasonAbsence"] = list(absence.reasons)
    if last.cfkss_status:
        values["CFKSSstatus"] = [last.cfkss_status]
    return WorkerRecord(
        person.id,
        person.staff_number,
        person.name,
        agency,
        draft.in_post,
        last.org_role,
        last.team_id,
        values,
        agency and last.covers_vacancy,
    )


def _vacancies(drafts: list[_Draft], funded: dict[int, Decimal]) -> dict[str, str]:
    """The LA level items from the records (``drafts``, in their order): FTE in post of
    employees by team against each team's funded FTE, and agency workers covering a
    vacancy."""
    in_post: dict[int, Decimal] = defaultdict(Decimal)
    covering: list[_Draft] = []
    for draft in drafts:
        if draft.in_post:
            if not draft.agency:
                in_post[draft.last.team_id] += draft.last.fte
            elif draft.last.covers_vacancy:
                covering.append(draft)
    vacant = sum(
        (
            max(Decimal(0), fte - in_post.get(team_id, Decimal(0)))
            for team_id, fte in funded.items()
        ),
        Decimal(0),
    )
    return {
        "NumberOfVacancies": _dec(vacant, TWO),
        "NoAgencyFTE": _dec(sum((d.last.fte for d in covering), Decimal(0)), TWO),
        "NoAgencyHeadcount": str(len({d.person.id for d in covering})),
    }


#: Elements the DfE expects of every record though the schema does not require them.
_EXPECTED = {
    "PersonBirthDate": "date of birth",
    "GenderCurrent": "gender",
    "Ethnicity": "ethnicity",
    "QualLevel": "qualification level",
}
#: ... and of an employee's record.
_EXPECTED_OF_EMPLOYEES = _EXPECTED | {
    "StepUpGrad": "whether they qualified through Step Up to Social Work",
    "FrontlineGrad": "whether they qualified through Frontline",
    "StartOrigin": "start origin (where they came from)",
}


def _check(
    result: CensusReturn, drafts: list[_Draft], funded: dict[int, Decimal]
) -> list[CensusProblem]:
    problems: list[CensusProblem] = []
    allowed = list(cx.enumerations().items())
    role_labels = labels("org_role")
    if problem := _la_code_problem(result.la_code):
        problems.append(CensusProblem(None, "", "The local authority", "LEA", problem, ERROR))
    for record, draft in zip(result.records, drafts, strict=True):

        def add(element: str, message: str, severity: str, record: WorkerRecord = record) -> None:
            problems.append(
                CensusProblem(
                    record.staff_id, record.staff_number, record.name, element, message, severity
                )
            )

        values = record.values
        swe = values.get("SWENo")
        if not swe:
            add("SWENo", "No Social Work England number is recorded; the return needs one", ERROR)
        elif not SWE_PATTERN.match(swe[0]):
            add("SWENo", f"{swe[0]!r} is not 2 letters and 10 digits", ERROR)
        for element, codes in allowed:
            for value in values.get(element, ()):
                if value not in codes:
                    add(element, f"{value!r} is not a code the census allows", ERROR)
        if values["QualInst"] == [""]:
            if record.agency:
                add(
                    "QualInst",
                    "No qualifying institution is recorded; it will be sent empty",
                    WARNING,
                )
            else:
                add(
                    "QualInst", "No qualifying institution is recorded; the return needs one", ERROR
                )
        for element, text in (_EXPECTED if record.agency else _EXPECTED_OF_EMPLOYEES).items():
            if not values.get(element):
                add(element, f"No {text} is recorded", WARNING)
        if values.get("RoleEndDate"):
            if draft.inferred_reason:
                add(
                    "ReasonLeave",
                    "No reason for leaving is recorded; 7 (moved to a non child and family "
                    "social work role within the LA) is assumed because they moved to another "
                    "post: record the reason to confirm",
                    WARNING,
                )
            elif not values.get("ReasonLeave"):
                add(
                    "ReasonLeave", "Left in the year but no reason for leaving is recorded", WARNING
                )
            if not values.get("LeaverDestination"):
                add("LeaverDestination", "Left in the year but no destination is recorded", WARNING)
        if (
            record.in_post
            and record.org_role == CASE_HOLDER
            and draft.main
            and not values.get("Cases30")
        ):
            what = "agency worker" if record.agency else role_labels.get(record.org_role or "", "")
            add(
                "Cases30",
                f"A {what.lower() or 'case holder'} in post on 30 September with no caseload "
                f"snapshot between {_day(result.first_day)} and {_day(result.reference_date)}",
                WARNING,
            )
        if record.agency and not values.get("ContractWeeks"):
            add("ContractWeeks", "An agency worker with no contract weeks recorded", WARNING)
    teams_without = {
        r.team_id for r in result.records if r.in_post and not r.agency and r.team_id not in funded
    }
    if teams_without:
        names = sorted(db.session.scalars(select(Team.name).where(Team.id.in_(teams_without))))
        problems.append(
            CensusProblem(
                None,
                "",
                "The local authority",
                "NumberOfVacancies",
                "No establishment is recorded on 30 September for "
                + ", ".join(names)
                + "; their vacancies count as none",
                WARNING,
            )
        )
    return problems


# --- export -------------------------------------------------------------------------------


class CensusNotReady(ServiceError):
    """The return cannot be exported yet; ``problems`` are what stops it."""

    def __init__(self, message: str, problems: list[CensusProblem]) -> None:
        super().__init__(message, field="accept_warnings")
        self.problems = problems


def ready_for_export(result: CensusReturn, accept_warnings: bool) -> None:
    """Refuse (``CensusNotReady``) while errors remain, or warnings not accepted."""
    if problem := _la_code_problem(result.la_code):
        raise CensusNotReady(problem, result.errors)
    if not result.records:
        raise CensusNotReady(
            f"There is nobody to return for {result.year}: no social worker was employed "
            "in the census year",
            [],
        )
    if result.errors:
        raise CensusNotReady(
            f"The return has {len(result.errors)} error(s) to correct before it can be exported",
            result.errors,
        )
    if result.warnings and not accept_warnings:
        raise CensusNotReady(
            f"The return has {len(result.warnings)} warning(s): correct them, or accept them "
            "to export the return as it is",
            result.warnings,
        )


def return_xml(result: CensusReturn, generated_at: datetime | None = None) -> bytes:
    """The return as XML, checked against the schema (ServiceError if it fails, which a
    return that passed ``ready_for_export`` should never do)."""
    if problem := _la_code_problem(result.la_code):
        raise ServiceError(problem)
    assert result.la_code is not None
    with collector_paused():
        return _return_xml(result, generated_at)


def _return_xml(result: CensusReturn, generated_at: datetime | None) -> bytes:
    assert result.la_code is not None
    parts: dict[str, Any] = {
        "year": result.year,
        "reference_date": result.reference_date,
        "la_code": result.la_code,
        "vacancies": result.vacancies,
        "workers": [r.values for r in result.records],
        "generated_at": (generated_at or utcnow()).replace(microsecond=0, tzinfo=None),
    }
    # Written as text and checked by parsing it back; a return that cannot be written so,
    # or that fails the schema, is built as a tree as before, so the schema's messages (and
    # lxml's refusals) are the tree's.
    content = cx.message_bytes(**parts)
    if content is not None and cx.valid(content):
        return content
    message = cx.build_message(**parts)
    content = cx.to_bytes(message)
    checker = cx.schema()
    if not checker.validate(message):
        found = "; ".join(f"line {e.line}: {e.message}" for e in list(checker.error_log)[:5])
        raise ServiceError(f"The return does not pass the DfE schema: {found}")
    return content


def csv_chunks(result: CensusReturn) -> Iterator[str]:
    """The same records as CSV, one row per ``CSWWWorker``, columns named as the XML
    elements; an element that repeats has its values joined with "; ". Text that starts like
    a formula is neutralised."""
    names = list(cx.WORKER_ELEMENTS)
    return csv_lines(
        names, (["; ".join(r.values.get(n, ())) for n in names] for r in result.records)
    )


def export_return(
    year: int, fmt: str, *, accept_warnings: bool = False
) -> tuple[bytes, CensusReturn]:
    """Build, check and export the return for ``year`` as "xml" or "csv", and record the
    export in the audit trail. The caller commits."""
    if fmt not in ("xml", "csv"):
        raise ServiceError("Export the return as xml or csv", field="format")
    result = build_return(year)
    ready_for_export(result, accept_warnings)
    content = return_xml(result) if fmt == "xml" else "".join(csv_chunks(result)).encode("utf-8")
    record_event(
        "export",
        "Census",
        f"Exported the {year} children's social work workforce census return as "
        f"{fmt.upper()}: {len(result.records)} records"
        + (f", {len(result.warnings)} warnings accepted" if result.warnings else ""),
        {
            "year": year,
            "format": fmt,
            "records": len(result.records),
            "warnings_accepted": len(result.warnings),
        },
        entity_id=str(year),
    )
    return content, result


def export_filename(result: CensusReturn, fmt: str) -> str:
    """A download name such as ``csww-2024-929.xml``."""
    return f"csww-{result.year}-{result.la_code or 'la'}.{fmt}"


# --- import -------------------------------------------------------------------------------

#: Staff fields a return carries, by element.
PERSON_FIELDS = {
    "PersonBirthDate": "date_of_birth",
    "GenderCurrent": "gender",
    "Ethnicity": "ethnicity",
    "QualInst": "qual_inst",
    "QualLevel": "qual_level",
    "StepUpGrad": "step_up_grad",
    "FrontlineGrad": "frontline_grad",
}
#: Elements an import does not load: they describe one year and carry no dates of their own.
NOT_LOADED = ("Cases30", "WorkingDaysLost", "ReasonAbsence", "Absat30Sept")
#: Where spells from a return go when no team is chosen.
IMPORT_TEAM = "Census import: team not recorded"
#: Standard weekly hours tried, in order, to hold a return's FTE exactly as hours.
STANDARD_HOURS = (Decimal("37"), Decimal("36"), Decimal("35"), Decimal("37.5"), Decimal("40"))
HOURS = Decimal("0.01")


@dataclass(frozen=True)
class FieldChange:
    """A census field of a known person that the import changes."""

    swe_number: str
    staff_number: str
    field: str
    old: str
    new: str


@dataclass
class CensusImportPlan:
    """What importing a return would do, or why it cannot."""

    #: Schema problems (or data problems) by line; nothing is imported while there are any.
    problems: list[cx.SchemaProblem] = field(default_factory=list)
    parsed: cx.ParsedReturn | None = None
    records: int = 0
    #: SWE number -> the person's census fields from the file
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_people: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    #: (SWE number, spell values, line) of each spell to add
    new_spells: list[tuple[str, dict[str, Any], int]] = field(default_factory=list)
    #: (SWE number, line, why) of each record whose spell is held already
    held: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        """Whether applying the plan would write anything."""
        return bool(self.new_people or self.changes or self.new_spells)

    def describe(self) -> str:
        """One sentence of what would change."""
        changed = len({c.swe_number for c in self.changes})
        return (
            f"{self.records} records: {len(self.new_people)} new people, {changed} people "
            f"with census details changed ({len(self.changes)} fields), "
            f"{len(self.new_spells)} new employment spells, "
            f"{len(self.held)} spells already held."
        )


def _hours_for(fte: Decimal) -> tuple[Decimal, Decimal]:
    """Contracted and standard weekly hours that give back ``fte`` to six places."""
    for standard in STANDARD_HOURS:
        hours = (fte * standard).quantize(HOURS, rounding=ROUND_HALF_UP)
        if fte_of(hours, standard) == fte.quantize(SIX, rounding=ROUND_HALF_UP):
            return hours, standard
    return (fte * STANDARD_HOURS[0]).quantize(HOURS, rounding=ROUND_HALF_UP), STANDARD_HOURS[0]


def _person_values(values: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for element, attribute in PERSON_FIELDS.items():
        found = values.get(element)
        if not found:
            continue
        if element == "PersonBirthDate":
            out[attribute] = date.fromisoformat(found[0][:10])
        elif element in ("StepUpGrad", "FrontlineGrad"):
            out[attribute] = found[0] == "1"
        elif element == "QualInst":
            joined = "; ".join(v for v in found if v)
            if joined:
                out[attribute] = joined
        else:
            out[attribute] = found[0]
    return out


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value.isoformat() if isinstance(value, date) else str(value)


def plan_census_import(content: bytes) -> CensusImportPlan:
    """Check a return against the schema and work out what importing it would change,
    writing nothing. A file failing the schema gives the schema's own problems by line."""
    plan = CensusImportPlan()
    tree, problems = cx.check(content)
    if tree is None:
        plan.problems = problems
        return plan
    parsed = cx.parse(tree)
    plan.parsed = parsed
    plan.records = len(parsed.workers)
    reference = parsed.reference_date or (
        date(parsed.year, 9, 30) if parsed.year is not None else None
    )
    role_labels = labels("org_role")
    seen_line: dict[str, int] = {}
    drafts: list[tuple[str, dict[str, Any], int]] = []
    for values, line in zip(parsed.workers, parsed.lines, strict=True):
        swe = normalise_swe(values["SWENo"][0])
        assert swe is not None
        agency = values["AgencyWorker"][0] == "1"
        person = _person_values(values)
        if len(person.get("qual_inst", "")) > 200:
            plan.problems.append(
                cx.SchemaProblem(line, "QualInst: the institutions run to more than 200 characters")
            )
        earlier = plan.people.get(swe)
        if earlier is not None and any(k in earlier and earlier[k] != v for k, v in person.items()):
            plan.problems.append(
                cx.SchemaProblem(
                    line,
                    f"SWENo {swe}: personal details differ from the record on line {seen_line[swe]}",
                )
            )
        plan.people.setdefault(swe, {}).update(person)
        seen_line.setdefault(swe, line)
        start = values.get("RoleStartDate", [None])[0]
        end = values.get("RoleEndDate", [None])[0]
        fte_text = (values.get("FTE") or values.get("FTE30") or [None])[0]
        if start is None and not (agency and reference):
            plan.problems.append(
                cx.SchemaProblem(line, f"SWENo {swe}: no RoleStartDate, so no spell can be made")
            )
            continue
        if fte_text is None:
            plan.problems.append(
                cx.SchemaProblem(line, f"SWENo {swe}: no FTE or FTE30, so no hours can be set")
            )
            continue
        start_day = date.fromisoformat(start[:10]) if start else reference
        end_day = date.fromisoformat(end[:10]) if end else (reference if agency else None)
        assert start_day is not None
        if end_day is not None and end_day < start_day:
            plan.problems.append(
                cx.SchemaProblem(line, f"SWENo {swe}: RoleEndDate is before RoleStartDate")
            )
            continue
        hours, standard = _hours_for(Decimal(fte_text))
        role = values.get("OrgRole", [None])[0]
        weeks = values.get("ContractWeeks", [None])[0]
        spell = {
            "post_title": role_labels.get(role or "", "Social worker"),
            "org_role": role,
            "contracted_hours": hours,
            "standard_hours": standard,
            "contract_type": "agency" if agency else "permanent",
            "start_date": start_day,
            "start_origin": values.get("StartOrigin", [None])[0],
            "end_date": end_day,
            "leaving_reason": values.get("ReasonLeave", [None])[0] if end else None,
            "leaver_destination": values.get("LeaverDestination", [None])[0] if end else None,
            "cfkss_status": values.get("CFKSSstatus", [None])[0],
            "contract_weeks": Decimal(weeks) if weeks else None,
            "notes": f"Loaded from the {parsed.year or ''} census return".replace("  ", " "),
        }
        drafts.append((swe, spell, line))
    if plan.problems:
        return plan
    _plan_changes(plan, drafts)
    return plan


def _plan_changes(plan: CensusImportPlan, drafts: list[tuple[str, dict[str, Any], int]]) -> None:
    known = _known_people(list(plan.people))
    held_spells: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    if known:
        ids = [s.id for s in known.values()]
        for start in range(0, len(ids), 900):
            for staff_id, first, last in db.session.execute(
                select(
                    EmploymentSpell.staff_id, EmploymentSpell.start_date, EmploymentSpell.end_date
                ).where(EmploymentSpell.staff_id.in_(ids[start : start + 900]))
            ):
                held_spells[staff_id].append((first, last))
    for swe, values in plan.people.items():
        staff = known.get(swe)
        if staff is None:
            plan.new_people.append(swe)
            continue
        for attribute, value in values.items():
            old = getattr(staff, attribute)
            if old != value:
                plan.changes.append(
                    FieldChange(swe, staff.staff_number, attribute, _shown(old), _shown(value))
                )
    planned: set[tuple[str, date, str | None, str]] = set()
    for swe, spell, line in drafts:
        key = (swe, spell["start_date"], spell["org_role"], spell["contract_type"])
        if key in planned:
            plan.held.append((swe, line, "the same spell is on an earlier line of the file"))
            continue
        staff = known.get(swe)
        overlap = None
        if staff is not None:
            far = date.max
            for first, last in held_spells[staff.id]:
                if first <= (spell["end_date"] or far) and spell["start_date"] <= (last or far):
                    overlap = first
                    break
        if overlap is not None:
            plan.held.append(
                (swe, line, f"overlaps the spell starting {overlap.isoformat()} held already")
            )
            continue
        planned.add(key)
        plan.new_spells.append((swe, spell, line))


def _known_people(swe_numbers: list[str]) -> dict[str, Staff]:
    known: dict[str, Staff] = {}
    for start in range(0, len(swe_numbers), 900):
        chunk = swe_numbers[start : start + 900]
        for staff in db.session.scalars(
            select(Staff).where(func.upper(Staff.swe_number).in_(chunk))
        ):
            known[(staff.swe_number or "").upper()] = staff
    return known


def _import_team(team_id: int | None) -> int:
    if team_id is not None:
        if db.session.get(Team, team_id) is None:
            raise ServiceError("Choose a team that exists", field="team")
        return team_id
    team = db.session.scalar(select(Team).where(Team.name == IMPORT_TEAM))
    if team is None:
        team = Team(
            name=IMPORT_TEAM,
            service_area="Children's social care",
            tier_of_need="complex",
            active=True,
        )
        db.session.add(team)
        db.session.flush()
    return team.id


def _new_staff_number(swe: str, taken: set[str]) -> str:
    base = f"CSWW-{swe}"
    number, n = base, 2
    while number.lower() in taken:
        number = f"{base}-{n}"
        n += 1
    taken.add(number.lower())
    return number


def apply_census_import(plan: CensusImportPlan, source: str, team_id: int | None = None) -> None:
    """Write a checked plan, all of it: new people (staff number ``CSWW-<SWE number>``, name
    not recorded), census fields of known people, and new spells (in ``team_id``, or the
    team ``IMPORT_TEAM``). Audited. The caller commits."""
    if plan.problems or plan.parsed is None:
        raise ValueError("A census file with problems cannot be imported")
    known = _known_people(list(plan.people))
    needs_team = bool(plan.new_spells)
    team = _import_team(team_id) if needs_team else None
    taken = (
        {n.lower() for n in db.session.scalars(select(Staff.staff_number))}
        if plan.new_people
        else set()
    )
    for swe in plan.new_people:
        staff = Staff(
            staff_number=_new_staff_number(swe, taken),
            first_name="(name not recorded)",
            last_name=swe,
            swe_number=swe,
            qualified_social_worker=True,
            **plan.people[swe],
        )
        db.session.add(staff)
        known[swe] = staff
    for change in plan.changes:
        staff = known[change.swe_number]
        setattr(staff, change.field, plan.people[change.swe_number][change.field])
    db.session.flush()
    for swe, spell, _ in plan.new_spells:
        db.session.add(EmploymentSpell(staff_id=known[swe].id, team_id=team, **spell))
    record_event(
        "import",
        "Census",
        f"Imported census return {source}: {plan.describe()}",
        {
            "source": source,
            "year": plan.parsed.year,
            "records": plan.records,
            "new_people": len(plan.new_people),
            "fields_changed": len(plan.changes),
            "new_spells": len(plan.new_spells),
            "held": len(plan.held),
        },
    )
    db.session.flush()


def read_upload(path: Path) -> bytes:
    """A saved upload's bytes (no more than the largest file taken)."""
    with path.open("rb") as handle:
        return handle.read(cx.MAX_FILE_BYTES + 1)


def problems_text(problems: Iterable[cx.SchemaProblem]) -> list[str]:
    """Problems as lines of text: "line 12: message"."""
    return [f"line {p.line}: {p.message}" if p.line else p.message for p in problems]
