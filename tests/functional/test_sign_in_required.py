"""Every page and action except signing in needs a signed-in user: a visitor who is not
signed in is sent to the sign-in page, whatever the address (built from the app's own
routes, so a new route is covered without a change here)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from workforce import create_app

#: Endpoints anyone may use.
PUBLIC = {"static", "auth.login"}


def _example_path(rule: Any) -> str:
    """The rule's address with a plausible value for each variable."""

    def value(match: re.Match[str]) -> str:
        converter = match.group(1) or ""
        if converter.startswith("any("):
            return converter[4:].split(",")[0].strip(" )")
        if converter.startswith("int") or converter == "":
            return "1"
        return "x"

    return re.sub(r"<(?:([^:>]+):)?[^>]+>", value, rule.rule)


def _routes() -> list[tuple[str, str, str]]:
    app: Flask = create_app({"TESTING": True, "SECRET_KEY": "x", "WORKFORCE_ENV": "testing"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        found.append((rule.endpoint, method, _example_path(rule)))
    return sorted(found)


@pytest.mark.parametrize(("endpoint", "method", "path"), _routes())
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
    client: Any, endpoint: str, method: str, path: str
) -> None:
    response = client.open(path, method=method)
    assert response.status_code in (302, 401), (endpoint, response.status_code)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"], (endpoint, response.headers["Location"])
