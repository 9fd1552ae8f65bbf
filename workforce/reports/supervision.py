"""Supervision reports: ``supervision-compliance`` (each person in post against their
supervision policy on a day, or the same by team: North East Lincolnshire's "no. of
supervisions held per person per year") and ``supervision-audit`` (quality audits of
supervision records per quarter, month or team, and the share rated good or better).

Every compliance figure follows ``workforce.metrics.supervision`` exactly; the policy and
its anchor come from ``workforce.services.supervision.PolicyMatcher``.

**How compliance is computed at scale.** The people in post come from one query; their
policies are chosen in Python (the policies are few). The sessions are reduced in the
database, one row per person: days with a session held in the 12 months up to the date
(two sessions on one day count once, the longer deciding whether it was full-length),
full-length days for each policy minimum in use, the first and last of those days, and the
longest step between consecutive days (window function ``lead``). They are read from the
attendees' copies of their session's date, outcome and length, in the order of the index
``ix_supervision_attendee_held`` (person, day, length): no join and no sort. The last
session before the 12 months is looked up only for people with none in them. For someone whose policy's
anchor falls inside the 12 months (new starters; the ASYE), the window starts at the
anchor: their figures are reduced again counting only the days from each anchor a policy
may have (the start of the first post, the start of the post in force), a step from a day
before the anchor not counting. When the viewer reports on a few people (a supervisor, a
team), only their sessions are read, through the same index, with the ids given as a
parameter so the database sees how few they are.

**Counts alone.** The team and service view and the performance measures need only how
many people are within policy, overdue and so on, not each person's row: ``tally_compliance``
adds up what ``judge_people`` would find, with less work. It counts each person's distinct
days with a session (no gaps, so no window function), judges once everyone who shares a
policy, anchor, full-length days and last day, and looks up the last session before the 12
months only for people it could change the verdict of. A test checks it against
``judge_people`` on random people and sessions.

**Team.** For ``supervision-compliance``, the team of each person's spell in force on the
date; for ``supervision-audit``, the team of the audited session's *supervisor* on the day of
the session (the latest started spell, where two overlap), so a team's audits are of the
supervision its managers gave.

**Who sees whom.** Supervisors see the people they manage (not their own record), and the
audits of sessions given by supervisors they manage; HR, L&D officers, senior leaders,
admins and the command line see everyone. Neither report ever shows a session's notes, an
audit's comments or anything else written in a record: only dates, counts and judgements.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    Date,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from workforce.extensions import db
from workforce.metrics.supervision import (
    DEFAULT_MIN_MINUTES,
    Compliance,
    Stage,
    add_interval,
    expected_sessions,
    sessions_per_person_per_year,
    share_good_or_better,
    stage_on,
    window_start,
)
from workforce.metrics.training import RATE_PLACES, TWO_PLACES, rate
from workforce.models import EmploymentSpell, Staff, Team
from workforce.models.people import spell_in_force
from workforce.models.supervision import (
    AUDIT_GRADES,
    CHECKLIST,
    SupervisionAttendee,
    SupervisionAudit,
    SupervisionPolicy,
    SupervisionSession,
)
from workforce.reports.base import Chart, Column, Parameters, Report, Table
from workforce.reports.capability import buckets, viewer_scope
from workforce.reports.registry import report
from workforce.reports.sql import as_date, count_when, days_between, plain_rows
from workforce.reports.training import no_later_spell
from workforce.security import SEE_ALL_STAFF
from workforce.services.supervision import NQSW_ORIGIN, PolicyMatcher, stages_of

if TYPE_CHECKING:
    from workforce.models import User

#: Roles that run the supervision reports (admin always may); supervisors see their staff.
SUPERVISION_REPORT_ROLES = ("hr", "ld_officer", "senior_leader", "supervisor")

NO_TEAM = "No team recorded"
NO_POLICY = "No policy matches this post"
#: Statuses in the order they are listed, with their labels.
STATUS_LABELS = {
    "within": "Within policy",
    "short": "Short of sessions",
    "overdue": "Overdue",
}
ONE_DAY = timedelta(days=1)
#: Ids in one IN (...) list, well under SQLite's limit on bound parameters.
CHUNK = 5000


def _chunks(items: Sequence[int]) -> list[Sequence[int]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


# --- compliance ---------------------------------------------------------------------------


class InPost(NamedTuple):
    """Someone in post on the date, with what their policy is chosen from."""

    staff_id: int
    staff_number: str
    first_name: str
    last_name: str
    team: str
    post_title: str | None
    org_role: str | None
    grade: str | None
    start_origin: str | None
    spell_start: date
    first_start: date
    service_area: str = ""


class Judged(NamedTuple):
    """A person in post, the policy that applies (None: no policy matches) and the result."""

    person: InPost
    policy: SupervisionPolicy | None
    result: Compliance | None


def people_with_spells(on: date, *, scope: Any = None, team_id: int | None = None) -> Any:
    """SQL: each person in post on ``on`` (matching ``scope``, a condition on ``Staff``)
    with the team, post, grade, role, start origin and start of their spell in force (the
    latest started, where two are), the start of their earliest spell and the team's
    service area; the columns are named as ``InPost``'s fields."""
    spell = aliased(EmploymentSpell, name="in_post")
    earliest = aliased(EmploymentSpell, name="earliest")
    first_start = (
        select(func.min(earliest.start_date))
        .where(earliest.staff_id == spell.staff_id)
        .correlate(spell)
        .scalar_subquery()
    )
    query = (
        select(
            Staff.id.label("staff_id"),
            Staff.staff_number.label("staff_number"),
            Staff.first_name.label("first_name"),
            Staff.last_name.label("last_name"),
            Team.name.label("team"),
            spell.post_title.label("post_title"),
            spell.org_role.label("org_role"),
            spell.grade.label("grade"),
            spell.start_origin.label("start_origin"),
            spell.start_date.label("spell_start"),
            first_start.label("first_start"),
            Team.service_area.label("service_area"),
        )
        .join(spell, spell.staff_id == Staff.id)
        .join(Team, Team.id == spell.team_id)
        .where(spell_in_force(spell, on), no_later_spell(spell, on))
    )
    if scope is not None:
        query = query.where(scope)
    if team_id is not None:
        query = query.where(spell.team_id == team_id)
    return query


def viewer_can_see_all(viewer: User | None) -> bool:
    """Whether ``viewer`` reports on everyone (the command line is None)."""
    return viewer is None or viewer.has_role(*SEE_ALL_STAFF)


#: The dates a person's policy may be anchored at, in the order of the window's columns:
#: the start of their first post (the general policies) and of their post in force (the
#: ASYE). Their window starts at the anchor when it falls inside the 12 months.
ANCHORS = ("first_start", "spell_start")


def _anchors(on: date, ids: Sequence[int] | None) -> Any:
    """SQL, one row per person of ``ids`` (None: everyone): ``first_start``, the start of
    their earliest spell, and ``spell_start``, the start of their spell in force on ``on``
    (the latest started)."""
    spell = EmploymentSpell
    query = select(
        spell.staff_id.label("staff_id"),
        func.min(spell.start_date).label("first_start"),
        func.max(case((spell_in_force(spell, on), spell.start_date))).label("spell_start"),
    ).group_by(spell.staff_id)
    if ids is not None:
        query = query.where(_among(spell.staff_id, ids))
    return query.subquery("anchors")


def window_query(
    ids: Sequence[int] | None,
    first_day: date,
    on: date,
    minimums: Sequence[int],
    *,
    anchored: bool,
) -> Any:
    """SQL, one row per person of ``ids`` (None: everyone) who attended a session held from
    ``first_day`` to ``on``: the staff id, ``last``, the last of those days, then a block of
    columns for the days from ``first_day`` (``anchored``: for each of ``ANCHORS``, ``k``,
    the days on or after it): ``days_k`` with a session, ``full_k_0``, ``full_k_1``... the
    full-length days for each of ``minimums``, the ``first_k`` and ``last_k`` of those days,
    and the longest ``step_k`` between consecutive days."""
    # Each person's sessions by day, the longest last, as the attendees' index holds them
    # (``ix_supervision_attendee_held``: no join, no sort), so the last row of a day (its
    # next row is another day's) stands for the day and has its longest length. Days from
    # an anchor on are a tail of the days, so their steps are those from a day on or after
    # the anchor to the next.
    attendee = SupervisionAttendee
    rows = select(
        attendee.staff_id.label("staff_id"),
        attendee.held_on.label("day"),
        attendee.minutes.label("minutes"),
        func.lead(attendee.held_on)
        .over(partition_by=attendee.staff_id, order_by=(attendee.held_on, attendee.minutes))
        .label("next"),
    ).where(attendee.held, attendee.held_on >= first_day, attendee.held_on <= on)
    if ids is not None:
        rows = rows.where(_among(attendee.staff_id, ids))
    stepped = rows.subquery("stepped")
    day, following = stepped.c.day, stepped.c.next
    last_of_day = or_(following.is_(None), following != day)
    columns = [stepped.c.staff_id, func.max(day).label("last")]
    source: Any = stepped
    if anchored:
        anchors = _anchors(on, ids)
        source = stepped.join(anchors, anchors.c.staff_id == stepped.c.staff_id)
        for k, name in enumerate(ANCHORS):
            anchor = anchors.c[name]
            since = day >= anchor
            counted = and_(last_of_day, since)
            columns.append(count_when(counted).label(f"days_{k}"))
            columns += [
                count_when(and_(counted, stepped.c.minutes >= m)).label(f"full_{k}_{i}")
                for i, m in enumerate(minimums)
            ]
            columns += [
                func.min(case((since, day))).label(f"first_{k}"),
                func.max(case((since, day))).label(f"last_{k}"),
                func.max(case((since, days_between(following, day)))).label(f"step_{k}"),
            ]
    else:
        columns.append(count_when(last_of_day).label("days_0"))
        columns += [
            count_when(and_(last_of_day, stepped.c.minutes >= m)).label(f"full_0_{i}")
            for i, m in enumerate(minimums)
        ]
        columns += [
            func.min(day).label("first_0"),
            func.max(day).label("last_0"),
            func.max(days_between(following, day)).label("step_0"),
        ]
    return select(*columns).select_from(source).group_by(stepped.c.staff_id)


def _windows(
    ids: Sequence[int] | None,
    first_day: date,
    on: date,
    minimums: Sequence[int],
    *,
    anchored: bool,
) -> dict[int, Any]:
    """The rows of ``window_query`` by staff id, for ``ids`` (None: everyone)."""
    out: dict[int, Any] = {}
    for chunk in [None] if ids is None else _id_chunks(ids):
        if chunk is not None and not chunk:
            continue
        query = window_query(chunk, first_day, on, minimums, anchored=anchored)
        out.update((row[0], row) for row in db.session.connection().execute(query).all())
    return out


def _among(column: Any, ids: Sequence[int]) -> Any:
    """SQL: ``column`` is one of ``ids``: one array parameter on PostgreSQL (thousands of
    placeholders cost more to send than the query takes; the planner sees how many), a
    list elsewhere."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer), unique=True))
    return column.in_(ids)


def _id_chunks(items: Sequence[int]) -> list[Sequence[int]]:
    if db.session.get_bind().dialect.name == "postgresql":
        return [items]
    return _chunks(items)


def last_before(staff_ids: Sequence[int], first_day: date) -> dict[int, date]:
    """Each person's last session held before ``first_day`` (for people with none after)."""
    out: dict[int, date] = {}
    for chunk in _id_chunks(staff_ids):
        query = (
            select(SupervisionAttendee.staff_id, func.max(SupervisionAttendee.held_on))
            .where(
                _among(SupervisionAttendee.staff_id, chunk),
                SupervisionAttendee.held,
                SupervisionAttendee.held_on < first_day,
            )
            .group_by(SupervisionAttendee.staff_id)
        )
        for staff_id, last in db.session.connection().execute(query).all():
            out[staff_id] = as_date(last)  # type: ignore[assignment]
    return out


class _Judge:
    """Builds ``Compliance`` results from the database's reduced figures, exactly as
    ``workforce.metrics.supervision.compliance`` would from every session, caching what
    many people share (expected sessions per policy and anchor, next due per last day)."""

    def __init__(self, on: date, minimums: Sequence[int]) -> None:
        self.on = on
        self.minimum_index = {minimum: i for i, minimum in enumerate(minimums)}
        self.width = len(minimums)
        self.first_day = window_start(on)
        #: policy → (id, stages, index of its minimum, time until its last stage)
        self._policies: dict[SupervisionPolicy, tuple[int, tuple[Stage, ...], int, timedelta]] = {}
        self._expected: dict[tuple[int, date | None], int] = {}
        self._next_due: dict[tuple[int, date | None, date | None], date] = {}

    def _facts(self, policy: SupervisionPolicy) -> tuple[int, tuple[Stage, ...], int, timedelta]:
        found = self._policies.get(policy)
        if found is None:
            stages = stages_of(policy)
            found = self._policies[policy] = (
                policy.id,
                stages,
                self.minimum_index[policy.min_minutes],
                timedelta(weeks=stages[-1].from_week),
            )
        return found

    def judge(
        self,
        policy: SupervisionPolicy,
        anchor: date,
        window: Sequence[Any] | None,
        base: int,
        last: date | None,
    ) -> Compliance:
        """The compliance of someone anchored at ``anchor``: ``window``, a row of
        ``window_query`` whose block of columns from ``base`` reduces their sessions from
        the start of their window (the later of the 12 months' first day and the anchor;
        None when there are none), and ``last``, the last session they attended by the date
        (on any day)."""
        on, first_day = self.on, self.first_day
        policy_id, stages, minimum, settle = self._facts(policy)
        start = anchor if anchor > first_day else first_day
        # From ``settled`` the last stage runs on, whatever the anchor: people settled by the
        # window's first day share the expected count, and a next due date per last day.
        settled = anchor + settle
        key = (policy_id, None if settled <= first_day else anchor)
        expected = self._expected.get(key)
        if expected is None:
            expected = self._expected[key] = expected_sessions(stages, anchor, first_day, on)
        days = None if window is None else window[base]
        if days:  # None or 0: no session since the start of the window
            width = self.width
            sessions, full = days, window[base + 1 + minimum]  # type: ignore[index]
            first, last_in, step = window[base + 1 + width : base + 4 + width]  # type: ignore[index]
            longest_gap = max((first - start).days, (on - last_in).days)
            if step is not None and step - 1 > longest_gap:
                longest_gap = step - 1
        else:
            longest_gap = (on - start).days + 1
            sessions = full = 0
        after = None if last is None else last + ONE_DAY
        due_key = (policy_id, None if after is not None and settled <= after else anchor, last)
        next_due = self._next_due.get(due_key)
        if next_due is None:
            if after is None:
                next_due = add_interval(anchor, stage_on(stages, anchor, anchor))
            else:
                next_due = add_interval(last, stage_on(stages, anchor, after))  # type: ignore[arg-type]
            self._next_due[due_key] = next_due
        return Compliance(
            expected,
            sessions,
            full,
            last,
            (on - last).days if last else None,
            max(longest_gap, 0),
            next_due,
            next_due < on,
        )


def judge_people(
    on: date,
    *,
    viewer: User | None = None,
    team_id: int | None = None,
    ordered: bool = True,
) -> list[Judged]:
    """Everyone in post on ``on`` (whom ``viewer`` reports on; everyone for None) with their
    policy and compliance, by team and name (in no order unless ``ordered``), in a few
    queries: the policies, the people, their sessions reduced (and again for those anchored
    inside the 12 months, when everyone is read), and the last session before the 12 months
    of people with none in them."""
    matcher = PolicyMatcher()
    policies = [p for p in (matcher.asye, *matcher.general) if p is not None]
    minimums = sorted({p.min_minutes for p in policies}) or [DEFAULT_MIN_MINUTES]
    first_day = window_start(on)
    judge = _Judge(on, minimums)
    asye = matcher.asye
    query = people_with_spells(
        on, scope=viewer_scope(viewer) if viewer is not None else None, team_id=team_id
    )
    if ordered:
        query = query.order_by(Team.name, Staff.last_name, Staff.first_name, Staff.id)
    rows = db.session.connection().execute(query).all()
    if not rows:
        return []
    # Everyone in post (the command line, HR...): everyone's sessions are reduced from the
    # 12 months' first day, then again from their anchor for those anchored later (new
    # starters, the ASYE). Otherwise only theirs are read, from both anchors (the ids as a
    # parameter: the planner sees how few).
    everyone = viewer_can_see_all(viewer) and team_id is None
    windows = _windows(
        None if everyone else [row[0] for row in rows],
        first_day,
        on,
        minimums,
        anchored=not everyone,
    )
    # Many people share a post: the policy is matched once per post (and, for newly
    # qualified social workers, per start), then anchored as the matcher anchors it.
    matched: dict[tuple[Any, ...], SupervisionPolicy | None] = {}
    found: list[tuple[InPost, SupervisionPolicy | None, date | None]] = []
    for row in rows:
        person = InPost._make(row)
        nqsw = person.start_origin == NQSW_ORIGIN
        key = (
            person.post_title,
            person.org_role,
            person.grade,
            nqsw,
            person.spell_start if nqsw else None,
        )
        if key not in matched:
            choice = matcher.choose(
                post_title=person.post_title,
                org_role=person.org_role,
                grade=person.grade,
                start_origin=person.start_origin,
                spell_start=person.spell_start,
                first_start=person.first_start,
                on=on,
            )
            matched[key] = None if choice is None else choice.policy
        policy = matched[key]
        anchor = None
        if policy is not None:
            anchor = person.spell_start if policy is asye else person.first_start
        found.append((person, policy, anchor))
    # Each window row: the staff id, the last day, then a block of columns per anchor:
    # days, full-length days per minimum, first day, last day, longest step.
    block = len(minimums) + 4
    late: dict[int, Any] = {}
    if everyone:
        late_ids = [
            p.staff_id for p, _, anchor in found if anchor is not None and anchor > first_day
        ]
        if late_ids:
            late = _windows(late_ids, first_day, on, minimums, anchored=True)
    # People with no session in the 12 months: their last session is looked up before them.
    quiet = [
        p.staff_id for p, policy, _ in found if policy is not None and p.staff_id not in windows
    ]
    before = last_before(quiet, first_day) if quiet else {}
    out = []
    for person, policy, anchor in found:
        if policy is None or anchor is None:
            out.append(Judged(person, None, None))
            continue
        staff_id = person.staff_id
        if everyone and staff_id not in late:  # reduced from the 12 months' first day
            window, base = windows.get(staff_id), 2
        else:  # reduced from both anchors
            window = (late if everyone else windows).get(staff_id)
            base = 2 + block if policy is asye else 2
        last = before.get(staff_id) if window is None else window[1]
        out.append(Judged(person, policy, judge.judge(policy, anchor, window, base, last)))
    return out


@dataclass
class Tally:
    """People in post on a day (in a team, or the whole authority) judged against their
    supervision policy: what ``judge_people`` finds for each of them, added up."""

    #: People in post, whether or not a policy applies to them.
    people: int = 0
    #: Those of them a policy applies to: the people judged.
    with_policy: int = 0
    within: int = 0
    overdue: int = 0
    #: Days with a session held in the 12 months, added up over the people judged.
    sessions: int = 0


def day_counts(minimums: Sequence[int], since: Sequence[Any] = (None,)) -> list[Any]:
    """SQL aggregates over ``SupervisionAttendee`` rows of held sessions, for each of
    ``since`` (a date, or None for every row): the days with a session (two on one day
    count once) and, for each of ``minimums``, the days with one lasting at least that
    long, counting only days on or after it. Unlike ``window_query`` they find no gaps, so
    they need no window function: counting distinct days takes about half the time."""
    day, minutes = SupervisionAttendee.held_on, SupervisionAttendee.minutes
    columns = []
    for start in since:
        counted = [] if start is None else [day >= start]
        columns.append(func.count(distinct(case((and_(*counted), day)) if counted else day)))
        columns += [
            func.count(distinct(case((and_(*counted, minutes >= m), day)))) for m in minimums
        ]
    return columns


def _people_on(count: int, scope: Any) -> Any:
    """SQL (a CTE): for each of ``count`` days (``i``, its index, with the first day of its
    12 months, ``first_day``, and the day, ``on``: parameters ``first_i`` and ``on_i``),
    each person in post on it (matching ``scope``, a condition on ``Staff``) with the team,
    post, grade, role, start origin and start of their spell in force (the latest started,
    where two are) and the start of their earliest spell."""
    selects = [
        select(
            literal(index, Integer).label("i"),
            bindparam(f"first_{index}", type_=Date).label("first_day"),
            bindparam(f"on_{index}", type_=Date).label("on"),
        )
        for index in range(count)
    ]
    table = (selects[0] if count == 1 else union_all(*selects)).subquery("days")
    spell = aliased(EmploymentSpell, name="in_post")
    earliest = (
        select(
            EmploymentSpell.staff_id.label("staff_id"),
            func.min(EmploymentSpell.start_date).label("first_start"),
        )
        .group_by(EmploymentSpell.staff_id)
        .subquery("earliest")
    )
    query = (
        select(
            table.c.i,
            table.c.first_day,
            table.c.on,
            spell.staff_id,
            spell.team_id,
            spell.post_title,
            spell.org_role,
            spell.grade,
            spell.start_origin,
            spell.start_date.label("spell_start"),
            earliest.c.first_start,
        )
        .select_from(table)
        .join(spell, spell_in_force(spell, table.c.on))
        .join(earliest, earliest.c.staff_id == spell.staff_id)
        .where(no_later_spell(spell, table.c.on))
    )
    if scope is not None:
        query = query.join(Staff, Staff.id == spell.staff_id).where(scope)
    return query.cte("people")


def _tally_query(count: int, minimums: tuple[int, ...], scope: Any = None) -> Any:
    """SQL for ``tally_compliance`` on ``count`` days (see ``_people_on``): a row per day
    and person in post: ``i``, the staff id, team id, post title, role, grade, start
    origin, start of the spell in force, start of the first spell, the last day with a
    session in the 12 months (None: none), then ``day_counts`` over the 12 months and, for
    people whose first post or ASYE post started inside them, from the start of each."""
    people = _people_on(count, scope)
    attendee = SupervisionAttendee
    # Each day's 12 months reduced, read in the order of the attendees' index (no join, no
    # sort); with a scope, only the sessions of the people in it.
    parts = []
    for index in range(count):
        part = select(
            literal(index, Integer).label("i"),
            attendee.staff_id,
            func.max(attendee.held_on).label("last"),
            *day_counts(minimums),
        ).where(
            attendee.held,
            attendee.held_on >= bindparam(f"first_{index}", type_=Date),
            attendee.held_on <= bindparam(f"on_{index}", type_=Date),
        )
        if scope is not None:
            part = part.where(
                attendee.staff_id.in_(select(people.c.staff_id).where(people.c.i == index))
            )
        parts.append(part.group_by(attendee.staff_id))
    window = (parts[0] if count == 1 else union_all(*parts)).subquery("in_window")
    # Those whose first post, or ASYE post, started inside the 12 months may be anchored
    # later (the matcher gives the ASYE policy to newly qualified starters alone): their
    # days counted from each possible anchor, read person by person through the index.
    late = (
        select(people)
        .where(
            or_(
                people.c.first_start > people.c.first_day,
                and_(
                    people.c.start_origin == NQSW_ORIGIN,
                    people.c.spell_start > people.c.first_day,
                ),
            )
        )
        .subquery("late")
    )
    late_window = (
        select(
            late.c.i,
            late.c.staff_id,
            *day_counts(minimums, (late.c.first_start, late.c.spell_start)),
        )
        .select_from(late)
        .join(
            attendee,
            and_(
                attendee.staff_id == late.c.staff_id,
                attendee.held,
                attendee.held_on >= late.c.first_day,
                attendee.held_on <= late.c.on,
            ),
        )
        .group_by(late.c.i, late.c.staff_id)
        .subquery("late_window")
    )
    return (
        select(
            people.c.i,
            people.c.staff_id,
            people.c.team_id,
            people.c.post_title,
            people.c.org_role,
            people.c.grade,
            people.c.start_origin,
            people.c.spell_start,
            people.c.first_start,
            window.c.last,
            *list(window.c)[3:],
            *list(late_window.c)[2:],
        )
        .select_from(people)
        .outerjoin(window, and_(window.c.i == people.c.i, window.c.staff_id == people.c.staff_id))
        .outerjoin(
            late_window,
            and_(late_window.c.i == people.c.i, late_window.c.staff_id == people.c.staff_id),
        )
    )


#: The statement for everyone, built once per number of days and minimums: building it took
#: 5 to 8 ms of the team view's 65 at county scale, ten times what PostgreSQL takes to plan it.
_tally_query_for_everyone = lru_cache(maxsize=32)(_tally_query)

#: Where a person's figures go in a group's list of counts.
_PEOPLE, _WITH_POLICY, _WITHIN, _OVERDUE, _SHORT, _SESSIONS = range(6)


def tally_compliance(
    days: Sequence[date], *, scope: Any = None, by_team: bool = False
) -> dict[date, dict[int | None, Tally]]:
    """On each of ``days``, the people in post then (matching ``scope``, a condition on
    ``Staff``; everyone for None) judged as ``judge_people`` judges them, added up by the
    team of their post (``by_team``: by its id) or all together (under None); a team with
    nobody in post is left out.

    Only the counts are needed, so the work is shared. One query for every day gives each
    person in post with their post, anchors and sessions reduced (``_tally_query``). The
    policy is chosen once per post, as ``judge_people`` chooses it. People who share a
    day, a policy, an anchor where it matters, their full-length days and their last day
    share a verdict, worked out once. The last session before the 12 months is looked up
    for those with none in them."""
    matcher = PolicyMatcher()
    policies = [p for p in (matcher.asye, *matcher.general) if p is not None]
    minimums = tuple(sorted({p.min_minutes for p in policies}) or [DEFAULT_MIN_MINUTES])
    firsts = [window_start(day) for day in days]
    dialect = db.session.get_bind().dialect.name
    if scope is None:
        query = _tally_query_for_everyone(len(days), minimums)
    else:
        query = _tally_query(len(days), minimums, scope)
    values = {f"first_{i}": first for i, first in enumerate(firsts)}
    values.update((f"on_{i}", day) for i, day in enumerate(days))
    width = 1 + len(minimums)
    minimum_index = {m: n for n, m in enumerate(minimums)}
    #: Per policy: id, whether it is the ASYE's, stages, index of its minimum, and the time
    #: from the anchor to its last stage (from then on the anchor changes nothing).
    facts = {
        policy.id: (
            policy.id,
            bool(policy.applies_to_asye),
            stages_of(policy),
            minimum_index[policy.min_minutes],
            timedelta(weeks=stages_of(policy)[-1].from_week),
        )
        for policy in policies
    }
    expected: dict[tuple[Any, ...], int] = {}
    verdicts: dict[tuple[Any, ...], int] = {}

    def verdict(
        i: int, policy_id: int, for_expected: date | None, for_due: date | None, full: int,
        last: date | None,
    ) -> int:  # fmt: skip
        """``_WITHIN``, ``_OVERDUE`` or ``_SHORT``, for someone under ``policy_id`` on day
        ``i`` anchored at ``for_expected`` for the sessions expected and at ``for_due`` for
        the next due (None: settled into the policy's last stage by then), with ``full``
        full-length days in the 12 months and ``last`` their last session."""
        _, _, stages, _, to_last_stage = facts[policy_id]
        day, first_day = days[i], firsts[i]
        key = (i, policy_id, for_expected)
        needed = expected.get(key)
        if needed is None:
            # Where the anchor changes nothing: one whose last stage starts on the first day.
            start = first_day - to_last_stage if for_expected is None else for_expected
            needed = expected[key] = expected_sessions(stages, start, first_day, day)
        if last is None:
            assert for_due is not None
            next_due = add_interval(for_due, stage_on(stages, for_due, for_due))
        else:
            # One interval after the last, of the stage in force the day after it.
            after = last + ONE_DAY
            start = after - to_last_stage if for_due is None else for_due
            next_due = add_interval(last, stage_on(stages, start, after))
        if next_due < day:
            return _OVERDUE
        return _WITHIN if full >= needed else _SHORT

    matched: dict[tuple[Any, ...], Any] = {}
    counts: dict[tuple[int, int | None], list[int]] = {}
    #: People with no session in a day's 12 months, by day: their counts, policy, anchor.
    quiet: dict[int, list[tuple[int, list[int], int, date]]] = defaultdict(list)
    text_dates = dialect == "sqlite"
    # Plain tuples from the driver: hundreds of thousands of rows at national scale.
    for row in plain_rows(db.session.connection().execute(query, values)):
        i, staff_id, team_id, post_title, org_role, grade, origin, spell_start, first_start = row[
            :9
        ]
        last = row[9]
        group = (i, team_id if by_team else None)
        tally = counts.get(group)
        if tally is None:
            tally = counts[group] = [0] * 6
        tally[_PEOPLE] += 1
        if text_dates:
            spell_start, first_start, last = map(as_date, (spell_start, first_start, last))
        nqsw = origin == NQSW_ORIGIN
        key = (i, post_title, org_role, grade, nqsw, spell_start if nqsw else None)
        policy = matched.get(key, False)
        if policy is False:
            choice = matcher.choose(
                post_title=post_title,
                org_role=org_role,
                grade=grade,
                start_origin=origin,
                spell_start=spell_start,
                first_start=first_start,
                on=days[i],
            )
            policy = matched[key] = None if choice is None else facts[choice.policy.id]
        if policy is None:
            continue
        tally[_WITH_POLICY] += 1
        policy_id, asye, _, minimum, to_last_stage = policy
        anchor = spell_start if asye else first_start
        if last is None:
            quiet[i].append((staff_id, tally, policy_id, anchor))
            continue
        first_day = firsts[i]
        # Once the anchor's policy has reached its last stage by the first day, the anchor
        # changes neither the sessions expected nor (the last day being in the 12 months)
        # the next one due.
        unsettled = None if anchor + to_last_stage <= first_day else anchor
        # Counted from the anchor where it is inside the 12 months.
        at = 10 if anchor <= first_day else 10 + width + (width if asye else 0)
        full = row[at + 1 + minimum] or 0
        tally[_SESSIONS] += row[at] or 0
        judged = (i, policy_id, unsettled, unsettled, full, last)
        outcome = verdicts.get(judged)
        if outcome is None:
            outcome = verdicts[judged] = verdict(*judged)
        tally[outcome] += 1
    for i, waiting in quiet.items():
        day, first_day = days[i], firsts[i]
        # Anchored before the 12 months, with no session in them: their next session was due
        # one interval after their last session or their anchor, both before the first day;
        # so at the latest one interval (the policy's longest) after the day before it.
        # Where that is before the day, they are overdue, whenever their last session was.
        surely_overdue = {
            policy_id: max(add_interval(first_day - ONE_DAY, stage) for stage in stages) < day
            for policy_id, _, stages, _, _ in facts.values()
        }
        undecided = []
        for entry in waiting:
            _, tally, policy_id, anchor = entry
            if anchor < first_day and surely_overdue[policy_id]:
                tally[_OVERDUE] += 1
            else:
                undecided.append(entry)
        before = (
            last_before(sorted({staff_id for staff_id, *_ in undecided}), first_day)
            if undecided
            else {}
        )
        for staff_id, tally, policy_id, anchor in undecided:
            last = before.get(staff_id)
            settled = anchor + facts[policy_id][4]
            for_expected = None if settled <= first_day else anchor
            # After the anchor, where there is no last session.
            for_due = None if last is not None and settled <= last + ONE_DAY else anchor
            judged = (i, policy_id, for_expected, for_due, 0, last)
            outcome = verdicts.get(judged)
            if outcome is None:
                outcome = verdicts[judged] = verdict(*judged)
            tally[outcome] += 1
    out: dict[date, dict[int | None, Tally]] = {day: {} for day in days}
    for (i, group), figures in counts.items():
        out[days[i]][group] = Tally(
            people=figures[_PEOPLE],
            with_policy=figures[_WITH_POLICY],
            within=figures[_WITHIN],
            overdue=figures[_OVERDUE],
            sessions=figures[_SESSIONS],
        )
    return out


COMPLIANCE_GROUPINGS: tuple[tuple[str, str], ...] = (("person", "Person"), ("team", "Team"))

PERSON_COLUMNS = [
    Column("name", "Name"),
    Column("staff_number", "Staff number"),
    Column("team", "Team", description="The team of the person's post on the date."),
    Column("post", "Post"),
    Column(
        "policy",
        "Policy",
        description="The supervision policy for the post (the ASYE policy in a newly "
        "qualified social worker's first year).",
    ),
    Column(
        "expected",
        "Sessions expected",
        "integer",
        "Sessions the policy asks for in the 12 months up to the date (from the start of the "
        "post, for someone newer), rounded down.",
    ),
    Column(
        "sessions",
        "Sessions held",
        "integer",
        "Days with a session held in the 12 months up to the date (two on one day count once); "
        "group sessions count for every attendee; cancelled and rescheduled ones never count.",
    ),
    Column(
        "full_length",
        "Full-length sessions",
        "integer",
        "Sessions held lasting at least the policy's minimum (90 minutes by default).",
    ),
    Column("last_held", "Last session", "date", "The last session held on or before the date."),
    Column("days_since_last", "Days since last", "integer"),
    Column(
        "longest_gap",
        "Longest gap (days)",
        "integer",
        "The longest run of days without a session in the 12 months, counting from the "
        "window's start to the first session and from the last session to the date.",
    ),
    Column(
        "next_due",
        "Next due",
        "date",
        "One interval of the policy after the last session (after the start of the post, "
        "when there has been none).",
    ),
    Column(
        "status",
        "Status",
        description="Overdue when the next session was due before the date; otherwise within "
        "policy with at least as many full-length sessions as expected, and short of "
        "sessions without.",
    ),
]
TEAM_COLUMNS = [
    Column("team", "Team", description="The team of each person's post on the date."),
    Column("people", "People in post with a policy", "integer"),
    Column("within", "Within policy", "integer"),
    Column("within_rate", "Within policy (%)", "percent", "Within policy, over people."),
    Column("short", "Short of sessions", "integer"),
    Column("overdue", "Overdue", "integer"),
    Column(
        "sessions",
        "Sessions held in the last 12 months",
        "integer",
        "The people's sessions held in the 12 months up to the date, added up (each person's "
        "'sessions held' of the person rows).",
    ),
    Column(
        "sessions_per_person",
        "Sessions per person per year",
        "decimal",
        "Sessions held in the last 12 months over the people in post with a policy.",
    ),
]
STATUS_COLUMNS = [
    Column("status", "Status"),
    Column("people", "People", "integer"),
    Column("share", "Share of people (%)", "percent"),
]
COMPLIANCE_FIGURES = [
    Column("people", "People in post with a policy", "integer"),
    Column("within", "Within policy", "integer"),
    Column("within_rate", "Within policy (%)", "percent"),
    Column("short", "Short of sessions", "integer"),
    Column("overdue", "Overdue", "integer"),
    Column("sessions", "Sessions held in the last 12 months", "integer"),
    Column("sessions_per_person", "Sessions per person per year", "decimal"),
    Column("no_policy", "People in post whose post matches no policy", "integer"),
]


def _per_person(total: int, people: int) -> Decimal | None:
    """Sessions per person per year, to two places."""
    figure = sessions_per_person_per_year(total, people)
    return None if figure is None else Decimal(str(figure)).quantize(TWO_PLACES, ROUND_HALF_UP)


def _share(value: float | None) -> Decimal | None:
    """A proportion as the other rates give it: a Decimal to four places."""
    return None if value is None else Decimal(str(value)).quantize(RATE_PLACES, ROUND_HALF_UP)


def _tally(items: Sequence[Judged]) -> dict[str, Any]:
    judged = [item.result for item in items if item.result is not None]
    counts = Counter(result.status for result in judged)
    sessions = sum(result.sessions for result in judged)
    return {
        "people": len(judged),
        "within": counts["within"],
        "within_rate": rate(counts["within"], len(judged)),
        "short": counts["short"],
        "overdue": counts["overdue"],
        "sessions": sessions,
        "sessions_per_person": _per_person(sessions, len(judged)),
    }


def _person_row(item: Judged) -> dict[str, Any]:
    person, result = item.person, item.result
    row: dict[str, Any] = {
        "_staff_id": person.staff_id,
        "name": f"{person.last_name}, {person.first_name}",
        "staff_number": person.staff_number,
        "team": person.team,
        "post": person.post_title or "",
        "policy": item.policy.name if item.policy is not None else NO_POLICY,
    }
    if result is None:
        row.update(
            dict.fromkeys(
                (
                    "expected",
                    "sessions",
                    "full_length",
                    "last_held",
                    "days_since_last",
                    "longest_gap",
                    "next_due",
                )
            ),
            status="",
        )
        return row
    row.update(
        expected=result.expected,
        sessions=result.sessions,
        full_length=result.full_length,
        last_held=result.last_held,
        days_since_last=result.days_since_last,
        longest_gap=result.longest_gap,
        next_due=result.next_due,
        status=STATUS_LABELS[result.status],
    )
    return row


@report(
    "supervision-compliance",
    title="Supervision compliance",
    description=(
        "Each person in post against their supervision policy: sessions expected and held in "
        "the last 12 months, full-length sessions, days since the last one, the longest gap, "
        "when the next is due, and whether they are within policy, short of sessions or "
        "overdue; or the same by team, with sessions per person per year."
    ),
    roles=SUPERVISION_REPORT_ROLES,
    accepts=("on", "team", "by"),
    by_choices=COMPLIANCE_GROUPINGS,
)
def build_supervision_compliance(params: Parameters, viewer: User | None) -> Report:
    """The supervision compliance report (one row per person, or per team)."""
    on = params.on or date.today()
    by = params.by or "person"
    judged = judge_people(on, viewer=viewer, team_id=params.team_id)
    summary = _tally(judged)
    summary["no_policy"] = sum(1 for item in judged if item.result is None)
    sections: list[Table] = []
    if by == "team":
        teams: dict[str, list[Judged]] = defaultdict(list)
        for item in judged:
            teams[item.person.team].append(item)
        rows = [
            {"team": team, **_tally(items)}
            for team, items in sorted(teams.items(), key=lambda pair: pair[0].casefold())
        ]
        columns = TEAM_COLUMNS
        chart = Chart(title="People within policy by team", label="team", series=("within_rate",))
    else:
        rows = [_person_row(item) for item in judged]
        columns = PERSON_COLUMNS
        counted = summary["people"]
        sections.append(
            Table(
                "by_status",
                "People by status",
                STATUS_COLUMNS,
                [
                    {"status": label, "people": summary[key], "share": rate(summary[key], counted)}
                    for key, label in STATUS_LABELS.items()
                ],
            )
        )
        chart = Chart(
            title="People by supervision status",
            label="status",
            series=("people",),
            table="by_status",
        )
    return Report(
        name="supervision-compliance",
        title="Supervision compliance",
        parameters={},
        columns=columns,
        rows=rows,
        summary=summary,
        figures=COMPLIANCE_FIGURES,
        sections=sections,
        chart=chart,
        notes=[
            f"Standing on {on.isoformat()}: people in post that day, with the team and post of "
            "their employment spell in force. Each is judged against the supervision policy "
            "for their post: the ASYE policy (weekly for 6 weeks, fortnightly to 6 months, then "
            "monthly) in a newly qualified social worker's first year, counted from the start "
            "of that post; otherwise the most specific policy matching the post title, grade or "
            "census role, counted from the start of their first post.",
            "The 12 months run from the day after the same date a year earlier to the date "
            "itself, or from the start of the post for someone newer. A session counts for "
            "every supervisee who attended it (group supervision for each attendee); cancelled "
            "and rescheduled sessions and sessions after the date never count.",
            "Within policy: not overdue, and at least as many full-length sessions as the "
            "policy expects. Short of sessions: not overdue, but too few full-length sessions. "
            "Overdue: the next session was due before the date.",
            "Sessions per person per year: the sessions held in the 12 months up to the date "
            "by the people in post on it (each person's 'sessions held'), divided by the "
            "number of those people (not by person-years: a new starter counts as one person "
            "though their sessions cover only their time in post).",
            "Only dates, counts and judgements are shown: never the notes of a session.",
            "Percentages are shown as percentages on the page and in the spreadsheet, as "
            "proportions between 0 and 1 in CSV and JSON.",
        ],
    )


# --- quality audits -------------------------------------------------------------------------

AUDIT_GROUPINGS: tuple[tuple[str, str], ...] = (
    ("quarter", "Quarter"),
    ("month", "Month"),
    ("team", "Team"),
)
GRADE_COLUMNS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
}
assert set(GRADE_COLUMNS) == set(AUDIT_GRADES)


def _audit_columns(by: str) -> list[Column]:
    columns = [
        {
            "month": Column("period", "Month"),
            "quarter": Column("period", "Quarter"),
            "team": Column(
                "period",
                "Team",
                description="The team of the audited session's supervisor on the day of the "
                "session.",
            ),
        }[by]
    ]
    if by != "team":
        columns += [Column("from", "From", "date"), Column("to", "To", "date")]
    columns.append(Column("audits", "Audits", "integer", "Records audited in the period."))
    columns += [Column(grade, label, "integer") for grade, label in GRADE_COLUMNS.items()]
    columns.append(
        Column(
            "good_or_better_rate",
            "Good or better (%)",
            "percent",
            "Audits graded good or outstanding, over audits.",
        )
    )
    columns += [
        Column(f"{item}_rate", f"{label} (%)", "percent", f"Audits finding '{label}', over audits.")
        for item, label in CHECKLIST.items()
    ]
    return columns


AUDIT_FIGURES = [
    Column("audits", "Audits", "integer"),
    *(Column(grade, label, "integer") for grade, label in GRADE_COLUMNS.items()),
    Column("good_or_better_rate", "Good or better (%)", "percent"),
    *(Column(f"{item}_rate", f"{label} (%)", "percent") for item, label in CHECKLIST.items()),
]


def _audit_figures(audits: Sequence[tuple[Any, ...]]) -> dict[str, Any]:
    """Counts per grade, the share good or better, and per checklist item the share met,
    from (grade, item flags...) tuples."""
    grades = [audit[0] for audit in audits]
    counts = Counter(grades)
    figures: dict[str, Any] = {"audits": len(audits)}
    figures.update({grade: counts[grade] for grade in GRADE_COLUMNS})
    figures["good_or_better_rate"] = _share(share_good_or_better(grades))
    for index, item in enumerate(CHECKLIST, start=1):
        figures[f"{item}_rate"] = rate(sum(bool(a[index]) for a in audits), len(audits))
    return figures


def audit_rows(
    start: date,
    end: date,
    *,
    viewer: User | None = None,
    team_id: int | None = None,
) -> list[tuple[Any, ...]]:
    """(audit date, team id of the supervisor on the session day, grade, item flags...) for
    each audit dated from ``start`` to ``end``, of sessions ``viewer`` reports on."""
    spell = aliased(EmploymentSpell, name="supervisor_then")
    day = SupervisionSession.held_on
    query = (
        select(
            SupervisionAudit.audited_on,
            spell.team_id,
            SupervisionAudit.grade,
            *(getattr(SupervisionAudit, item) for item in CHECKLIST),
        )
        .join(SupervisionSession, SupervisionSession.id == SupervisionAudit.session_id)
        .outerjoin(
            spell,
            and_(spell.staff_id == SupervisionSession.supervisor_id, spell_in_force(spell, day)),
        )
        .where(
            SupervisionAudit.audited_on >= start,
            SupervisionAudit.audited_on <= end,
            no_later_spell(spell, day),
        )
    )
    if team_id is not None:
        query = query.where(spell.team_id == team_id)
    if viewer is not None:
        query = query.join(Staff, Staff.id == SupervisionSession.supervisor_id).where(
            viewer_scope(viewer)
        )
    return [tuple(row) for row in db.session.execute(query)]


def audit_statistics(
    start: date,
    end: date,
    by: str,
    *,
    viewer: User | None = None,
    team_id: int | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (per quarter, month or team) and the summary of the audit report."""
    found = audit_rows(start, end, viewer=viewer, team_id=team_id)
    rows: list[dict[str, Any]] = []
    if by == "team":
        groups: dict[int | None, list[tuple[Any, ...]]] = defaultdict(list)
        for audit in found:
            groups[audit[1]].append(audit[2:])
        names = dict(
            db.session.execute(
                select(Team.id, Team.name).where(Team.id.in_([g for g in groups if g is not None]))
            ).all()
        )
        for group, audits in groups.items():
            row: dict[str, Any] = {
                "period": names.get(group, NO_TEAM),
                "_placeholder": group is None,
            }
            row.update(_audit_figures(audits))
            rows.append(row)
        rows.sort(key=lambda r: (r["_placeholder"], r["period"].casefold()))
    else:
        periods = buckets(start, end, by)
        per_bucket: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for audit in found:
            audited_on = as_date(audit[0])
            bucket = next(b for b in periods if b.start <= audited_on <= b.end)  # type: ignore[operator]
            per_bucket[bucket.index].append(audit[2:])
        for bucket in periods:
            row = {"period": bucket.label, "from": bucket.start, "to": bucket.end}
            row.update(_audit_figures(per_bucket[bucket.index]))
            rows.append(row)
    return rows, _audit_figures([audit[2:] for audit in found])


@report(
    "supervision-audit",
    title="Supervision audits",
    description=(
        "Quality audits of supervision records per quarter, month or team: how many, the "
        "grades given, the share rated good or better, and how often each item of the "
        "checklist was met."
    ),
    roles=SUPERVISION_REPORT_ROLES,
    accepts=("period", "team", "by"),
    by_choices=AUDIT_GROUPINGS,
)
def build_supervision_audit(params: Parameters, viewer: User | None) -> Report:
    """The supervision audit report (the seed 000 "audit of supervision notes")."""
    assert params.start is not None and params.end is not None
    by = params.by or "quarter"
    rows, summary = audit_statistics(
        params.start, params.end, by, viewer=viewer, team_id=params.team_id
    )
    return Report(
        name="supervision-audit",
        title="Supervision audits",
        parameters={},
        columns=_audit_columns(by),
        rows=rows,
        summary=summary,
        figures=AUDIT_FIGURES,
        chart=Chart(
            title="Audits rated good or better",
            label="period",
            series=("good_or_better_rate",),
            horizontal=by == "team",
        ),
        notes=[
            "An audit counts in the month, quarter and period of the date it was carried out "
            "(not of the session audited). Quarters are calendar quarters (January, April, "
            "July, October), cut to the period.",
            "Team: the team of the audited session's supervisor on the day of the session "
            "(the latest started post, where two overlap); a team's audits are of the "
            "supervision its managers gave.",
            "Good or better: audits graded good or outstanding. Each checklist item's "
            "percentage is the audits finding it met, over audits.",
            "Only grades and checklist findings are shown: never the notes of the session or "
            "the auditor's comments.",
            "Percentages are shown as percentages on the page and in the spreadsheet, as "
            "proportions between 0 and 1 in CSV and JSON.",
        ],
    )
