"""Frameworks in and out of files, as YAML or CSV: checked whole before anything is written.

Reading a file gives a :class:`FrameworkSpec` and a list of problems (:class:`RowError`,
with the file's line number for YAML and the spreadsheet row number for CSV, the header
being row 1). :func:`plan_framework_import` compares a spec with the database and lists
what would change (and any further problems, such as removing a pathway in use);
:func:`apply_framework` writes it. Nothing is written unless the whole file is good.

A framework is matched by its code (exactly); domains and levels by name. Domains and
levels missing from the file are retired, never deleted, so assessments and course links
that use them keep working. Pathways missing from a level are removed, unless an
assessment or role profile uses one, which refuses the whole file.

YAML shape (``seeds/frameworks/pcf.yaml`` is an example)::

    code: PCF                   # required: letters, digits and hyphens, 40 at most
    name: Professional Capabilities Framework     # required
    description: ...            # optional
    source: ...                 # optional: where the framework is published
    active: false               # optional; true when left out
    domains:                    # in order
      - name: Professionalism   # required, unique within the framework
        description: ...        # optional
        former_name: ...        # optional: an earlier name (the PCF's 2012 names)
        retired: true           # optional; false when left out
    levels:                     # in order
      - name: Advanced          # required, unique within the framework
        description: ...        # optional
        retired: true           # optional; false when left out
        pathways:               # optional, in order; names unique within the level
          - Social work manager
    descriptors:                # optional: what a domain looks like at a level
      - domain: Professionalism # a domain named above
        level: ASYE             # a level named above
        text: ...               # required

When ``descriptors`` is present it is the complete set: descriptors the file leaves out
are removed. When it is left out (as in the shipped seeds), descriptors entered in the
interface are kept. Export always writes it.

CSV shape: one row per item, columns ``kind, code, name, description, former_name,
source, active, retired, level, domain, text``. ``kind`` is one of:

- ``framework`` (exactly one row): ``code``, ``name``, ``description``, ``source``,
  ``active`` (yes or no; yes when blank);
- ``domain``: ``name``, ``description``, ``former_name``, ``retired`` (yes or no);
- ``level``: ``name``, ``description``, ``retired``;
- ``pathway``: ``level`` (the name of a level row) and ``name``;
- ``descriptor``: ``domain``, ``level`` and ``text``.

The order of the rows of each kind is the order of the items (pathways per level). A cell
a row's kind does not use must be blank. In a CSV the descriptor rows are always the
complete set. Export neutralises formulas: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or an apostrophe gets an apostrophe in front, and import
takes one leading apostrophe off, so export then import gives back the same framework.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy import func, select

from workforce.audit import record_event
from workforce.extensions import db
from workforce.models import (
    Assessment,
    Framework,
    FrameworkDescriptor,
    FrameworkDomain,
    FrameworkLevel,
    FrameworkPathway,
    RoleProfile,
)
from workforce.services import ServiceError
from workforce.services.tabular import RowError, cell_text, read_table, spreadsheet_rows
from workforce.spreadsheets import FORMULA_PREFIXES, csv_lines

#: The largest framework file taken (a framework with long descriptors is well under this).
MAX_FILE_BYTES = 1024 * 1024
#: File types taken, by name ending.
FORMATS = {"yaml": (".yaml", ".yml"), "csv": (".csv",)}
CODE_MAX = 40
NAME_MAX = 200
TEXT_MAX = 5000
CODE_PATTERN = re.compile(r"^[A-Za-z0-9-]+$")
CSV_COLUMNS = (
    "kind",
    "code",
    "name",
    "description",
    "former_name",
    "source",
    "active",
    "retired",
    "level",
    "domain",
    "text",
)
#: The columns each kind of CSV row may fill.
CSV_KINDS: dict[str, tuple[str, ...]] = {
    "framework": ("code", "name", "description", "source", "active"),
    "domain": ("name", "description", "former_name", "retired"),
    "level": ("name", "description", "retired"),
    "pathway": ("level", "name"),
    "descriptor": ("domain", "level", "text"),
}
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
_LINE = "__line__"


# --- the parsed file ---------------------------------------------------------------------


@dataclass
class ItemSpec:
    """A domain or level as the file gives it; ``line`` is where it is in the file."""

    name: str
    line: int
    description: str | None = None
    former_name: str | None = None
    retired: bool = False
    pathways: list[str] = field(default_factory=list)


@dataclass
class DescriptorSpec:
    """What a domain looks like at a level."""

    domain: str
    level: str
    text: str
    line: int


@dataclass
class FrameworkSpec:
    """A whole framework as a file gives it."""

    code: str
    name: str
    description: str | None = None
    source: str | None = None
    active: bool = True
    domains: list[ItemSpec] = field(default_factory=list)
    levels: list[ItemSpec] = field(default_factory=list)
    #: None when the file leaves descriptors out (then they are kept as they are).
    descriptors: list[DescriptorSpec] | None = None
    line: int = 1


def clean_text(value: str | None) -> str | None:
    """Text as it is stored: trimmed, with Unix line endings; blank is None."""
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def code_problem(code: str | None) -> str | None:
    """Why ``code`` cannot be a framework code, or None if it can."""
    if not code:
        return "Enter a code"
    if len(code) > CODE_MAX:
        return f"Code must be {CODE_MAX} characters or fewer"
    if not CODE_PATTERN.match(code):
        return "Code must use only letters, digits and hyphens"
    return None


def file_format(filename: str) -> str | None:
    """'yaml' or 'csv' from a file name, or None for any other type."""
    name = (filename or "").lower()
    for fmt, endings in FORMATS.items():
        if name.endswith(endings):
            return fmt
    return None


def read_framework_file(
    content: bytes, filename: str
) -> tuple[FrameworkSpec | None, list[RowError]]:
    """Read and check a YAML or CSV framework file; the spec is None if it is unusable."""
    if len(content) > MAX_FILE_BYTES:
        size = MAX_FILE_BYTES // 1024
        return None, [RowError(0, "file", f"The file is larger than {size} KB")]
    fmt = file_format(filename)
    if fmt is None:
        return None, [RowError(0, "file", "The file must be a YAML (.yaml, .yml) or CSV file")]
    spec, problems = _read_yaml(content) if fmt == "yaml" else _read_csv(content, filename)
    if spec is not None:
        problems.extend(check_spec(spec))
    problems.sort(key=lambda p: p.row)
    return (spec if not problems else None), problems


# --- YAML --------------------------------------------------------------------------------


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records each mapping's line number under ``__line__``."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


class _Reader:
    """Collects problems while taking fields out of loaded YAML mappings."""

    def __init__(self) -> None:
        self.problems: list[RowError] = []

    def fail(self, line: int, column: str, message: str) -> None:
        self.problems.append(RowError(line, column, message))

    def text(self, item: dict[Any, Any], key: str, what: str) -> str | None:
        value = item.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(item[_LINE], key, f"{what} must be text")
            return None
        return clean_text(str(value))

    def flag(self, item: dict[Any, Any], key: str, what: str, default: bool) -> bool:
        value = item.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(item[_LINE], key, f"{what} must be true or false")
            return default
        return value

    def keys(self, item: dict[Any, Any], allowed: tuple[str, ...], what: str) -> None:
        for key in item:
            if key != _LINE and key not in allowed:
                self.fail(item[_LINE], str(key), f"{what} has an unknown field {key!r}")

    def mappings(self, data: dict[Any, Any], key: str, what: str) -> list[dict[Any, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(data[_LINE], key, f"{key} must be a list of {what}")
            return []
        items = []
        for index, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                self.fail(data[_LINE], key, f"Item {index} of {key} must be a {what[:-1]}")
            else:
                items.append(item)
        return items


def _read_yaml(content: bytes) -> tuple[FrameworkSpec | None, list[RowError]]:
    try:
        text = content.decode("utf-8-sig")
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (a SafeLoader subclass)
    except UnicodeDecodeError:
        return None, [RowError(0, "file", "The file is not UTF-8 text")]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(error, "problem", None) or str(error)
        return None, [RowError(line, "file", f"The file is not valid YAML: {problem}")]
    if not isinstance(data, dict):
        return None, [RowError(1, "file", "The file must be a YAML mapping with code and name")]
    reader = _Reader()
    reader.keys(
        data,
        ("code", "name", "description", "source", "active", "domains", "levels", "descriptors"),
        "The framework",
    )
    spec = FrameworkSpec(
        code=reader.text(data, "code", "Code") or "",
        name=reader.text(data, "name", "Name") or "",
        description=reader.text(data, "description", "Description"),
        source=reader.text(data, "source", "Source"),
        active=reader.flag(data, "active", "Active", True),
        line=data[_LINE],
    )
    for item in reader.mappings(data, "domains", "domains"):
        reader.keys(item, ("name", "description", "former_name", "retired"), "A domain")
        spec.domains.append(
            ItemSpec(
                name=reader.text(item, "name", "Domain name") or "",
                line=item[_LINE],
                description=reader.text(item, "description", "Description"),
                former_name=reader.text(item, "former_name", "Former name"),
                retired=reader.flag(item, "retired", "Retired", False),
            )
        )
    for item in reader.mappings(data, "levels", "levels"):
        reader.keys(item, ("name", "description", "retired", "pathways"), "A level")
        level = ItemSpec(
            name=reader.text(item, "name", "Level name") or "",
            line=item[_LINE],
            description=reader.text(item, "description", "Description"),
            retired=reader.flag(item, "retired", "Retired", False),
        )
        pathways = item.get("pathways") or []
        if not isinstance(pathways, list):
            reader.fail(item[_LINE], "pathways", "pathways must be a list of names")
            pathways = []
        for pathway in pathways:
            if isinstance(pathway, bool) or not isinstance(pathway, str | int | float):
                reader.fail(item[_LINE], "pathways", "Each pathway must be a name")
            else:
                level.pathways.append(clean_text(str(pathway)) or "")
        spec.levels.append(level)
    if "descriptors" in data:
        spec.descriptors = []
        for item in reader.mappings(data, "descriptors", "descriptors"):
            reader.keys(item, ("domain", "level", "text"), "A descriptor")
            spec.descriptors.append(
                DescriptorSpec(
                    domain=reader.text(item, "domain", "Domain") or "",
                    level=reader.text(item, "level", "Level") or "",
                    text=reader.text(item, "text", "Text") or "",
                    line=item[_LINE],
                )
            )
    return spec, reader.problems


def spec_from_data(data: dict[str, Any]) -> FrameworkSpec:
    """A spec from already-loaded YAML data (the shipped seeds); ServiceError if it is bad."""
    spec, problems = _read_yaml(yaml.safe_dump(data, allow_unicode=True).encode())
    if spec is not None:
        problems.extend(check_spec(spec))
    if problems:
        raise ServiceError("; ".join(p.message for p in problems))
    assert spec is not None
    return spec


# --- CSV ---------------------------------------------------------------------------------


def unescape(text: str) -> str:
    """Take off the apostrophe export puts in front of formula-like text."""
    return text[1:] if text.startswith("'") else text


def escape(value: str | None) -> str:
    """Text as export writes it: an apostrophe in front of anything a spreadsheet could run
    (and of a leading apostrophe, so import gives the text back exactly)."""
    if not value:
        return ""
    return "'" + value if value.startswith((*FORMULA_PREFIXES, "'")) else value


def _yes_no(text: str, default: bool) -> bool | None:
    lowered = text.lower()
    if not lowered:
        return default
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    return None


def _read_csv(content: bytes, filename: str) -> tuple[FrameworkSpec | None, list[RowError]]:
    try:
        frame = read_table(content, filename)
    except ValueError as error:
        return None, [RowError(0, "file", str(error))]
    problems: list[RowError] = []
    if "kind" not in frame.columns or "name" not in frame.columns:
        return None, [RowError(1, "header", "The file needs at least the columns kind and name")]
    for column in frame.columns:
        if column not in CSV_COLUMNS:
            problems.append(RowError(1, str(column), f"Unknown column {column!r}"))
    spec: FrameworkSpec | None = None
    level_list: list[ItemSpec] = []
    levels: dict[str, ItemSpec] = {}
    pathways: list[tuple[int, str, str]] = []
    descriptors: list[DescriptorSpec] = []
    domains: list[ItemSpec] = []
    for row, raw in spreadsheet_rows(frame):
        cells = {c: unescape(cell_text(raw.get(c))) for c in CSV_COLUMNS}
        kind = cells["kind"].lower()
        if kind not in CSV_KINDS:
            known = ", ".join(CSV_KINDS)
            problems.append(RowError(row, "kind", f"Unknown kind {cells['kind']!r}: use {known}"))
            continue
        for column in CSV_COLUMNS[1:]:
            if cells[column] and column not in CSV_KINDS[kind]:
                problems.append(RowError(row, column, f"A {kind} row has no {column}"))
        flags = {}
        for column, default in (("active", True), ("retired", False)):
            flags[column] = _yes_no(cells[column], default)
            if flags[column] is None and column in CSV_KINDS[kind]:
                problems.append(RowError(row, column, f"{column} must be yes or no"))
        if kind == "framework":
            if spec is not None:
                problems.append(RowError(row, "kind", "The file has more than one framework row"))
                continue
            spec = FrameworkSpec(
                code=cells["code"],
                name=clean_text(cells["name"]) or "",
                description=clean_text(cells["description"]),
                source=clean_text(cells["source"]),
                active=bool(flags["active"]),
                line=row,
            )
        elif kind in ("domain", "level"):
            item = ItemSpec(
                name=clean_text(cells["name"]) or "",
                line=row,
                description=clean_text(cells["description"]),
                former_name=clean_text(cells["former_name"]),
                retired=bool(flags["retired"]),
            )
            if kind == "domain":
                domains.append(item)
            else:
                level_list.append(item)
                levels.setdefault(item.name.casefold(), item)
        elif kind == "pathway":
            pathways.append(
                (row, clean_text(cells["level"]) or "", clean_text(cells["name"]) or "")
            )
        else:
            descriptors.append(
                DescriptorSpec(
                    domain=clean_text(cells["domain"]) or "",
                    level=clean_text(cells["level"]) or "",
                    text=clean_text(cells["text"]) or "",
                    line=row,
                )
            )
    if spec is None:
        problems.append(RowError(1, "kind", "The file has no framework row"))
        return None, problems
    spec.domains = domains
    spec.levels = level_list
    for row, level_name, name in pathways:
        level = levels.get(level_name.casefold())
        if not level_name:
            problems.append(RowError(row, "level", "Enter the level this pathway belongs to"))
        elif level is None:
            problems.append(RowError(row, "level", f"No level row is called {level_name!r}"))
        elif not name:
            problems.append(RowError(row, "name", "Enter the pathway's name"))
        else:
            level.pathways.append(name)
    spec.descriptors = descriptors
    return spec, problems


# --- checks that need no database --------------------------------------------------------


def check_spec(spec: FrameworkSpec) -> list[RowError]:
    """Every problem with a spec that can be found without the database."""
    problems: list[RowError] = []
    fail = problems.append
    message = code_problem(spec.code)
    if message:
        fail(RowError(spec.line, "code", message))
    if not spec.name:
        fail(RowError(spec.line, "name", "Enter the framework's name"))
    elif len(spec.name) > NAME_MAX:
        fail(RowError(spec.line, "name", f"Name must be {NAME_MAX} characters or fewer"))
    for what, text in (("Description", spec.description), ("Source", spec.source)):
        if text and len(text) > TEXT_MAX:
            fail(
                RowError(
                    spec.line, what.lower(), f"{what} must be {TEXT_MAX:,} characters or fewer"
                )
            )
    for kind, items in (("domain", spec.domains), ("level", spec.levels)):
        seen: dict[str, int] = {}
        for item in items:
            if not item.name:
                fail(RowError(item.line, "name", f"Enter the {kind}'s name"))
                continue
            if len(item.name) > NAME_MAX:
                fail(
                    RowError(
                        item.line, "name", f"A {kind} name must be {NAME_MAX} characters or fewer"
                    )
                )
            key = item.name.casefold()
            if key in seen:
                fail(
                    RowError(
                        item.line,
                        "name",
                        f"The {kind} {item.name!r} appears twice (first at {seen[key]})",
                    )
                )
            seen.setdefault(key, item.line)
            if item.former_name and len(item.former_name) > NAME_MAX:
                fail(
                    RowError(
                        item.line,
                        "former_name",
                        f"Former name must be {NAME_MAX} characters or fewer",
                    )
                )
            if item.description and len(item.description) > TEXT_MAX:
                fail(
                    RowError(
                        item.line,
                        "description",
                        f"Description must be {TEXT_MAX:,} characters or fewer",
                    )
                )
            names: set[str] = set()
            for pathway in item.pathways:
                if not pathway:
                    fail(RowError(item.line, "pathways", f"A pathway of {item.name!r} has no name"))
                elif len(pathway) > NAME_MAX:
                    fail(
                        RowError(
                            item.line,
                            "pathways",
                            f"Pathway names must be {NAME_MAX} characters or fewer",
                        )
                    )
                elif pathway.casefold() in names:
                    fail(
                        RowError(
                            item.line,
                            "pathways",
                            f"The pathway {pathway!r} appears twice in {item.name!r}",
                        )
                    )
                names.add(pathway.casefold())
    domains = {d.name.casefold() for d in spec.domains}
    levels = {level.name.casefold() for level in spec.levels}
    pairs: dict[tuple[str, str], int] = {}
    for descriptor in spec.descriptors or []:
        line = descriptor.line
        if not descriptor.domain:
            fail(RowError(line, "domain", "Enter the descriptor's domain"))
        elif descriptor.domain.casefold() not in domains:
            fail(RowError(line, "domain", f"No domain in the file is called {descriptor.domain!r}"))
        if not descriptor.level:
            fail(RowError(line, "level", "Enter the descriptor's level"))
        elif descriptor.level.casefold() not in levels:
            fail(RowError(line, "level", f"No level in the file is called {descriptor.level!r}"))
        if not descriptor.text:
            fail(
                RowError(line, "text", "Enter the descriptor's text (or leave the descriptor out)")
            )
        elif len(descriptor.text) > TEXT_MAX:
            fail(RowError(line, "text", f"Text must be {TEXT_MAX:,} characters or fewer"))
        pair = (descriptor.domain.casefold(), descriptor.level.casefold())
        if pair in pairs:
            fail(
                RowError(
                    line,
                    "domain",
                    f"{descriptor.domain!r} at {descriptor.level!r} has two descriptors "
                    f"(first at {pairs[pair]})",
                )
            )
        pairs.setdefault(pair, line)
    return problems


# --- comparing with the database ---------------------------------------------------------


@dataclass
class FrameworkImportPlan:
    """What importing a spec would do: the changes in words, or the problems."""

    spec: FrameworkSpec | None
    framework: Framework | None = None
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        """Whether the import adds a framework rather than updating one."""
        return self.framework is None

    def describe(self) -> str:
        """One line for a flash message or the command line."""
        if self.spec is None:
            return "Nothing to import."
        if self.is_new:
            return f"New framework {self.spec.code}: " + "; ".join(self.changes)
        if not self.changes:
            return f"No changes: framework {self.spec.code} already matches the file."
        return f"Update framework {self.spec.code}: " + "; ".join(self.changes)


def pathway_uses(pathway_id: int) -> int:
    """How many assessments and role profiles use a pathway."""
    assessments = db.session.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.pathway_id == pathway_id)
    )
    profiles = db.session.scalar(
        select(func.count()).select_from(RoleProfile).where(RoleProfile.pathway_id == pathway_id)
    )
    return int(assessments or 0) + int(profiles or 0)


def find_framework(code: str) -> Framework | None:
    """The framework with exactly this code."""
    return db.session.scalar(select(Framework).where(Framework.code == code))


def _item_changes(kind: str, existing: list[Any], items: list[ItemSpec]) -> list[str]:
    changes: list[str] = []
    by_name = {e.name: e for e in existing}
    in_file = {i.name for i in items}
    for item in items:
        current = by_name.get(item.name)
        if current is None:
            changes.append(f"add {kind} {item.name}" + (" (retired)" if item.retired else ""))
            continue
        if current.retired and not item.retired:
            changes.append(f"reinstate {kind} {item.name}")
        elif item.retired and not current.retired:
            changes.append(f"retire {kind} {item.name}")
        altered = [
            label
            for label, old, new in (
                ("description", current.description, item.description),
                ("former name", getattr(current, "former_name", None), item.former_name),
            )
            if old != new
        ]
        if altered:
            changes.append(f"change the {' and '.join(altered)} of {kind} {item.name}")
    for current in existing:
        if current.name not in in_file and not current.retired:
            changes.append(f"retire {kind} {current.name} (not in the file)")
    order_now = [e.name for e in sorted(existing, key=lambda e: (e.position, e.id))]
    order_file = [i.name for i in items] + [n for n in order_now if n not in in_file]
    kept_now = [n for n in order_now if n in in_file]
    kept_file = [n for n in order_file if n in by_name and n in in_file]
    if kept_now != kept_file:
        changes.append(f"reorder the {kind}s")
    return changes


def _descriptor_map(framework: Framework) -> dict[tuple[str, str], FrameworkDescriptor]:
    rows = db.session.scalars(
        select(FrameworkDescriptor)
        .join(FrameworkDomain, FrameworkDescriptor.domain_id == FrameworkDomain.id)
        .where(FrameworkDomain.framework_id == framework.id)
    ).all()
    return {(d.domain.name, d.level.name): d for d in rows}


def _names(spec: FrameworkSpec) -> tuple[dict[str, str], dict[str, str]]:
    """The file's domain and level names by their case-folded form (descriptors may differ
    in case from the names they refer to)."""
    domains = {item.name.casefold(): item.name for item in reversed(spec.domains)}
    levels = {item.name.casefold(): item.name for item in reversed(spec.levels)}
    return domains, levels


def plan_framework_import(spec: FrameworkSpec) -> FrameworkImportPlan:
    """Compare a checked spec with the database: what would change, and what cannot."""
    plan = FrameworkImportPlan(spec=spec, framework=find_framework(spec.code))
    framework = plan.framework
    if framework is None:
        clash = db.session.scalar(
            select(Framework.code).where(func.lower(Framework.code) == spec.code.lower())
        )
        if clash:
            plan.errors.append(
                RowError(
                    spec.line,
                    "code",
                    f"Framework {clash} exists; codes are matched exactly, so use {clash} "
                    "to update it or choose another code",
                )
            )
            return plan
        pathways = sum(len(level.pathways) for level in spec.levels)
        plan.changes = [
            f"{len(spec.domains)} domains",
            f"{len(spec.levels)} levels",
            f"{pathways} pathways",
            f"{len(spec.descriptors or [])} descriptors",
        ]
        return plan
    for label, old, new in (
        ("name", framework.name, spec.name),
        ("description", framework.description, spec.description),
        ("source", framework.source, spec.source),
    ):
        if old != new:
            plan.changes.append(f"change the framework's {label}")
    if framework.active != spec.active:
        plan.changes.append("make the framework " + ("active" if spec.active else "inactive"))
    plan.changes += _item_changes("domain", list(framework.domains), spec.domains)
    plan.changes += _item_changes("level", list(framework.levels), spec.levels)
    levels = {level.name: level for level in framework.levels}
    for item in spec.levels:
        level = levels.get(item.name)
        if level is None:
            if item.pathways:
                plan.changes.append(f"add pathways {', '.join(item.pathways)} to {item.name}")
            continue
        current = [p.name for p in level.pathways]
        for name in item.pathways:
            if name not in current:
                plan.changes.append(f"add pathway {name} to {item.name}")
        for pathway in level.pathways:
            if pathway.name in item.pathways:
                continue
            uses = pathway_uses(pathway.id)
            if uses:
                plan.errors.append(
                    RowError(
                        item.line,
                        "pathways",
                        f"The pathway {pathway.name!r} of {item.name!r} is used by {uses} "
                        "assessment(s) or role profile(s), so it cannot be removed: keep it "
                        "in the file",
                    )
                )
            else:
                plan.changes.append(f"remove pathway {pathway.name} from {item.name}")
        kept = [n for n in current if n in item.pathways]
        if kept != [n for n in item.pathways if n in current]:
            plan.changes.append(f"reorder the pathways of {item.name}")
    if spec.descriptors is not None:
        existing = _descriptor_map(framework)
        domain_names, level_names = _names(spec)
        wanted = {
            (domain_names[d.domain.casefold()], level_names[d.level.casefold()]): d.text
            for d in spec.descriptors
        }
        added = sum(1 for key in wanted if key not in existing)
        changed = sum(
            1 for key, text in wanted.items() if key in existing and existing[key].text != text
        )
        removed = sum(1 for key in existing if key not in wanted)
        for count, verb in ((added, "add"), (changed, "change"), (removed, "remove")):
            if count:
                plan.changes.append(f"{verb} {count} descriptor{'s' if count != 1 else ''}")
    return plan


# --- writing -----------------------------------------------------------------------------


def _set(obj: Any, **values: Any) -> None:
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _apply_items(framework: Framework, model: type, items: list[ItemSpec]) -> dict[str, Any]:
    """Match items by name, add new ones, retire the rest; return them all by name."""
    relation = "domains" if model is FrameworkDomain else "levels"
    existing = {e.name: e for e in getattr(framework, relation)}
    result: dict[str, Any] = {}
    for position, item in enumerate(items, start=1):
        current = existing.pop(item.name, None)
        if current is None:
            current = model(framework=framework, name=item.name, position=position)
            db.session.add(current)
        values: dict[str, Any] = {
            "position": position,
            "description": item.description,
            "retired": item.retired,
        }
        if model is FrameworkDomain:
            values["former_name"] = item.former_name
        _set(current, **values)
        result[item.name] = current
    leftovers = sorted(existing.values(), key=lambda e: (e.position, e.id))
    for position, leftover in enumerate(leftovers, start=len(items) + 1):
        _set(leftover, retired=True, position=position)
        result[leftover.name] = leftover
    return result


def apply_framework(spec: FrameworkSpec) -> Framework:
    """Write a checked spec: insert or update the framework (the caller commits).

    Call :func:`plan_framework_import` first; a pathway in use that the file removes is
    refused here too, so a skipped plan cannot lose one.
    """
    framework = find_framework(spec.code)
    if framework is None:
        framework = Framework(code=spec.code, name=spec.name)
        db.session.add(framework)
    _set(
        framework,
        name=spec.name,
        description=spec.description,
        source=spec.source,
        active=spec.active,
    )
    db.session.flush()
    domains = _apply_items(framework, FrameworkDomain, spec.domains)
    levels = _apply_items(framework, FrameworkLevel, spec.levels)
    db.session.flush()
    for item in spec.levels:
        level = levels[item.name]
        current = {p.name: p for p in level.pathways}
        for position, name in enumerate(item.pathways, start=1):
            pathway = current.pop(name, None)
            if pathway is None:
                db.session.add(FrameworkPathway(level=level, name=name, position=position))
            else:
                _set(pathway, position=position)
        for pathway in current.values():
            if pathway_uses(pathway.id):
                raise ServiceError(
                    f"The pathway {pathway.name} of {level.name} is in use and cannot be removed",
                    "pathways",
                )
            db.session.delete(pathway)
    db.session.flush()
    for level in levels.values():
        db.session.expire(level, ["pathways"])
    if spec.descriptors is not None:
        existing = _descriptor_map(framework)
        domain_names, level_names = _names(spec)
        for descriptor in spec.descriptors:
            domain = domains[domain_names[descriptor.domain.casefold()]]
            level = levels[level_names[descriptor.level.casefold()]]
            current = existing.pop((domain.name, level.name), None)
            if current is None:
                db.session.add(
                    FrameworkDescriptor(domain=domain, level=level, text=descriptor.text)
                )
            else:
                _set(current, text=descriptor.text)
        for leftover in existing.values():
            db.session.delete(leftover)
    db.session.flush()
    db.session.expire(framework)
    return framework


def check_framework_file(content: bytes, filename: str) -> FrameworkImportPlan:
    """Read a file, check it and compare it with the database; writes nothing."""
    spec, problems = read_framework_file(content, filename)
    if spec is None:
        return FrameworkImportPlan(spec=None, errors=problems)
    return plan_framework_import(spec)


def apply_framework_import(plan: FrameworkImportPlan, source: str) -> Framework:
    """Write a checked plan and record the import in the audit trail (the caller commits)."""
    if plan.errors or plan.spec is None:
        raise ServiceError("A framework file with problems cannot be imported")
    framework = apply_framework(plan.spec)
    record_event(
        "import",
        "Framework",
        f"Imported {source}: {plan.describe()}",
        {"source": source, "code": plan.spec.code, "changes": plan.changes},
        entity_id=str(framework.id),
    )
    db.session.flush()
    return framework


# --- export ------------------------------------------------------------------------------


def _ordered(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: (item.position, item.id))


def framework_data(framework: Framework) -> dict[str, Any]:
    """A framework in its YAML shape (see the module docstring), retired items included."""
    data: dict[str, Any] = {"code": framework.code, "name": framework.name}
    if framework.description:
        data["description"] = framework.description
    if framework.source:
        data["source"] = framework.source
    if not framework.active:
        data["active"] = False
    data["domains"] = []
    for domain in _ordered(framework.domains):
        item: dict[str, Any] = {"name": domain.name}
        if domain.description:
            item["description"] = domain.description
        if domain.former_name:
            item["former_name"] = domain.former_name
        if domain.retired:
            item["retired"] = True
        data["domains"].append(item)
    data["levels"] = []
    for level in _ordered(framework.levels):
        item = {"name": level.name}
        if level.description:
            item["description"] = level.description
        if level.retired:
            item["retired"] = True
        if level.pathways:
            item["pathways"] = [p.name for p in _ordered(level.pathways)]
        data["levels"].append(item)
    descriptors = _descriptor_map(framework).values()
    data["descriptors"] = [
        {"domain": d.domain.name, "level": d.level.name, "text": d.text}
        for d in sorted(
            descriptors,
            key=lambda d: (d.domain.position, d.domain.id, d.level.position, d.level.id),
        )
    ]
    return data


class _Dumper(yaml.SafeDumper):
    """Writes text with line breaks as a literal block, so descriptors stay readable."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def export_yaml(framework: Framework) -> str:
    """The framework as YAML text."""
    header = f"# {framework.name} ({framework.code}), exported from Workforce.\n"
    body = yaml.dump(
        framework_data(framework),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
    )
    return header + body


def csv_rows(framework: Framework) -> Iterator[list[str]]:
    """The framework's CSV rows in ``CSV_COLUMNS`` order (escaped; no header)."""
    data = framework_data(framework)

    def row(kind: str, **values: str | None) -> list[str]:
        return [kind, *(escape(values.get(column)) for column in CSV_COLUMNS[1:])]

    yield row(
        "framework",
        code=data["code"],
        name=data["name"],
        description=data.get("description"),
        source=data.get("source"),
        active="yes" if data.get("active", True) else "no",
    )
    for item in data["domains"]:
        yield row(
            "domain",
            name=item["name"],
            description=item.get("description"),
            former_name=item.get("former_name"),
            retired="yes" if item.get("retired") else "no",
        )
    for item in data["levels"]:
        yield row(
            "level",
            name=item["name"],
            description=item.get("description"),
            retired="yes" if item.get("retired") else "no",
        )
    for item in data["levels"]:
        for pathway in item.get("pathways", []):
            yield row("pathway", level=item["name"], name=pathway)
    for item in data["descriptors"]:
        yield row("descriptor", domain=item["domain"], level=item["level"], text=item["text"])


def export_csv(framework: Framework) -> str:
    """The framework as CSV text (with a byte-order mark, so Excel reads it as UTF-8)."""
    buffer = io.StringIO()
    for line in csv_lines(CSV_COLUMNS, csv_rows(framework)):
        buffer.write(line)
    return buffer.getvalue()


def export_framework(framework: Framework, fmt: str) -> tuple[str, str, str]:
    """(text, mimetype, file name) of a framework in ``fmt`` ('yaml' or 'csv')."""
    if fmt == "yaml":
        return export_yaml(framework), "application/yaml", f"{framework.code}.yaml"
    if fmt == "csv":
        return export_csv(framework), "text/csv", f"{framework.code}.csv"
    raise ServiceError("Choose YAML or CSV", "format")
