"""The ASYE programme's versions: who reads and who adds them, a new version copied from the
one in force, every refusal through the form, and the saved version's rules."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from workforce.extensions import db
from workforce.models.asye import AsyeProgramme
from workforce.services.asye import load_default_programme


def text(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def form_data(client: Any, path: str) -> dict[str, Any]:
    """The form's fields as the page fills them (text inputs and ticked boxes)."""
    page = text(client.get(path))
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None:
            continue
        if 'type="checkbox"' not in tag:
            data[name.group(1)] = value.group(1) if value else ""
        elif "checked" in tag:
            data[name.group(1)] = "y"
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body.strip()
    data.pop("csrf_token", None)
    return data


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(AsyeProgramme)) or 0


def test_who_reads_and_who_adds(client, login, app_ctx):
    load_default_programme()
    db.session.commit()
    default = db.session.scalar(select(AsyeProgramme))
    for role in ("senior_leader",):
        login(role)
        page = text(client.get("/asye/programmes"))
        assert "Child and family ASYE" in page and "1 September 2018" in page
        assert "In force today" in page and "Add a new version" not in page
        detail = text(client.get(f"/asye/programmes/{default.id}"))
        assert "3-month review" in detail and "Direct observations of practice" in detail
        assert "10% of contracted hours" in detail
        assert client.get("/asye/programmes/new").status_code == 403
        client.post("/logout")
    for role in ("practitioner", "supervisor"):
        login(role)
        assert client.get("/asye/programmes").status_code == 403
        client.post("/logout")
    for role in ("ld_officer", "hr", "admin"):
        login(role)
        assert "Add a new version" in text(client.get("/asye/programmes"))
        assert client.get("/asye/programmes/new").status_code == 200
        assert client.get(f"/asye/programmes/{default.id + 999}").status_code == 404
        client.post("/logout")


def test_a_new_version_is_copied_checked_and_saved(client, login, app_ctx):
    load_default_programme()
    db.session.commit()
    login("ld_officer")
    data = form_data(client, "/asye/programmes/new")
    assert data["name"] == "Child and family ASYE (new version)"
    assert data["point_2_code"] == "review_3" and data["point_2_months"] == "3"
    assert data["point_4_optional"] == "y" and "point_3_optional" not in data
    assert data["evidence_1_kind"] == "observation" and data["evidence_1_required"] == "3"
    assert data["protected_percent"] == "10" and data["completion_months"] == "24"
    assert data.get("workload_cap_points", "") == ""
    assert data["point_7_code"] == "" and data["evidence_7_kind"] == ""  # spare rows
    data["effective_from"] = ["1", "9", "2018"]
    assert "already takes effect on 1 September 2018" in text(
        client.post("/asye/programmes/new", data=data)
    )
    data["effective_from"] = ["1", "9", "2027"]
    refusals = [
        ({"name": " "}, "Enter a name for the programme"),
        ({"effective_from": ["", "", ""]}, "Enter the takes effect on"),
        ({"point_2_code": "Review 3"}, "Review point 2: the code must be lower-case"),
        ({"point_2_code": "agreement"}, "Review point 2: the code agreement is used twice"),
        ({"point_2_label": ""}, "Review point 2: enter a label"),
        ({"point_2_months": "70"}, "Review point 2: enter the months from the start"),
        ({"point_2_months": "three"}, "Review point 2 months must be a whole number"),
        ({"point_5_code": "end"}, "Keep a review point with the code final"),
        ({"point_5_optional": "y"}, "The final review cannot be optional"),
        ({"point_7_label": "Extra"}, "Review point 7: enter a code"),
        ({"evidence_1_required": "0"}, "Evidence requirement 1: enter how many pieces"),
        ({"evidence_2_kind": "observation"}, "the kind observation is used twice"),
        ({"protected_percent": "120"}, "as a percentage from 0 to 100"),
        ({"protected_percent": "10.25"}, "at most one decimal place"),
        ({"completion_months": "11"}, "must be at least the final review's (12)"),
        ({"completion_months": ""}, "Enter the months allowed to complete"),
        ({"workload_cap_points": "0"}, "Enter the workload cap as points more than 0"),
        ({"workload_cap_points": "lots"}, "must be a number"),
    ]
    for change, message in refusals:
        response = client.post("/asye/programmes/new", data={**data, **change})
        assert response.status_code == 200 and message in text(response), message
    assert count() == 1
    changed = {
        **data,
        "name": "Early career ASYE 2027",
        "protected_percent": "12.5",
        "workload_cap_points": "80",
        "completion_months": "18",
        "point_7_code": "review_1",
        "point_7_label": "1-month check-in",
        "point_7_months": "1",
        "point_4_code": "",
        "point_4_label": "",
        "point_4_months": "",
        "evidence_6_required": "2",
        "evidence_7_kind": "reflective_log",
        "evidence_7_label": "Reflective log entries",
        "evidence_7_required": "4",
    }
    changed.pop("point_4_optional")
    response = client.post("/asye/programmes/new", data=changed)
    assert response.status_code == 302
    saved = db.session.scalar(select(AsyeProgramme).where(AsyeProgramme.name.like("Early%")))
    assert saved.effective_from == date(2027, 9, 1)
    assert [p["code"] for p in saved.review_points] == [
        "agreement",
        "review_1",
        "review_3",
        "review_6",
        "final",
        "moderation",
    ]
    assert saved.review_points[1] == {
        "code": "review_1",
        "label": "1-month check-in",
        "months": 1,
        "optional": False,
    }
    assert saved.evidence_requirements["kss_self_assessment"]["required"] == 2
    assert saved.evidence_requirements["reflective_log"] == {
        "label": "Reflective log entries",
        "required": 4,
    }
    assert saved.protected_share == Decimal("0.125")
    assert saved.completion_months == 18 and saved.workload_cap_points == Decimal("80")
    page = text(client.get(response.headers["Location"]))
    assert "Early career ASYE 2027 saved: it takes effect on 1 September 2027" in page
    listing = text(client.get("/asye/programmes"))
    assert listing.index("Early career ASYE 2027") < listing.index("Child and family ASYE")
    assert "Future" in listing
