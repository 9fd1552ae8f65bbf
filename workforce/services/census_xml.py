"""The DfE children's social work workforce census (CSWW) return as XML: the schema, writing
a return, checking a file against the schema, and reading a checked file back.

The schema is the DfE's 2022 one (``social_work_workforce_2022.xsd``, also published in
SocialFinanceDigitalLabs/liia-tools), shipped in ``seeds/csww/``. A return is a ``Message``:
an optional ``Header`` (collection, year, reference date, and the local authority's
three-digit code), one ``LALevelVacancies``, and one ``CSWWWorker`` per worker and role,
each with its elements in the order the schema's sequence gives (``WORKER_ELEMENTS``).

A return is written as text (``message_bytes``): byte for byte what lxml writes from the
tree (``build_message`` and ``to_bytes``, which remain for the values the text writer
leaves to lxml), and checked against the schema by parsing it back (``valid``).

Files are parsed without resolving entities or touching the network, so an uploaded file
cannot read local files or call out (XXE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from lxml import etree

from workforce.services.reference import SEEDS_DIR

#: The schema file the return is checked against.
SCHEMA_PATH = SEEDS_DIR / "csww" / "social_work_workforce_2022.xsd"
#: The elements of a ``CSWWWorker``, in the schema's order, and whether each may repeat.
WORKER_ELEMENTS: dict[str, bool] = {
    "AgencyWorker": False,
    "SWENo": False,
    "FTE": False,
    "PersonBirthDate": False,
    "GenderCurrent": False,
    "Ethnicity": False,
    "QualInst": True,
    "QualLevel": False,
    "StepUpGrad": False,
    "OrgRole": False,
    "RoleStartDate": False,
    "StartOrigin": False,
    "RoleEndDate": False,
    "LeaverDestination": False,
    "ReasonLeave": False,
    "FTE30": False,
    "Cases30": False,
    "WorkingDaysLost": False,
    "ContractWeeks": True,
    "FrontlineGrad": False,
    "Absat30Sept": True,
    "ReasonAbsence": True,
    "CFKSSstatus": True,
}
VACANCY_ELEMENTS = ("NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount")
#: What the Header's Source says made the file.
SOFTWARE_CODE = "Workforce"
#: The largest census file read (a return for 50,000 workers is about 40 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SchemaProblem:
    """Where a file breaks the schema (or is not XML): the line and the schema's message."""

    line: int
    message: str


@dataclass
class ParsedReturn:
    """A return read from a file that passed the schema."""

    year: int | None
    reference_date: date | None
    la_code: str | None
    vacancies: dict[str, str]
    #: One mapping per ``CSWWWorker``: element name to its values (in file order), and
    #: "_line" to the line the record starts on.
    workers: list[dict[str, list[str]]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(path, _parser()))


def schema(path: Path | None = None) -> etree.XMLSchema:
    """The census schema (read once)."""
    chosen = path or SCHEMA_PATH
    if not chosen.exists():
        raise FileNotFoundError(
            f"The census schema is missing: {chosen}. Copy social_work_workforce_2022.xsd there."
        )
    return _schema(str(chosen))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def build_message(
    *,
    year: int,
    reference_date: date,
    la_code: str,
    vacancies: dict[str, str],
    workers: list[dict[str, list[str]]],
    generated_at: datetime,
) -> etree._Element:
    """The ``Message`` element of a return. ``workers`` map element names to their values;
    elements with no values are left out."""
    message = etree.Element("Message")
    header = etree.SubElement(message, "Header")
    details = etree.SubElement(header, "CollectionDetails")
    etree.SubElement(details, "Collection").text = "CSWW"
    etree.SubElement(details, "Year").text = str(year)
    etree.SubElement(details, "ReferenceDate").text = reference_date.isoformat()
    source = etree.SubElement(header, "Source")
    etree.SubElement(source, "SourceLevel").text = "L"
    etree.SubElement(source, "LEA").text = la_code
    etree.SubElement(source, "SoftwareCode").text = SOFTWARE_CODE
    etree.SubElement(source, "DateTime").text = generated_at.strftime("%Y-%m-%dT%H:%M:%S")
    level = etree.SubElement(message, "LALevelVacancies")
    for name in VACANCY_ELEMENTS:
        etree.SubElement(level, name).text = vacancies[name]
    sub = etree.SubElement
    for worker in workers:
        element = sub(message, "CSWWWorker")
        for name in WORKER_ELEMENTS:
            for value in worker.get(name) or ():
                sub(element, name).text = value
    return message


def to_bytes(message: etree._Element) -> bytes:
    """The return as indented UTF-8 XML with a declaration."""
    etree.indent(message, space="  ")
    return etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)


#: Text written as it is, but for ``&``, ``<``, ``>`` and carriage returns, which are
#: escaped as lxml escapes them. Anything else (other control characters, non-characters,
#: characters beyond the Basic Multilingual Plane) is left to lxml (``message_bytes`` says
#: None), so the bytes never differ from ``to_bytes(build_message(...))``.
_PLAIN = re.compile("[^\t\n\r\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]")
_ESCAPED = re.compile("[&<>\r]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"}


def _escape(text: str) -> str:
    return _ESCAPED.sub(lambda found: _ESCAPES[found.group()], text)


def message_bytes(
    *,
    year: int,
    reference_date: date,
    la_code: str,
    vacancies: dict[str, str],
    workers: list[dict[str, list[str]]],
    generated_at: datetime,
) -> bytes | None:
    """``to_bytes(build_message(...))``, byte for byte, written as text rather than built as
    a tree (a national return has over half a million elements). None when a value is not
    text or holds a character this writer leaves to lxml: then build the tree instead,
    which writes it (or refuses it) as it always has."""
    header = [
        str(year),
        reference_date.isoformat(),
        la_code,
        generated_at.strftime("%Y-%m-%dT%H:%M:%S"),
        *(vacancies[name] for name in VACANCY_ELEMENTS),
    ]
    try:
        body, texts = _workers_text(workers, escape=False)
        every = "".join(header) + "".join(texts)
    except TypeError:
        return None  # a value that is not text: lxml says what is wrong
    if _PLAIN.search(every):
        return None
    if _ESCAPED.search(every):
        header = [_escape(text) for text in header]
        body, _ = _workers_text(workers, escape=True)
    year_text, reference_text, lea, stamp, *levels = header
    levels_text = "".join(
        f"    <{name}>{text}</{name}>\n"
        for name, text in zip(VACANCY_ELEMENTS, levels, strict=True)
    )
    head = (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        "<Message>\n"
        "  <Header>\n"
        "    <CollectionDetails>\n"
        "      <Collection>CSWW</Collection>\n"
        f"      <Year>{year_text}</Year>\n"
        f"      <ReferenceDate>{reference_text}</ReferenceDate>\n"
        "    </CollectionDetails>\n"
        "    <Source>\n"
        "      <SourceLevel>L</SourceLevel>\n"
        f"      <LEA>{lea}</LEA>\n"
        f"      <SoftwareCode>{SOFTWARE_CODE}</SoftwareCode>\n"
        f"      <DateTime>{stamp}</DateTime>\n"
        "    </Source>\n"
        "  </Header>\n"
        "  <LALevelVacancies>\n"
        f"{levels_text}"
        "  </LALevelVacancies>\n"
    )
    return f"{head}{''.join(body)}</Message>\n".encode()


def _workers_text(
    workers: list[dict[str, list[str]]], *, escape: bool
) -> tuple[list[str], list[str]]:
    """Each ``CSWWWorker`` as indented lines (escaped or not), and every value written."""
    tags = [(name, f"    <{name}>", f"</{name}>\n") for name in WORKER_ELEMENTS]
    lines: list[str] = []
    append = lines.append
    texts: list[str] = []
    for worker in workers:
        append("  <CSWWWorker>\n")
        get = worker.get
        for name, opening, closing in tags:
            found = get(name)
            if found:
                for value in found:
                    append(opening + (_escape(value) if escape else value) + closing)
                texts += found
        append("  </CSWWWorker>\n")
    return lines, texts


def valid(content: bytes, path: Path | None = None) -> bool:
    """Whether ``content`` (a return this application wrote) parses and passes the
    schema."""
    checker = schema(path)
    try:
        tree = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError:
        return False
    return bool(checker.validate(tree))


def check(
    content: bytes, path: Path | None = None
) -> tuple[etree._ElementTree | None, list[SchemaProblem]]:
    """Parse ``content`` and check it against the schema: the tree, or the problems (each
    with its line and the parser's or schema's own message)."""
    if len(content) > MAX_FILE_BYTES:
        return None, [SchemaProblem(0, f"The file is larger than {MAX_FILE_BYTES // 2**20} MB")]
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as error:
        line = error.lineno or 0
        return None, [SchemaProblem(line, f"The file is not well-formed XML: {error.msg}")]
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return None, [
            SchemaProblem(1, "The file has a document type declaration; a census return has none")
        ]
    checker = schema(path)
    try:
        valid = checker.validate(tree)
    except etree.XMLSchemaValidateError as error:
        return None, [
            SchemaProblem(0, f"The file could not be checked against the schema: {error}")
        ]
    if valid:
        return tree, []
    return None, [SchemaProblem(e.line, e.message) for e in checker.error_log]


def parse(tree: etree._ElementTree) -> ParsedReturn:
    """Read a return that passed the schema."""
    root = tree.getroot()

    def text(path: str) -> str | None:
        found = root.find(path)
        return found.text.strip() if found is not None and found.text else None

    year = text("Header/CollectionDetails/Year")
    reference = text("Header/CollectionDetails/ReferenceDate")
    vacancies = {name: text(f"LALevelVacancies/{name}") or "" for name in VACANCY_ELEMENTS}
    parsed = ParsedReturn(
        year=int(year[:4]) if year else None,
        reference_date=date.fromisoformat(reference[:10]) if reference else None,
        la_code=text("Header/Source/LEA"),
        vacancies=vacancies,
    )
    for worker in root.iterfind("CSWWWorker"):
        values: dict[str, list[str]] = {}
        for child in worker:
            if not isinstance(child.tag, str):
                continue  # a comment
            values.setdefault(child.tag, []).append((child.text or "").strip())
        parsed.workers.append(values)
        parsed.lines.append(worker.sourceline or 0)
    return parsed


XS = "{http://www.w3.org/2001/XMLSchema}"


@lru_cache(maxsize=4)
def _enumerations(path: str) -> dict[str, frozenset[str]]:
    document = etree.parse(path, _parser())
    types = {
        simple.get("name"): frozenset(e.get("value") for e in simple.iter(f"{XS}enumeration"))
        for simple in document.iter(f"{XS}simpleType")
        if simple.get("name")
    }
    out: dict[str, frozenset[str]] = {}
    for element in document.iter(f"{XS}element"):
        kind = element.get("type")
        if element.get("name") and kind in types and types[kind]:
            out[element.get("name")] = types[kind]
    return out


def enumerations(path: Path | None = None) -> dict[str, frozenset[str]]:
    """For each coded element (``GenderCurrent``, ``OrgRole``, ...), the codes the schema
    allows, read from the schema itself."""
    schema(path)  # the same clear message when the file is missing
    return _enumerations(str(path or SCHEMA_PATH))
