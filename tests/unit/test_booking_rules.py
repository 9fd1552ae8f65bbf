"""Pure rules of sessions and bookings, and the calendar file, on hand-made values."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from workforce.models import Course, TrainingSession, Venue
from workforce.services.training_sessions import (
    capacity_problem,
    clock,
    ical_escape,
    ical_fold,
    ical_utc,
    parse_attendance,
    parse_clock,
    places_left,
    session_calendar,
    status_for_new_booking,
    to_promote,
)


@pytest.mark.parametrize(
    ("capacity", "booked", "expected"),
    [(3, 0, "booked"), (3, 2, "booked"), (3, 3, "waiting"), (3, 4, "waiting"), (1, 0, "booked")],
)
def test_a_new_booking_takes_a_place_only_while_one_is_free(capacity, booked, expected):
    assert status_for_new_booking(capacity, booked) == expected


def test_three_places_and_four_people_leave_one_waiting():
    outcomes = []
    booked = 0
    for _ in range(4):
        outcome = status_for_new_booking(3, booked)
        booked += outcome == "booked"
        outcomes.append(outcome)
    assert outcomes == ["booked", "booked", "booked", "waiting"]
    assert places_left(3, booked) == 0


@pytest.mark.parametrize(("capacity", "booked", "left"), [(5, 2, 3), (3, 3, 0), (2, 3, 0)])
def test_places_left_is_never_negative(capacity, booked, left):
    assert places_left(capacity, booked) == left


def test_promotion_takes_the_first_waiting_into_free_places_only():
    waiting = ["first", "second", "third"]
    assert to_promote(3, 2, waiting) == ["first"]
    assert to_promote(5, 2, waiting) == ["first", "second", "third"]
    assert to_promote(3, 3, waiting) == []
    assert to_promote(3, 1, []) == []


@pytest.mark.parametrize(
    ("capacity", "booked", "problem"),
    [
        (1, 0, None),
        (4, 4, None),
        (0, 0, "Capacity must be at least 1"),
        (-2, 0, "Capacity must be at least 1"),
        (None, 0, "Capacity must be at least 1"),
        (100_001, 0, "Capacity must be at most 100,000"),
        (2, 3, "3 people are booked, so capacity cannot be less than 3. Cancel bookings first"),
    ],
)
def test_capacity_problem(capacity, booked, problem):
    assert capacity_problem(capacity, booked) == problem


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("attended", "attended"),
        ("Attended", "attended"),
        (" PARTIAL ", "partial"),
        ("Partly attended", "partial"),
        ("did_not_attend", "did_not_attend"),
        ("Did not attend", "did_not_attend"),
        ("did-not-attend", "did_not_attend"),
        ("DNA", "did_not_attend"),
    ],
)
def test_parse_attendance_accepts_codes_labels_and_common_words(text, code):
    assert parse_attendance(text) == code


@pytest.mark.parametrize("text", ["", "maybe", "cancelled", "yes"])
def test_parse_attendance_refuses_anything_else(text):
    with pytest.raises(ValueError, match="attended, partial or did_not_attend"):
        parse_attendance(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:30", time(9, 30)),
        ("9:30", time(9, 30)),
        ("9.30", time(9, 30)),
        ("0930", time(9, 30)),
        ("16:05", time(16, 5)),
        ("00:00", time(0, 0)),
        ("9am", time(9, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("2:15 pm", time(14, 15)),
    ],
)
def test_parse_clock_reads_common_ways_of_writing_a_time(text, expected):
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["", "9", "25:00", "9:60", "9:5", "13pm", "noonish", "9:30:00"])
def test_parse_clock_refuses_what_is_not_a_time(text):
    assert parse_clock(text) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (time(9, 0), "9am"),
        (time(9, 30), "9:30am"),
        (time(12, 0), "midday"),
        (time(0, 0), "midnight"),
        (time(17, 5), "5:05pm"),
        (datetime(2030, 1, 1, 13, 0), "1pm"),
    ],
)
def test_clock_shows_times_the_gov_uk_way(value, text):
    assert clock(value) == text


# --------------------------------------------------------------------------- the calendar file


def test_ical_escape_handles_the_special_characters():
    assert ical_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_ical_fold_keeps_lines_within_75_octets_and_unfolds_to_the_original():
    line = "DESCRIPTION:" + "é" * 100 + "x" * 80
    folded = ical_fold(line)
    pieces = folded.split("\r\n")
    assert len(pieces) > 2
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert folded.replace("\r\n ", "") == line
    assert ical_fold("SHORT:line") == "SHORT:line"


def test_ical_utc_converts_london_time_in_winter_and_summer():
    assert ical_utc(datetime(2030, 1, 15, 9, 30)) == "20300115T093000Z"  # GMT
    assert ical_utc(datetime(2030, 7, 15, 9, 30)) == "20300715T083000Z"  # BST


def unfold(text: str) -> list[tuple[str, str]]:
    """Parse a calendar into (name, value) pairs, as a calendar program would."""
    assert text.endswith("\r\n")
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]
    pairs = []
    for line in lines:
        name, _, value = line.partition(":")
        assert name and name == name.upper(), line
        pairs.append((name, value))
    return pairs


def test_session_calendar_is_one_well_formed_event():
    course = Course(title="Triple P; level 4, group", description="Day one\nBring notes")
    venue = Venue(name="Learning House", address="Lincoln, LN1")
    session = TrainingSession(
        id=42,
        course=course,
        venue=venue,
        starts_at=datetime(2030, 7, 1, 9, 30),
        ends_at=datetime(2030, 7, 1, 16, 0),
        location_detail="Room 2",
        trainer="Pat Trainer",
        capacity=12,
        status="scheduled",
    )
    text = session_calendar(
        session,
        uid_domain="workforce.example.org",
        url="https://workforce.example.org/training/sessions/42",
        stamp=datetime(2030, 6, 1, 12, 0, tzinfo=UTC),
    )
    pairs = unfold(text)
    names = [name for name, _ in pairs]
    assert names[:2] == ["BEGIN", "VERSION"]
    assert [v for n, v in pairs if n == "BEGIN"] == ["VCALENDAR", "VEVENT"]
    assert [v for n, v in pairs if n == "END"] == ["VEVENT", "VCALENDAR"]
    values = dict(pairs)
    assert values["VERSION"] == "2.0"
    assert values["PRODID"]
    assert values["UID"] == "training-session-42@workforce.example.org"
    assert values["DTSTAMP"] == "20300601T120000Z"
    assert values["DTSTART"] == "20300701T083000Z"
    assert values["DTEND"] == "20300701T150000Z"
    assert values["SUMMARY"] == "Triple P\\; level 4\\, group"
    assert values["LOCATION"] == "Learning House\\, Lincoln\\, LN1\\, Room 2"
    assert values["DESCRIPTION"].startswith("Triple P\\; level 4\\, group\\nDay one\\nBring notes")
    assert "Trainer: Pat Trainer" in values["DESCRIPTION"]
    assert values["STATUS"] == "CONFIRMED"
    assert "\n" not in text.replace("\r\n", "")


def test_a_cancelled_session_calendar_says_so():
    session = TrainingSession(
        id=7,
        course=Course(title="Solihull"),
        starts_at=datetime(2030, 1, 1, 10, 0),
        ends_at=datetime(2030, 1, 1, 12, 0),
        capacity=5,
        status="cancelled",
        cancellation_reason="Trainer unwell",
    )
    values = dict(unfold(session_calendar(session, "x", "https://x/", datetime.now(UTC))))
    assert values["STATUS"] == "CANCELLED"
    assert "LOCATION" not in values
    assert "Cancelled: Trainer unwell" in values["DESCRIPTION"]
