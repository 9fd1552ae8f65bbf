"""The ASYE schedule, pauses, protected time and supervision windows on hand-made dates."""

from __future__ import annotations

from datetime import date, timedelta

from workforce.metrics.asye import (
    Pause,
    check_pauses,
    completion_deadline,
    evidence_progress,
    iter_supervision_windows,
    missed_windows,
    past_deadline,
    protected_hours_due,
    review_status,
    schedule,
    supervision_windows,
)

START = date(2026, 1, 5)


def due(reviews: list, code: str) -> date:
    return next(r.due for r in reviews if r.code == code)


def test_review_points_from_the_start() -> None:
    reviews = schedule(START)
    assert [(r.code, r.due) for r in reviews] == [
        ("agreement", date(2026, 1, 5)),
        ("review_3", date(2026, 4, 5)),
        ("review_6", date(2026, 7, 5)),
        ("review_9", date(2026, 10, 5)),
        ("final", date(2027, 1, 5)),
        ("moderation", date(2027, 2, 5)),
    ]
    assert [r.optional for r in reviews] == [False, False, False, True, False, False]


def test_a_pause_pushes_back_the_points_due_after_it_starts() -> None:
    pause = Pause(date(2026, 5, 1), date(2026, 5, 28))  # 28 days
    reviews = schedule(START, [pause])
    assert due(reviews, "review_3") == date(2026, 4, 5)
    assert due(reviews, "review_6") == date(2026, 7, 5) + timedelta(days=28)
    assert due(reviews, "final") == date(2027, 1, 5) + timedelta(days=28)


def test_a_pause_reached_only_because_of_an_earlier_one_counts() -> None:
    first = Pause(date(2026, 3, 20), date(2026, 4, 2))  # 14 days: 3-month review to 19 April
    second = Pause(date(2026, 4, 10), date(2026, 4, 16))  # 7 days, before the new date
    assert due(schedule(START, [second, first]), "review_3") == date(2026, 4, 26)


def test_pause_checks() -> None:
    assert check_pauses([Pause(date(2026, 2, 1), date(2026, 2, 10))], START) == []
    problems = check_pauses(
        [
            Pause(date(2026, 2, 1), date(2026, 2, 10)),
            Pause(date(2026, 2, 10), date(2026, 2, 20)),
            Pause(date(2025, 12, 1), date(2025, 12, 2)),
            Pause(date(2026, 6, 5), date(2026, 6, 1)),
        ],
        START,
    )
    assert any("overlap" in p for p in problems)
    assert any("starts before the programme" in p for p in problems)
    assert any("ends before it starts" in p for p in problems)


def test_completion_within_24_months() -> None:
    assert completion_deadline(START) == date(2028, 1, 5)
    assert not past_deadline(START, [Pause(date(2026, 2, 1), date(2026, 12, 31))])
    long = Pause(date(2026, 2, 1), date(2027, 6, 30))
    assert past_deadline(START, [long])


def test_review_status() -> None:
    today = date(2026, 4, 1)
    assert review_status(date(2026, 3, 30), None, today) == "overdue"
    assert review_status(date(2026, 4, 15), None, today) == "upcoming"
    assert review_status(date(2026, 4, 16), None, today) == "later"
    assert review_status(date(2026, 3, 30), date(2026, 3, 29), today) == "held"


def test_protected_time_is_ten_per_cent_pro_rata() -> None:
    # 37 hours a week: 10% of 37 x 52 = 192.4 hours over the year.
    assert protected_hours_due(START, date(2027, 1, 5), 37) == 192.4
    assert protected_hours_due(START, date(2028, 1, 1), 37) == 192.4
    assert protected_hours_due(START, START - timedelta(days=1), 37) == 0.0
    half = protected_hours_due(START, date(2026, 7, 6), 37)
    assert 95 < half < 97
    # Part-time, pro rata.
    assert protected_hours_due(START, date(2027, 1, 5), 18.5) == 96.2


def test_protected_time_stops_during_a_pause() -> None:
    pause = Pause(date(2026, 3, 1), date(2026, 3, 31))
    before = protected_hours_due(START, date(2026, 2, 28), 37, [pause])
    assert protected_hours_due(START, date(2026, 3, 31), 37, [pause]) == before


def test_supervision_windows_weekly_then_fortnightly_then_monthly() -> None:
    windows = supervision_windows(START, [], today=date(2027, 1, 31))
    weekly, rest = windows[:6], windows[6:]
    assert all((w.ends - w.starts).days == 6 for w in weekly)
    assert weekly[0].starts == START and weekly[-1].ends == START + timedelta(weeks=6, days=-1)
    fortnightly = rest[:10]
    assert all((w.ends - w.starts).days == 13 for w in fortnightly)
    assert fortnightly[-1].ends == START + timedelta(weeks=26, days=-1)
    monthly = rest[10:]
    assert monthly[0].starts == START + timedelta(weeks=26)
    assert monthly[-1].ends == START + timedelta(weeks=52, days=-1)


def test_a_missed_week_is_shown() -> None:
    held = [START + timedelta(weeks=n, days=2) for n in (0, 1, 3, 4, 5)]  # week 3 missed
    today = START + timedelta(weeks=6, days=1)
    windows = supervision_windows(START, held, today)
    missed = missed_windows(windows, today)
    assert [(w.starts, w.ends) for w in missed] == [
        (START + timedelta(weeks=2), START + timedelta(weeks=3, days=-1))
    ]


def test_a_window_under_way_is_not_missed_yet() -> None:
    today = START + timedelta(days=3)
    assert missed_windows(supervision_windows(START, [], today), today) == []


def test_paused_days_stretch_the_window_they_fall_in() -> None:
    pause = Pause(START + timedelta(days=2), START + timedelta(days=8))  # 7 days
    windows = supervision_windows(
        START, [START + timedelta(days=12)], START + timedelta(days=20), [pause]
    )
    assert windows[0].starts == START
    assert windows[0].ends == START + timedelta(days=13)  # 7 programme days + 7 paused
    assert windows[0].held


def test_windows_one_at_a_time_are_the_same_and_can_stop_early() -> None:
    pauses = [Pause(START + timedelta(days=20), START + timedelta(days=34))]
    held = [START + timedelta(days=d) for d in (1, 9, 15, 40, 41, 70, 100, 150, 200)]
    today = START + timedelta(days=300)
    whole = supervision_windows(START, held, today, pauses)
    assert list(iter_supervision_windows(START, held, today, pauses)) == whole
    first_missed = next(
        w for w in iter_supervision_windows(START, held, today, pauses) if not w.held
    )
    assert first_missed == missed_windows(whole, today)[0]
    # Held on the window's first or last day counts; the day after does not.
    window = whole[0]
    for day, inside in (
        (window.starts, True),
        (window.ends, True),
        (window.ends + timedelta(days=1), False),
    ):
        assert supervision_windows(START, [day], today)[0].held is inside


def test_evidence_progress() -> None:
    progress = evidence_progress({"observation": 2, "written_report": 3})
    assert progress[0] == ("observation", "Direct observations of practice", 2, 3)
    assert ("written_report", "Assessed written reports", 3, 3) in progress
    assert len(progress) == 6
