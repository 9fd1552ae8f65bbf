"""Capability reports: ``capability-gaps`` (each person's latest ratings judged against the
level their post expects, and counts per domain) and ``appraisals`` (assessments signed off
per month, quarter or team: North East Lincolnshire's "no. of performance appraisals
against capabilities framework").

Every figure comes from a handful of set-based queries (never one per person); the
judgements are ``workforce.metrics.capability``'s.

**Which assessments count.** Only signed-off assessments; ratings and "last assessed" come
from assessments other than self-assessments, the latest per domain (the latest assessment
date, then the later assessment).

**Team.** For ``capability-gaps``, the team of each person's spell in force on the snapshot
date; for ``appraisals``, the team of the assessed person's spell in force on the assessment
date (the latest started, where two overlap).

**Who sees whom.** Supervisors see only the people they manage
(``workforce.security.visible_staff_filter``, less their own record); HR, L&D officers,
senior leaders, admins and the command line see everyone. Person-level rows carry judgements, never evidence text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import aliased

from workforce.extensions import db
from workforce.metrics.capability import (
    RATINGS,
    Judgement,
    ProfileCriteria,
    judge,
    match_profile,
    months_before,
)
from workforce.metrics.training import rate
from workforce.models import (
    Assessment,
    AssessmentRating,
    EmploymentSpell,
    FrameworkDomain,
    FrameworkLevel,
    RoleProfile,
    Staff,
    Team,
)
from workforce.models.people import spell_in_force
from workforce.reports.base import Chart, Column, Parameters, Report, Table
from workforce.reports.registry import report
from workforce.reports.sql import count_when
from workforce.reports.training import no_later_spell, people_in_post
from workforce.security import SEE_ALL_STAFF, visible_staff_filter
from workforce.services.capability import ASSESSMENT_DUE_MONTHS, active_profiles

if TYPE_CHECKING:
    from workforce.models import User

#: Roles that run the capability reports (admin always may); supervisors see their staff.
CAPABILITY_REPORT_ROLES = ("hr", "ld_officer", "senior_leader", "supervisor")

NO_TEAM = "No team recorded"
NO_PROFILE = "No role profile matches this post"
#: The columns of a person whose post matches no role profile.
UNPROFILED: dict[str, Any] = {
    "role_profile": NO_PROFILE,
    "framework": "",
    "level": "",
    "domains": None,
    "meeting": None,
    "below": None,
    "below_domains": "",
    "not_assessed": None,
}


def viewer_scope(viewer: User) -> Any:
    """SQL condition on ``Staff``: the people ``viewer`` reports on. Supervisors get the
    people they manage (not their own record, as on the list of assessments due); roles that
    see all staff get everyone."""
    condition = visible_staff_filter(viewer)
    if viewer.staff_id is not None and not viewer.has_role(*SEE_ALL_STAFF):
        condition = and_(condition, Staff.id != viewer.staff_id)
    return condition


# --- capability gaps ------------------------------------------------------------------------


def _level_text(profile: RoleProfile) -> str:
    if profile.pathway is not None:
        return f"{profile.level.name}: {profile.pathway.name}"
    return profile.level.name


@dataclass
class _DomainTally:
    framework: str
    domain: str
    expected: int = 0
    meeting: int = 0
    below: int = 0
    not_assessed: int = 0


GAP_COLUMNS = [
    Column("name", "Name"),
    Column("staff_number", "Staff number"),
    Column("team", "Team", description="The team of the person's post on the date."),
    Column("post", "Post"),
    Column(
        "role_profile",
        "Role profile",
        description="The role profile matching the post (most specific match wins).",
    ),
    Column("framework", "Expected framework"),
    Column("level", "Expected level", description="With the pathway, where the level has them."),
    Column(
        "last_assessed",
        "Last assessed",
        "date",
        "The latest signed-off assessment other than a self-assessment, up to the date.",
    ),
    Column("domains", "Domains", "integer", "Current domains of the expected framework."),
    Column("meeting", "Meeting expectation", "integer"),
    Column("below", "Below expectation", "integer"),
    Column("below_domains", "Domains below expectation"),
    Column(
        "not_assessed",
        "Not assessed",
        "integer",
        "Domains with no rating, or rated below 'meets' at a higher level than expected.",
    ),
]
DOMAIN_COLUMNS = [
    Column("domain", "Domain"),
    Column("framework", "Framework"),
    Column("expected", "People expected", "integer", "People whose profile uses the framework."),
    Column("meeting", "Meeting expectation", "integer"),
    Column("below", "Below expectation", "integer"),
    Column("not_assessed", "Not assessed", "integer"),
    Column("meeting_rate", "Meeting expectation (%)", "percent", "Meeting, over people expected."),
]
GAP_FIGURES = [
    Column("people", "People in post", "integer"),
    Column("people_with_gap", "People with at least one gap", "integer"),
    Column(
        "never_assessed",
        "People never assessed",
        "integer",
        "No signed-off assessment other than a self-assessment up to the date.",
    ),
    Column("unprofiled", "People whose post matches no role profile", "integer"),
    Column("judgements", "Domain judgements", "integer", "People with a profile times domains."),
    Column("judgements_meeting", "Domain judgements meeting expectation", "integer"),
    Column("judgements_meeting_rate", "Domain judgements meeting expectation (%)", "percent"),
]


#: Rows fetched at a time where a report reads many (``_streamed``).
STREAM_BATCH = 500
#: Bits of a domain bitmask per SQL integer (a signed 64-bit integer holds 62 safely).
WORD_BITS = 62


@dataclass(frozen=True)
class _Expected:
    """What a role profile expects, as plain values: its framework's current domains are
    the ``len(domains)`` bits from ``shift`` of a ``_DomainBits`` bitmask."""

    name: str
    framework_id: int
    framework: str
    level: str
    position: int
    domains: tuple[str, ...]
    shift: int
    #: By the position of the level a rating was given at: the indexes (in ``RATINGS``)
    #: of the ratings that meet expectation there and of those below it
    #: (``workforce.metrics.capability.judge``), filled as needed.
    verdicts: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = field(
        default_factory=dict, compare=False
    )

    @property
    def mask(self) -> int:
        """The bits of the framework's current domains, from bit 0."""
        return (1 << len(self.domains)) - 1

    def judged_at(self, position: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The indexes (in ``RATINGS``) of the ratings given at the level at ``position``
        that meet expectation, and of those below it."""
        found = self.verdicts.get(position)
        if found is None:
            judged = [judge(rating, position, self.position) for rating in RATINGS]
            found = (
                tuple(i for i, j in enumerate(judged) if j is Judgement.MEETS),
                tuple(i for i, j in enumerate(judged) if j is Judgement.BELOW),
            )
            self.verdicts[position] = found
        return found


@dataclass(frozen=True)
class _DomainBits:
    """Every current domain's bit in one bitmask: each framework's current domains, in
    order, on consecutive bits from its ``offset``. In SQL the bitmask is split into
    ``words`` integers of ``WORD_BITS`` bits."""

    offset: dict[int, int]
    bit_of: dict[int, int]
    words: int

    @classmethod
    def of(cls, domains: dict[int, list[FrameworkDomain]]) -> _DomainBits:
        offset: dict[int, int] = {}
        bit_of: dict[int, int] = {}
        for framework_id, listed in domains.items():
            offset[framework_id] = len(bit_of)
            for domain in listed:
                bit_of[domain.id] = len(bit_of)
        return cls(offset, bit_of, -(-len(bit_of) // WORD_BITS))

    def bit(self, word: int) -> Any:
        """SQL: the bit on ``word`` of ``AssessmentRating``'s domain (NULL for a domain
        retired or on another word)."""
        return case(
            {
                domain_id: literal(1 << bit % WORD_BITS, BigInteger)
                for domain_id, bit in self.bit_of.items()
                if bit // WORD_BITS == word
            },
            value=AssessmentRating.domain_id,
        )

    def combine(self, words: Sequence[Any]) -> int | None:
        """One bitmask from its words (None when every word is None)."""
        if len(words) == 1:
            return None if words[0] is None else int(words[0])
        found = [(i, int(w)) for i, w in enumerate(words) if w is not None]
        return sum(w << (i * WORD_BITS) for i, w in found) if found else None

    def per_rating(self, given: Sequence[Any]) -> list[int]:
        """The bitmask of each rating of ``RATINGS`` (in order; 0 for none) from SQL's
        words, rating by rating."""
        words = self.words
        if words == 1:
            return [int(w) if w is not None else 0 for w in given]
        return [self.combine(given[i * words : (i + 1) * words]) or 0 for i in range(len(RATINGS))]


#: A person's latest rating of each current domain (the latest assessment date, then the
#: later assessment, as ``workforce.metrics.capability.latest_ratings``), as
#: ``_latest_ratings`` gives it: the date they were last assessed, then for each position
#: of a level their latest ratings were given at, the position and the bitmask
#: (``_DomainBits``) of the domains given each rating of ``RATINGS`` (in order) there. Each
#: domain is on one bit of one mask at most. One flat tuple of plain values, which the
#: garbage collector stops tracking at once (a national report holds tens of thousands).
_Latest = tuple[Any, ...]
#: How many values of a ``_Latest`` each position takes.
_STRIDE = 1 + len(RATINGS)


def _in_post_staff(on: date, *, scope: Any, team_id: int | None) -> Any:
    """SQL: the ids of the people with a spell in force on ``on`` (in ``team_id`` and
    matching ``scope`` where given)."""
    in_post = select(EmploymentSpell.staff_id).where(spell_in_force(EmploymentSpell, on))
    if scope is not None:
        in_post = in_post.join(Staff, Staff.id == EmploymentSpell.staff_id).where(scope)
    if team_id is not None:
        in_post = in_post.where(EmploymentSpell.team_id == team_id)
    return in_post


def _counted(on: date, *, scope: Any, team_id: int | None) -> list[Any]:
    """SQL conditions on ``Assessment``: signed off, not a self-assessment, up to ``on``, of
    a person in post on ``on`` (``_in_post_staff``)."""
    return [
        Assessment.status == "signed_off",
        Assessment.kind != "self",
        Assessment.assessed_on <= on,
        Assessment.staff_id.in_(_in_post_staff(on, scope=scope, team_id=team_id)),
    ]


def _latest_ratings(
    on: date, bits: _DomainBits, *, scope: Any, team_id: int | None
) -> dict[int, _Latest]:
    """Each person's latest rating of each current domain (``_Latest``), from their
    signed-off assessments other than self-assessments up to ``on`` that rate any domain,
    for the people in post on ``on`` (in ``team_id`` and matching ``scope`` where given);
    people never assessed are left out.

    An assessment's ratings count for the domains no later assessment of the person rates.
    PostgreSQL works that out (``_latest_by_window``); elsewhere each assessment comes
    back, latest first, with its ratings as bitmasks, and is folded here."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _latest_by_window(on, bits, scope=scope, team_id=team_id)
    words = bits.words
    query = (
        select(Assessment.staff_id, Assessment.assessed_on, func.max(FrameworkLevel.position))
        .join(AssessmentRating, AssessmentRating.assessment_id == Assessment.id)
        .join(FrameworkLevel, FrameworkLevel.id == Assessment.level_id)
        .where(*_counted(on, scope=scope, team_id=team_id))
        .add_columns(
            *(
                cast(
                    func.sum(case((AssessmentRating.rating == rating, bits.bit(word)))),
                    BigInteger,
                )
                for rating in RATINGS
                for word in range(words)
            )
        )
        .group_by(Assessment.staff_id, Assessment.assessed_on, Assessment.id)
        .order_by(Assessment.staff_id, Assessment.assessed_on.desc(), Assessment.id.desc())
    )
    held: dict[int, _Latest] = {}
    person: int | None = None
    last: date | None = None
    covered = 0
    found: dict[int, tuple[int, ...]] = {}

    def keep() -> None:
        if person is not None:
            held[person] = (last, *(v for p, masks in found.items() for v in (p, *masks)))

    for staff_id, day, position, *given in _streamed(db.session.connection().execute(query)):
        if staff_id != person:  # their latest assessment
            keep()
            person, last, covered, found = staff_id, day, 0, {}
        masks = bits.per_rating(given) if words else []
        fresh = tuple(m & ~covered for m in masks)
        for m in masks:
            covered |= m
        if any(fresh):
            prior = found.get(position)
            found[position] = (
                fresh if prior is None else tuple(a | b for a, b in zip(prior, fresh, strict=True))
            )
    keep()
    return held


def _latest_by_window(
    on: date, bits: _DomainBits, *, scope: Any, team_id: int | None
) -> dict[int, _Latest]:
    """``_latest_ratings`` on PostgreSQL, in one query: each assessment's ratings as
    bitmasks (``bit_or``, read through the ratings' index one assessment at a time, so a
    team costs little), less the domains of the person's later assessments (a ``bit_or``
    window over them); only the assessments left with a rating, and each person's latest,
    come back."""
    words, ratings = bits.words, len(RATINGS)
    given = (
        select(
            AssessmentRating.assessment_id,
            *(
                func.bit_or(bits.bit(word))
                .filter(AssessmentRating.rating == rating)
                .label(f"m_{index}_{word}")
                for index, rating in enumerate(RATINGS)
                for word in range(words)
            ),
        )
        .where(AssessmentRating.assessment_id == Assessment.id)
        .group_by(AssessmentRating.assessment_id)  # no row for an assessment rating nothing
        .lateral("given")
    )
    masks = [
        [func.coalesce(given.c[f"m_{index}_{word}"], 0) for word in range(words)]
        for index in range(ratings)
    ]
    rated = (
        select(
            Assessment.staff_id,
            Assessment.assessed_on,
            Assessment.id,
            FrameworkLevel.position,
            *(
                masks[index][word].label(f"m_{index}_{word}")
                for index in range(ratings)
                for word in range(words)
            ),
        )
        .join(FrameworkLevel, FrameworkLevel.id == Assessment.level_id)
        .join(given, true())
        .where(*_counted(on, scope=scope, team_id=team_id))
        .subquery("rated")
    )
    window = {
        "partition_by": rated.c.staff_id,
        "order_by": (rated.c.assessed_on, rated.c.id),
        "rows": (1, None),
    }
    later = select(
        rated,
        func.count().over(**window).label("later_count"),
        *(
            func.coalesce(
                func.bit_or(_union(rated.c[f"m_{index}_{word}"] for index in range(ratings))).over(
                    **window
                ),
                0,
            ).label(f"later_{word}")
            for word in range(words)
        ),
    ).subquery("later")
    fresh = [
        [
            later.c[f"m_{index}_{word}"].bitwise_and(later.c[f"later_{word}"].bitwise_not())
            for word in range(words)
        ]
        for index in range(ratings)
    ]
    query = select(
        later.c.staff_id,
        later.c.position,
        later.c.assessed_on,
        *(fresh[index][word] for index in range(ratings) for word in range(words)),
    ).where(
        or_(
            later.c.later_count == 0,
            *(_union(fresh[index][word] for index in range(ratings)) != 0 for word in range(words)),
        )
    )
    held: dict[int, _Latest] = {}
    for row in _streamed(db.session.connection().execute(query)):
        staff_id, position, day = row[0], row[1], row[2]
        per_rating = row[3:] if words == 1 else bits.per_rating(row[3:])
        entry = (position, *per_rating) if any(per_rating) else ()
        found = held.get(staff_id)
        if found is None:
            held[staff_id] = (day, *entry)
        else:  # more of the person's latest ratings (all but one from earlier assessments)
            held[staff_id] = (max(found[0], day), *found[1:], *entry)
    return held


def _streamed(result: Any) -> Iterator[Any]:
    """The rows of ``result``, fetched a batch at a time: each row is dropped once read,
    rather than every row being kept until the last is read (tens of thousands of objects
    that the garbage collector would otherwise scan again and again)."""
    return chain.from_iterable(result.partitions(STREAM_BATCH))


def _union(masks: Any) -> Any:
    """SQL: the bitwise OR of ``masks`` (none NULL)."""
    combined = None
    for mask in masks:
        combined = mask if combined is None else combined.bitwise_or(mask)
    return combined


def _judged_bits(latest: _Latest, expected: _Expected) -> tuple[int, int]:
    """The bits (from bit 0) of ``expected``'s domains meeting expectation and below it:
    each domain's latest rating judged by ``workforce.metrics.capability.judge``."""
    meeting = below = 0
    for start in range(1, len(latest), _STRIDE):
        meets, falls = expected.judged_at(latest[start])
        for i in meets:
            meeting |= latest[start + 1 + i]
        for i in falls:
            below |= latest[start + 1 + i]
    shift, mask = expected.shift, expected.mask
    return meeting >> shift & mask, below >> shift & mask


def _expectations(
    profiles: Sequence[RoleProfile], domains: dict[int, list[FrameworkDomain]], bits: _DomainBits
) -> list[_Expected]:
    """``profiles`` as plain values."""
    return [
        _Expected(
            name=p.name,
            framework_id=p.framework_id,
            framework=p.framework.name,
            level=_level_text(p),
            position=p.level.position,
            domains=tuple(d.name for d in domains.get(p.framework_id, ())),
            shift=bits.offset.get(p.framework_id, 0),
        )
        for p in profiles
    ]


def capability_gaps(
    on: date, viewer: User | None = None, team_id: int | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """Rows (one per person in post), the per-domain counts, and the summary figures, in
    four queries: role profiles, current domains, each person's latest ratings as bitmasks
    of domains (``_latest_ratings``), and the people."""
    scope = viewer_scope(viewer) if viewer is not None else None
    profiles = active_profiles()
    criteria = [ProfileCriteria(p.post_title, p.org_role, p.grade) for p in profiles]
    domains: dict[int, list[FrameworkDomain]] = defaultdict(list)
    for domain in db.session.scalars(
        select(FrameworkDomain)
        .where(FrameworkDomain.retired.is_(False))
        .order_by(FrameworkDomain.framework_id, FrameworkDomain.position, FrameworkDomain.id)
    ):
        domains[domain.framework_id].append(domain)
    bits = _DomainBits.of(domains)
    expectations = _expectations(profiles, domains, bits)
    held = _latest_ratings(on, bits, scope=scope, team_id=team_id)
    people = _streamed(
        db.session.connection().execute(
            people_in_post(on, team_id=team_id, scope=scope, with_post=True).order_by(
                Team.name, Staff.last_name, Staff.first_name, Staff.id
            )
        )
    )

    matched: dict[tuple[str | None, str | None, str | None], _Expected | None] = {}
    #: How many people have each (framework, domains meeting, domains below).
    judged: Counter[tuple[int, int, int]] = Counter()
    #: The names of the domains below expectation, by (framework, their bits).
    below_names: dict[tuple[int, int], str] = {}
    rows = []
    with_gap = never_assessed = unprofiled = judgements = judgements_meeting = 0
    for staff_id, staff_number, first_name, last_name, team, org_role, post_title, grade in people:
        key = (post_title, org_role, grade)
        if key not in matched:
            index = match_profile(criteria, post_title, org_role, grade)
            matched[key] = None if index is None else expectations[index]
        expected = matched[key]
        latest = held.get(staff_id)
        if latest is None:
            never_assessed += 1
        person = {
            "_staff_id": staff_id,
            "name": f"{last_name}, {first_name}",
            "staff_number": staff_number,
            "team": team,
            "post": post_title or "",
            "last_assessed": None if latest is None else latest[0],
        }
        if expected is None:
            unprofiled += 1
            rows.append({**person, **UNPROFILED})
            continue
        meeting_bits, below_bits = (0, 0) if latest is None else _judged_bits(latest, expected)
        framework_id = expected.framework_id
        judged[(framework_id, meeting_bits, below_bits)] += 1
        count = len(expected.domains)
        meeting = meeting_bits.bit_count()
        below = below_bits.bit_count()
        judgements += count
        judgements_meeting += meeting
        below_domains = ""
        if below_bits:
            with_gap += 1
            below_domains = below_names.get((framework_id, below_bits), "")
            if not below_domains:
                below_domains = below_names[(framework_id, below_bits)] = "; ".join(
                    name for i, name in enumerate(expected.domains) if below_bits >> i & 1
                )
        rows.append(
            {
                **person,
                "role_profile": expected.name,
                "framework": expected.framework,
                "level": expected.level,
                "domains": count,
                "meeting": meeting,
                "below": below,
                "below_domains": below_domains,
                "not_assessed": count - meeting - below,
            }
        )
    summary = {
        "people_with_gap": with_gap,
        "never_assessed": never_assessed,
        "unprofiled": unprofiled,
        "judgements": judgements,
        "judgements_meeting": judgements_meeting,
    }

    in_use = {e.framework_id: e for e in matched.values() if e is not None}
    codes = {p.framework_id: p.framework.code for p in profiles}
    frameworks = sorted(
        in_use.values(), key=lambda e: (codes[e.framework_id] != "PCF", e.framework.casefold())
    )
    by_domain = []
    several = len(frameworks) > 1
    for framework in frameworks:
        tallies = [_DomainTally(framework.framework, name) for name in framework.domains]
        for (framework_id, meeting_bits, below_bits), people_count in judged.items():
            if framework_id != framework.framework_id:
                continue
            for i, tally in enumerate(tallies):
                tally.expected += people_count
                if meeting_bits >> i & 1:
                    tally.meeting += people_count
                elif below_bits >> i & 1:
                    tally.below += people_count
                else:
                    tally.not_assessed += people_count
        code = codes[framework.framework_id]
        for tally in tallies:
            by_domain.append(
                {
                    "_label": f"{code}: {tally.domain}" if several else tally.domain,
                    "domain": tally.domain,
                    "framework": tally.framework,
                    "expected": tally.expected,
                    "meeting": tally.meeting,
                    "below": tally.below,
                    "not_assessed": tally.not_assessed,
                    "meeting_rate": rate(tally.meeting, tally.expected),
                }
            )
    figures = {
        "people": len(rows),
        **summary,
        "judgements_meeting_rate": rate(summary["judgements_meeting"], summary["judgements"]),
    }
    return rows, by_domain, figures


@report(
    "capability-gaps",
    title="Capability gaps",
    description=(
        "Each person in post against the level their role profile expects: domains meeting "
        "expectation, below it and not assessed, and per domain how many people meet it."
    ),
    roles=CAPABILITY_REPORT_ROLES,
    accepts=("on", "team"),
)
def build_capability_gaps(params: Parameters, viewer: User | None) -> Report:
    """The capability gaps report (person and team)."""
    on = params.on or date.today()
    rows, by_domain, figures = capability_gaps(on, viewer, params.team_id)
    return Report(
        name="capability-gaps",
        title="Capability gaps",
        parameters={},
        columns=GAP_COLUMNS,
        rows=rows,
        summary=figures,
        figures=GAP_FIGURES,
        sections=[Table("by_domain", "Meeting expectation by domain", DOMAIN_COLUMNS, by_domain)],
        chart=Chart(
            title="People meeting expectation by domain",
            label="_label",
            series=("meeting_rate",),
            table="by_domain",
        ),
        notes=[
            f"People in post on {on.isoformat()}, with the team and post of their employment "
            "spell in force that day. The expected framework and level come from the role "
            "profile matching the post.",
            "Each domain's latest rating (from signed-off assessments other than "
            "self-assessments, up to the date) is judged against the expected level. A rating "
            "at the expected level meets expectation when it is 'meets' or 'exceeds'; one at "
            "a higher level meets it when it is 'meets' or 'exceeds' there and otherwise counts "
            "as not assessed; one at a lower level is below expectation.",
            "A gap is a domain below expectation. Ratings are shown only as judgements: the "
            "evidence stays on the assessment.",
            "Percentages are shown as percentages on the page and in the spreadsheet, as "
            "proportions between 0 and 1 in CSV and JSON.",
        ],
    )


# --- appraisals per period ------------------------------------------------------------------

APPRAISAL_GROUPINGS: tuple[tuple[str, str], ...] = (
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("team", "Team"),
)
#: Kinds of assessment counted, in column order (self-assessments last: not in the total).
COUNTED_KINDS = ("appraisal", "supervisor", "asye_review", "self")
KIND_COLUMNS = {
    "appraisal": "Annual appraisals",
    "supervisor": "Supervisor assessments",
    "asye_review": "ASYE reviews",
    "self": "Self-assessments",
}
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Bucket:
    """A stretch of the period: its row's label and first and last days (inclusive)."""

    index: int
    label: str
    start: date
    end: date


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def buckets(start: date, end: date, by: str) -> list[Bucket]:
    """The months or calendar quarters (January, April, July, October) from ``start`` to
    ``end``, clipped to them; one bucket for the whole period otherwise."""
    if by not in ("month", "quarter"):
        return [Bucket(0, "", start, end)]
    step = 1 if by == "month" else 3
    year, month = start.year, start.month
    if by == "quarter":
        month -= (month - 1) % 3
    out = []
    while date(year, month, 1) <= end:
        last_month = month + step - 1
        bucket_end = _month_end(year, last_month)
        if by == "month":
            label = f"{MONTH_NAMES[month - 1]} {year}"
        else:
            label = f"{MONTH_NAMES[month - 1]} to {MONTH_NAMES[last_month - 1]} {year}"
        out.append(Bucket(len(out), label, max(start, date(year, month, 1)), min(end, bucket_end)))
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return out


def _days_table(rows: list[tuple[int, date, date]], name: str) -> Any:
    """A derived table (bucket, first, last) of literal rows, on SQLite and PostgreSQL."""
    selects = [
        select(
            literal(index, Integer).label("bucket"),
            literal(first, Date).label("first_day"),
            literal(last, Date).label("last_day"),
        )
        for index, first, last in rows
    ]
    combined = selects[0] if len(selects) == 1 else union_all(*selects)
    return combined.subquery(name)


def assessment_counts(
    periods: list[Bucket],
    *,
    by_team: bool,
    viewer: User | None,
    team_id: int | None,
) -> dict[Any, dict[str, int]]:
    """Signed-off assessments per bucket (or per team of the assessed person on the day):
    a count per kind, and the different people with one other than a self-assessment."""
    table = _days_table([(b.index, b.start, b.end) for b in periods], "buckets")
    spell = aliased(EmploymentSpell, name="spell_then")
    key = spell.team_id if by_team else table.c.bucket
    query = (
        select(
            key,
            *(count_when(Assessment.kind == kind) for kind in COUNTED_KINDS),
            func.count(func.distinct(case((Assessment.kind != "self", Assessment.staff_id)))),
        )
        .select_from(Assessment)
        .join(
            table,
            and_(
                Assessment.assessed_on >= table.c.first_day,
                Assessment.assessed_on <= table.c.last_day,
            ),
        )
        .where(Assessment.status == "signed_off")
        .group_by(key)
    )
    if by_team or team_id is not None:
        query = query.outerjoin(
            spell,
            and_(
                spell.staff_id == Assessment.staff_id, spell_in_force(spell, Assessment.assessed_on)
            ),
        ).where(no_later_spell(spell, Assessment.assessed_on))
        if team_id is not None:
            query = query.where(spell.team_id == team_id)
    if viewer is not None:
        query = query.join(Staff, Staff.id == Assessment.staff_id).where(viewer_scope(viewer))
    out = {}
    for group, *counts in db.session.execute(query):
        figures = dict(zip(COUNTED_KINDS, (int(c or 0) for c in counts[:-1]), strict=True))
        figures["people_assessed"] = int(counts[-1] or 0)
        out[group] = figures
    return out


def coverage(
    days: list[tuple[int, date]],
    *,
    by_team: bool,
    viewer: User | None,
    team_id: int | None,
) -> dict[Any, tuple[int, int]]:
    """People in post on each day (per bucket, or per team on the one day), and how many of
    them had a signed-off assessment other than a self-assessment in the
    ``ASSESSMENT_DUE_MONTHS`` months up to it."""
    table = _days_table(
        [(index, months_before(day, ASSESSMENT_DUE_MONTHS), day) for index, day in days], "days"
    )
    spell = aliased(EmploymentSpell, name="in_post")
    scope = viewer_scope(viewer) if viewer is not None else None
    # Each counted assessment with the date of the person's next one (the later
    # assessment on a tie): it is their latest up to any day from its date to before the
    # next, so a person and day meet at most one of them.
    counted = select(
        Assessment.staff_id,
        Assessment.assessed_on,
        func.lead(Assessment.assessed_on)
        .over(
            partition_by=Assessment.staff_id,
            order_by=(Assessment.assessed_on, Assessment.id),
        )
        .label("next_on"),
    ).where(Assessment.status == "signed_off", Assessment.kind != "self")
    if scope is not None:
        counted = counted.where(Assessment.staff_id.in_(select(Staff.id).where(scope)))
    latest = counted.subquery("latest")
    # Who had one in each day's window: the latest up to the day, if on or after the
    # window's first day (one row per person and day).
    assessed = select(latest.c.staff_id, table.c.bucket).join(
        table,
        and_(
            latest.c.assessed_on >= table.c.first_day,
            latest.c.assessed_on <= table.c.last_day,
            or_(latest.c.next_on.is_(None), latest.c.next_on > table.c.last_day),
        ),
    )
    recent = assessed.subquery("recent")
    key = spell.team_id if by_team else table.c.bucket
    query = (
        select(key, func.count(), func.count(recent.c.staff_id))
        .select_from(table)
        .join(spell, spell_in_force(spell, table.c.last_day))
        .outerjoin(
            recent, and_(recent.c.staff_id == spell.staff_id, recent.c.bucket == table.c.bucket)
        )
        .where(no_later_spell(spell, table.c.last_day))
        .group_by(key)
    )
    if team_id is not None:
        query = query.where(spell.team_id == team_id)
    if scope is not None:
        query = query.join(Staff, Staff.id == spell.staff_id).where(scope)
    return {
        group: (int(n or 0), int(covered or 0)) for group, n, covered in db.session.execute(query)
    }


def _appraisal_columns(by: str) -> list[Column]:
    first = {
        "month": Column("period", "Month"),
        "quarter": Column("period", "Quarter"),
        "team": Column("period", "Team"),
    }[by]
    columns = [first]
    if by != "team":
        columns += [Column("from", "From", "date"), Column("to", "To", "date")]
    columns += [Column(kind, KIND_COLUMNS[kind], "integer") for kind in COUNTED_KINDS]
    snapshot = (
        "the end of the period" if by == "team" else "the last day of the month or quarter"
    ) + " (today, if that is still to come)"
    columns += [
        Column(
            "total",
            "All assessments (not self)",
            "integer",
            "Annual appraisals, supervisor assessments and ASYE reviews.",
        ),
        Column(
            "people_assessed",
            "People assessed",
            "integer",
            "Different people with an assessment other than a self-assessment.",
        ),
        Column("in_post", "People in post", "integer", f"People in post on {snapshot}."),
        Column(
            "assessed_12m_rate",
            "Assessed in the last 12 months (%)",
            "percent",
            f"People in post on {snapshot} with an assessment other than a self-assessment in "
            "the 12 months up to that day, over people in post.",
        ),
    ]
    return columns


APPRAISAL_FIGURES = [
    Column("appraisals", "Annual appraisals completed", "integer"),
    Column("assessments", "All assessments (not self-assessments)", "integer"),
    Column("self_assessments", "Self-assessments", "integer"),
    Column("people_assessed", "People assessed", "integer"),
    Column("in_post", "People in post at the end of the period", "integer"),
    Column(
        "not_assessed_12m",
        "People in post at the end of the period without an assessment in the last 12 months",
        "integer",
    ),
    Column("assessed_12m_rate", "Assessed in the last 12 months (%)", "percent"),
]


def appraisal_statistics(
    start: date,
    end: date,
    by: str,
    *,
    viewer: User | None = None,
    team_id: int | None = None,
    today: date | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (per month, quarter or team) and summary figures of the appraisals report."""
    today = today or date.today()
    by_team = by == "team"
    periods = buckets(start, end, by)
    scope = {"viewer": viewer, "team_id": team_id}
    counts = assessment_counts(periods, by_team=by_team, **scope)
    snapshot = min(end, today)
    # People in post at the end of the period (``snapshot``), and how many were assessed:
    # every team's together, or the last started month's or quarter's (whose day is
    # ``snapshot`` too).
    overall: tuple[int, int] | None = None
    if by_team:
        held = coverage([(0, snapshot)], by_team=True, **scope) if start <= today else {}
        if start <= today:
            overall = (sum(n for n, _ in held.values()), sum(c for _, c in held.values()))
    else:
        days = [(b.index, min(b.end, today)) for b in periods if b.start <= today]
        held = coverage(days, by_team=False, **scope) if days else {}
        if days:
            overall = held.get(days[-1][0], (0, 0))
    totals = assessment_counts(
        [Bucket(0, "", start, end)], by_team=False, viewer=viewer, team_id=team_id
    ).get(0, dict.fromkeys((*COUNTED_KINDS, "people_assessed"), 0))

    def figures(group: Any, started: bool) -> dict[str, Any]:
        found = counts.get(group, {})
        values: dict[str, Any] = {kind: found.get(kind, 0) for kind in COUNTED_KINDS}
        values["total"] = sum(values[k] for k in COUNTED_KINDS if k != "self")
        values["people_assessed"] = found.get("people_assessed", 0)
        in_post, covered = held.get(group, (0, 0))
        values["in_post"] = in_post if started else None
        values["assessed_12m_rate"] = rate(covered, in_post) if started else None
        return values

    rows: list[dict[str, Any]] = []
    if by_team:
        groups = set(counts) | set(held)
        names = dict(
            db.session.execute(
                select(Team.id, Team.name).where(Team.id.in_([g for g in groups if g is not None]))
            ).all()
        )
        for group in groups:
            row = {"period": names.get(group, NO_TEAM), "_placeholder": group is None}
            row.update(figures(group, start <= today))
            rows.append(row)
        rows.sort(key=lambda r: (r["_placeholder"], r["period"].casefold()))
    else:
        for bucket in periods:
            row = {"period": bucket.label, "from": bucket.start, "to": bucket.end}
            row.update(figures(bucket.index, bucket.start <= today))
            rows.append(row)
    summary = {
        "appraisals": totals["appraisal"],
        "assessments": sum(totals[k] for k in COUNTED_KINDS if k != "self"),
        "self_assessments": totals["self"],
        "people_assessed": totals["people_assessed"],
        "in_post": overall[0] if overall else None,
        "not_assessed_12m": overall[0] - overall[1] if overall else None,
        "assessed_12m_rate": rate(overall[1], overall[0]) if overall else None,
    }
    return rows, summary


@report(
    "appraisals",
    title="Capability appraisals",
    description=(
        "Assessments signed off per month, quarter or team by kind (annual appraisals, "
        "supervisor assessments, ASYE reviews, self-assessments), people assessed, and the "
        "share of people in post assessed in the last 12 months."
    ),
    roles=CAPABILITY_REPORT_ROLES,
    accepts=("period", "team", "by"),
    by_choices=APPRAISAL_GROUPINGS,
)
def build_appraisals(params: Parameters, viewer: User | None) -> Report:
    """The appraisals report (the seed 000 measure)."""
    assert params.start is not None and params.end is not None
    by = params.by or "month"
    rows, summary = appraisal_statistics(
        params.start, params.end, by, viewer=viewer, team_id=params.team_id
    )
    notes = [
        "An assessment counts once it is signed off, in the month, quarter and team of its "
        "assessment date; drafts never count. Its team is the team of the assessed person's "
        "post on that date.",
        "'All assessments (not self)' adds annual appraisals, supervisor assessments and "
        "ASYE reviews; self-assessments are shown beside them but never counted as an "
        "appraisal or as being assessed.",
        "People in post and the share assessed in the last 12 months are taken on the last "
        "day of each month or quarter (for a team: of the period), or today where that day "
        "is still to come; none are given for a month or quarter that has not started.",
        "The summary counts each person once over the whole period, so 'People assessed' can "
        "be less than the sum of the rows.",
        "Percentages are shown as percentages on the page and in the spreadsheet, as "
        "proportions between 0 and 1 in CSV and JSON.",
    ]
    return Report(
        name="appraisals",
        title="Capability appraisals",
        parameters={},
        columns=_appraisal_columns(by),
        rows=rows,
        summary=summary,
        figures=APPRAISAL_FIGURES,
        chart=Chart(
            title="Assessments signed off (annual appraisals first)",
            label="period",
            series=("appraisal", "supervisor", "asye_review"),
            stacked=True,
            horizontal=by == "team",
        ),
        notes=notes,
    )
