"""The census return's XML written as text is the XML lxml writes from the tree, byte for
byte, whatever the values hold; what the text writer leaves to lxml it says so (None)."""

from __future__ import annotations

import random
from datetime import date, datetime
from typing import Any

import pytest

from workforce.services import census_xml as cx

#: Characters the values are drawn from: plain text, what XML escapes, white space, and
#: characters the writer leaves to lxml (control characters, non-characters, astral).
ALPHABET = (
    "aZ09 .,;:'\"-/()"
    + "&<>]]>"
    + "\t\n\r"
    + "\u00a0é\u2028\u0085\x7f\ufffd\ue000\ud7ff"
    + "\x00\x01\x1f\ufffe\uffff\U0001f600"
)


def message(workers: list[dict[str, list[Any]]], **header: Any) -> dict[str, Any]:
    return {
        "year": header.get("year", 2024),
        "reference_date": date(2024, 9, 30),
        "la_code": header.get("la_code", "929"),
        "vacancies": header.get(
            "vacancies",
            {"NumberOfVacancies": "3.50", "NoAgencyFTE": "1.00", "NoAgencyHeadcount": "1"},
        ),
        "workers": workers,
        "generated_at": datetime(2025, 1, 2, 3, 4, 5),
    }


def by_lxml(kwargs: dict[str, Any]) -> bytes | type[Exception]:
    try:
        return cx.to_bytes(cx.build_message(**kwargs))
    except (ValueError, TypeError) as error:
        return type(error)


def random_text(rng: random.Random, unusual: bool) -> str:
    alphabet = ALPHABET if unusual else ALPHABET[: ALPHABET.index("\x00")]
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))


def random_workers(rng: random.Random, unusual: bool) -> list[dict[str, list[Any]]]:
    names = list(cx.WORKER_ELEMENTS)
    workers = []
    for _ in range(rng.randint(0, 4)):
        worker: dict[str, list[Any]] = {}
        for name in rng.sample(names, rng.randint(0, len(names))):
            worker[name] = [random_text(rng, unusual) for _ in range(rng.randint(0, 2))]
        worker["AgencyWorker"] = ["0"]
        workers.append(worker)
    return workers


@pytest.mark.parametrize("seed", range(300))
def test_text_written_is_what_lxml_writes(seed: int) -> None:
    rng = random.Random(seed)
    kwargs = message(random_workers(rng, unusual=seed % 3 == 0))
    written = cx.message_bytes(**kwargs)
    expected = by_lxml(kwargs)
    if written is None:
        # Left to lxml only for what the writer does not write itself.
        text = "".join(v for w in kwargs["workers"] for vs in w.values() for v in vs)
        assert cx._PLAIN.search(text)
    else:
        assert written == expected


def test_every_plain_character_is_written_as_lxml_writes_it() -> None:
    plain = [chr(c) for c in range(0x10000) if not cx._PLAIN.match(chr(c))]
    assert len(plain) > 60000
    workers = [
        {"AgencyWorker": ["0"], "QualInst": ["".join(plain[i : i + 997])]}
        for i in range(0, len(plain), 997)
    ]
    kwargs = message(workers)
    assert cx.message_bytes(**kwargs) == by_lxml(kwargs)


def test_header_values_are_escaped_too() -> None:
    kwargs = message(
        [{"AgencyWorker": ["1"], "QualInst": [""]}],
        la_code="9&9",
        vacancies={"NumberOfVacancies": "<1>", "NoAgencyFTE": "\r", "NoAgencyHeadcount": ""},
    )
    assert cx.message_bytes(**kwargs) == by_lxml(kwargs)


@pytest.mark.parametrize("value", [b"SW1", 12, "\x00", "\ufffe", "\U0001f600", "\ud800"], ids=repr)
def test_what_the_writer_leaves_to_lxml(value: Any) -> None:
    kwargs = message([{"AgencyWorker": ["0"], "SWENo": [value]}])
    assert cx.message_bytes(**kwargs) is None


def test_no_workers() -> None:
    kwargs = message([])
    assert cx.message_bytes(**kwargs) == by_lxml(kwargs)


def test_a_return_written_as_text_passes_the_schema_check() -> None:
    kwargs = message([{"AgencyWorker": ["0"], "SWENo": ["SW0000000001"]}])
    content = cx.message_bytes(**kwargs)
    assert content is not None
    assert not cx.valid(content)  # a worker needs more than this
    assert not cx.valid(b"<Message>")
