"""Reading framework files without a database: YAML and CSV shapes, every refusal with its
line or row, and the apostrophe that neutralises spreadsheet formulas."""

from __future__ import annotations

import pytest

from workforce.services.framework_io import (
    MAX_FILE_BYTES,
    code_problem,
    escape,
    file_format,
    read_framework_file,
    unescape,
)

GOOD_YAML = b"""\
code: LOCAL-1
name: Local capabilities
domains:
  - name: Practice
    description: Direct work
  - name: Leadership
    former_name: Leading
    retired: true
levels:
  - name: Does not supervise
  - name: Supervises others
    pathways: [Team manager, Practice supervisor]
descriptors:
  - domain: Practice
    level: Does not supervise
    text: Plans visits
"""

HEADER = "kind,code,name,description,former_name,source,active,retired,level,domain,text\n"


def problems_of(content: bytes, filename: str) -> list[tuple[int, str, str]]:
    spec, problems = read_framework_file(content, filename)
    assert spec is None
    return [(p.row, p.column, p.message) for p in problems]


def test_a_good_yaml_file_is_read_in_order_with_every_field():
    spec, problems = read_framework_file(GOOD_YAML, "local.yaml")
    assert problems == []
    assert spec.code == "LOCAL-1" and spec.active is True
    assert [d.name for d in spec.domains] == ["Practice", "Leadership"]
    assert spec.domains[1].retired and spec.domains[1].former_name == "Leading"
    assert spec.levels[1].pathways == ["Team manager", "Practice supervisor"]
    assert [(d.domain, d.level, d.text) for d in spec.descriptors] == [
        ("Practice", "Does not supervise", "Plans visits")
    ]


def test_yaml_without_descriptors_leaves_them_unspecified():
    spec, _ = read_framework_file(b"code: A\nname: A\n", "a.yml")
    assert spec.descriptors is None


def test_a_good_csv_file_is_read_in_row_order():
    content = (
        HEADER
        + "framework,LOCAL-1,Local capabilities,,,,no,,,,\n"
        + "domain,,Practice,Direct work,,,,,,,\n"
        + "level,,Supervises others,,,,,no,,,\n"
        + "pathway,,Team manager,,,,,,Supervises others,,\n"
        + "descriptor,,,,,,,,Supervises others,Practice,'=plans visits\n"
    ).encode()
    spec, problems = read_framework_file(content, "local.csv")
    assert problems == []
    assert spec.active is False and spec.domains[0].description == "Direct work"
    assert spec.levels[0].pathways == ["Team manager"]
    assert spec.descriptors[0].text == "=plans visits"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"code: X\nname: [unclosed\n", (3, "file", "not valid YAML")),
        (b"code: X\n  name: Y\n", (2, "file", "not valid YAML")),
        (b"- just\n- a list\n", (1, "file", "must be a YAML mapping")),
        (b"code: bad code!\nname: X\n", (1, "code", "letters, digits and hyphens")),
        (b"code: X\n", (1, "name", "Enter the framework's name")),
        (b"code: X\nname: X\ncolour: red\n", (1, "colour", "unknown field")),
        (
            b"code: X\nname: X\ndomains:\n  - name: Practice\n  - name: practice\n",
            (5, "name", "appears twice"),
        ),
        (
            b"code: X\nname: X\nlevels:\n  - name: L\n    pathways: [A, A]\n",
            (4, "pathways", "appears twice"),
        ),
        (
            b"code: X\nname: X\ndomains:\n  - name: D\nlevels:\n  - name: L\n"
            b"descriptors:\n  - domain: Nope\n    level: L\n    text: T\n",
            (8, "domain", "No domain in the file"),
        ),
        (
            b"code: X\nname: X\ndomains:\n  - name: D\nlevels:\n  - name: L\n"
            b"descriptors:\n  - domain: D\n    level: L\n    text: ''\n",
            (8, "text", "Enter the descriptor's text"),
        ),
        (b"code: X\nname: X\ndomains: Practice\n", (1, "domains", "must be a list")),
        (b"code: X\nname: X\nactive: maybe\n", (1, "active", "true or false")),
    ],
)
def test_bad_yaml_is_refused_with_its_line(content, expected):
    found = problems_of(content, "framework.yaml")
    line, column, words = expected
    assert any(r == line and c == column and words in m for r, c, m in found), found


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("framework,X,X,,,,,,,,\nwidget,,W,,,,,,,,\n", (3, "kind", "Unknown kind")),
        ("domain,,D,,,,,,,,\n", (1, "kind", "no framework row")),
        ("framework,X,X,,,,,,,,\nframework,Y,Y,,,,,,,,\n", (3, "kind", "more than one")),
        ("framework,X,X,,,,,,,,\ndomain,,D,,,,,,,,\ndomain,,d,,,,,,,,\n", (4, "name", "twice")),
        ("framework,X,X,,,,,,,,\npathway,,P,,,,,,Nowhere,,\n", (3, "level", "No level row")),
        ("framework,X,X,,,,,,,,\ndomain,,D,,,,,,,,oops\n", (3, "text", "A domain row has no text")),
        ("framework,X,X,,,,perhaps,,,,\n", (2, "active", "yes or no")),
        ("framework,X,X,,,,,,,,\nlevel,,L,,,,,maybe,,,\n", (3, "retired", "yes or no")),
        ("framework,X,,,,,,,,,\n", (2, "name", "Enter the framework's name")),
    ],
)
def test_bad_csv_is_refused_with_its_row(rows, expected):
    found = problems_of((HEADER + rows).encode(), "framework.csv")
    row, column, words = expected
    assert any(r == row and c == column and words in m for r, c, m in found), found


def test_unknown_csv_columns_and_files_of_other_types_and_sizes_are_refused():
    found = problems_of(b"kind,name,colour\nframework,X,red\n", "f.csv")
    assert any(c == "colour" and "Unknown column" in m for _, c, m in found)
    assert "YAML" in problems_of(b"code: X", "f.txt")[0][2]
    assert "larger than" in problems_of(b"#" * (MAX_FILE_BYTES + 1), "f.yaml")[0][2]
    assert "UTF-8" in problems_of(b"code: \xff\xfe\x00", "f.yaml")[0][2]


@pytest.mark.parametrize(
    "text", ["=SUM(A1)", "+1", "-1", "@cmd", "'quoted", "''=twice", "plain", "O'Brien"]
)
def test_escaping_for_csv_round_trips_and_never_leaves_a_formula(text):
    escaped = escape(text)
    assert not escaped.startswith(("=", "+", "-", "@"))
    assert unescape(escaped) == text


def test_codes_and_file_types():
    assert code_problem("PCF") is None and code_problem("LCC-2024") is None
    assert code_problem("") == "Enter a code"
    assert "letters" in code_problem("P C F")
    assert "40" in code_problem("X" * 41)
    assert file_format("a.YML") == "yaml" and file_format("a.csv") == "csv"
    assert file_format("a.xlsx") is None
