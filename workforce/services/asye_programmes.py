"""Versions of the ASYE programme's definition: each in force from its effective date until
the next version's. A new version starts as a copy of the one in force and is checked here.

An enrolment keeps the version it was enrolled under (``AsyeEnrolment.programme_id``): a
new version applies to people enrolled under it, never to a year already under way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from workforce.extensions import db
from workforce.models.asye import AsyeProgramme
from workforce.services import ServiceError

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
#: The review point every programme needs: the schedule's completion check and the outcome
#: (which needs the final review held) use it.
FINAL = "final"
MAX_MONTHS = 60
MAX_REQUIRED = 50
MAX_CAP = Decimal("1000")


@dataclass
class PointRow:
    """A review point as entered: code, label, months from the start, optional."""

    code: str = ""
    label: str = ""
    months: int | None = None
    optional: bool = False

    @property
    def blank(self) -> bool:
        """Whether nothing was entered in the row."""
        return not self.code.strip() and not self.label.strip() and self.months is None


@dataclass
class EvidenceRow:
    """An evidence requirement as entered: kind, label and how many pieces."""

    kind: str = ""
    label: str = ""
    required: int | None = None

    @property
    def blank(self) -> bool:
        """Whether nothing was entered in the row."""
        return not self.kind.strip() and not self.label.strip() and self.required is None


@dataclass
class ProgrammeDetails:
    """A programme version as the form edits it (protected time as a percentage)."""

    name: str = ""
    effective_from: date | None = None
    points: list[PointRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)
    protected_percent: Decimal | None = None
    completion_months: int | None = None
    workload_cap_points: Decimal | None = None
    notes: str | None = None


def programmes() -> list[AsyeProgramme]:
    """Every version, the latest first."""
    return list(
        db.session.scalars(select(AsyeProgramme).order_by(AsyeProgramme.effective_from.desc()))
    )


def in_force(day: date) -> AsyeProgramme | None:
    """The version in force on ``day``: the latest taking effect on or before it."""
    return db.session.scalar(
        select(AsyeProgramme)
        .where(AsyeProgramme.effective_from <= day)
        .order_by(AsyeProgramme.effective_from.desc())
        .limit(1)
    )


def _percent(share: Decimal) -> Decimal:
    """A share as a percentage without needless places: 0.100 is 10, 0.125 is 12.5."""
    percent = share * 100
    if percent == percent.to_integral_value():
        return percent.quantize(Decimal(1))
    return percent.quantize(Decimal("0.1"))


def details_of(programme: AsyeProgramme) -> ProgrammeDetails:
    """A version's definition as the form shows it."""
    return ProgrammeDetails(
        name=programme.name,
        effective_from=programme.effective_from,
        points=[
            PointRow(
                str(p["code"]), str(p["label"]), int(p["months"]), bool(p.get("optional", False))
            )
            for p in programme.review_points
        ],
        evidence=[
            EvidenceRow(kind, str(spec["label"]), int(spec["required"]))
            for kind, spec in programme.evidence_requirements.items()
        ],
        protected_percent=_percent(Decimal(programme.protected_share)),
        completion_months=programme.completion_months,
        workload_cap_points=programme.workload_cap_points,
        notes=programme.notes,
    )


def _points(rows: list[PointRow]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        if row.blank:
            continue
        code, label = row.code.strip(), row.label.strip()
        where = f"Review point {index}"
        if not code:
            raise ServiceError(f"{where}: enter a code", f"point_{index}_code")
        if len(code) > 30 or not CODE.match(code):
            raise ServiceError(
                f"{where}: the code must be lower-case letters, digits and underscores, "
                "starting with a letter (at most 30), like review_3",
                f"point_{index}_code",
            )
        if code in seen:
            raise ServiceError(f"{where}: the code {code} is used twice", f"point_{index}_code")
        seen.add(code)
        if not label:
            raise ServiceError(f"{where}: enter a label", f"point_{index}_label")
        if len(label) > 100:
            raise ServiceError(f"{where}: the label must be 100 characters or fewer",
                               f"point_{index}_label")  # fmt: skip
        if row.months is None or not 0 <= row.months <= MAX_MONTHS:
            raise ServiceError(
                f"{where}: enter the months from the start, a whole number from 0 to {MAX_MONTHS}",
                f"point_{index}_months",
            )
        out.append({"code": code, "label": label, "months": row.months, "optional": row.optional})
    if not out:
        raise ServiceError("Enter at least one review point", "point_1_code")
    final = next((p for p in out if p["code"] == FINAL), None)
    if final is None:
        raise ServiceError(
            f"Keep a review point with the code {FINAL} (the final review): the outcome and "
            "the completion deadline depend on it",
            "point_1_code",
        )
    if final["optional"]:
        raise ServiceError("The final review cannot be optional", "point_1_code")
    return sorted(out, key=lambda p: p["months"])  # type: ignore[arg-type,return-value]


def _evidence(rows: list[EvidenceRow]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for index, row in enumerate(rows, start=1):
        if row.blank:
            continue
        kind, label = row.kind.strip(), row.label.strip()
        where = f"Evidence requirement {index}"
        if not kind:
            raise ServiceError(f"{where}: enter a kind", f"evidence_{index}_kind")
        if len(kind) > 40 or not CODE.match(kind):
            raise ServiceError(
                f"{where}: the kind must be lower-case letters, digits and underscores, "
                "starting with a letter (at most 40), like observation",
                f"evidence_{index}_kind",
            )
        if kind in out:
            raise ServiceError(f"{where}: the kind {kind} is used twice", f"evidence_{index}_kind")
        if not label:
            raise ServiceError(f"{where}: enter a label", f"evidence_{index}_label")
        if len(label) > 150:
            raise ServiceError(f"{where}: the label must be 150 characters or fewer",
                               f"evidence_{index}_label")  # fmt: skip
        if row.required is None or not 1 <= row.required <= MAX_REQUIRED:
            raise ServiceError(
                f"{where}: enter how many pieces are required, from 1 to {MAX_REQUIRED}",
                f"evidence_{index}_required",
            )
        out[kind] = {"label": label, "required": row.required}
    if not out:
        raise ServiceError("Enter at least one evidence requirement", "evidence_1_kind")
    return out


def create_programme(details: ProgrammeDetails) -> AsyeProgramme:
    """Add a version after checking it; raise ``ServiceError`` naming the field at fault."""
    name = details.name.strip()
    if not name:
        raise ServiceError("Enter a name for the programme", "name")
    if len(name) > 150:
        raise ServiceError("The name must be 150 characters or fewer", "name")
    if details.effective_from is None:
        raise ServiceError("Enter the date the version takes effect", "effective_from")
    taken = db.session.scalar(
        select(AsyeProgramme).where(AsyeProgramme.effective_from == details.effective_from)
    )
    if taken is not None:
        raise ServiceError(
            f"{taken.name} already takes effect on {details.effective_from:%-d %B %Y}: "
            "choose another date",
            "effective_from",
        )
    points = _points(details.points)
    evidence = _evidence(details.evidence)
    percent = details.protected_percent
    if percent is None or not Decimal(0) <= percent <= Decimal(100):
        raise ServiceError(
            "Enter the protected development time as a percentage from 0 to 100",
            "protected_percent",
        )
    share = percent / 100
    if share != share.quantize(Decimal("0.001")):
        raise ServiceError(
            "The protected development time can have at most one decimal place, like 10 or 12.5",
            "protected_percent",
        )
    months = details.completion_months
    final_months = next(int(p["months"]) for p in points if p["code"] == FINAL)  # type: ignore[call-overload]
    if months is None or not 1 <= months <= MAX_MONTHS:
        raise ServiceError(
            f"Enter the months allowed to complete, a whole number from 1 to {MAX_MONTHS}",
            "completion_months",
        )
    if months < final_months:
        raise ServiceError(
            f"The months allowed to complete ({months}) must be at least the final review's "
            f"({final_months})",
            "completion_months",
        )
    cap = details.workload_cap_points
    if cap is not None and not Decimal(0) < cap < MAX_CAP:
        raise ServiceError(
            "Enter the workload cap as points more than 0 and under 1000, or leave it blank "
            "to use the weighting scheme's ASYE maximum",
            "workload_cap_points",
        )
    if cap is not None and cap != cap.quantize(Decimal("0.01")):
        raise ServiceError("The workload cap can have at most two decimal places",
                           "workload_cap_points")  # fmt: skip
    notes = (details.notes or "").strip() or None
    if notes is not None and len(notes) > 5000:
        raise ServiceError("The notes must be 5000 characters or fewer", "notes")
    programme = AsyeProgramme(
        name=name,
        effective_from=details.effective_from,
        review_points=points,
        evidence_requirements=evidence,
        protected_share=share.quantize(Decimal("0.001")),
        completion_months=months,
        workload_cap_points=cap,
        notes=notes,
    )
    db.session.add(programme)
    db.session.flush()
    return programme
