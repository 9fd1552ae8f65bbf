"""The cyclic garbage collector is paused while a report is built, and always comes back."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from workforce.collector import collector_paused
from workforce.reports import run_report
from workforce.reports.base import Parameters, Report, ReportDefinition


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_inside_and_running_again_afterwards():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_running_again_after_an_error():
    gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the report failed")
    assert gc.isenabled()


def test_left_paused_when_something_else_paused_it():
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_a_report_is_built_with_the_collector_paused():
    gc.enable()
    seen = []

    def build(params: Parameters, viewer: object) -> Report:
        seen.append(gc.isenabled())
        return Report(name="probe", title="Probe", parameters={}, columns=[], rows=[])

    definition = ReportDefinition(
        name="probe",
        title="Probe",
        description="",
        roles=(),
        build=build,
        accepts=frozenset(),
    )
    run_report(definition, Parameters(), None)
    assert seen == [False]
    assert gc.isenabled()
