"""Peak memory of one report export, in a process of its own (as a web worker would build it).

``python bench/memory_probe.py DATABASE_URL REPORT FORMAT [PARAMETERS_JSON]`` builds the report
with its default parameters (or those given, such as ``{"scorecard": "x"}``) for the command
line's viewer, renders it as FORMAT (CSV streamed line by line,
as the web download sends it; XLSX and JSON whole) and prints one line of JSON: the seconds
it took, the process's peak resident memory while building and exporting the report
(Linux's VmHWM, reset just before the report starts by writing 5 to /proc/self/clear_refs,
so the imports' own passing peaks do not count) and the resident memory before it started
(the app and its imports), both in MiB.
"""

from __future__ import annotations

import json
import sys
import time

from common import make_app


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:  # not Linux, or not allowed: the peak then includes the imports
        pass


def main() -> int:
    database_url, name, format_name = sys.argv[1:4]
    raw = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    app = make_app(database_url)
    with app.app_context():
        from workforce.reports import check_parameters, run_report
        from workforce.reports.registry import get
        from workforce.reports.render import csv_chunks, render

        definition = get(name)
        assert definition is not None, name
        _reset_peak()
        before = _status_mib("VmRSS")
        started = time.perf_counter()
        result = run_report(definition, check_parameters(definition, raw), None)
        size = 0
        if format_name == "csv":
            for chunk in csv_chunks(result):
                size += len(chunk.encode("utf-8"))
        else:
            size = len(render(result, format_name))
        seconds = time.perf_counter() - started
    peak = _status_mib("VmHWM")
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "base_mib": before, "bytes": size}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
