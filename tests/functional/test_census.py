"""The census pages: only HR and admins; the check lists problems by worker with links; the
downloads refuse until problems are dealt with; importing shows the schema's errors or a
preview, then imports on confirmation."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select

from tests.builders import make_staff, make_team
from workforce.extensions import db
from workforce.models import AuditEvent, Staff
from workforce.services import census_xml as cx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "census"
REFERENCE_XSD = FIXTURES / "social_work_workforce_2022.xsd"
TOKEN = re.compile(rb'name="token" value="([0-9a-f]{32})"')


@pytest.fixture(autouse=True)
def _census_settings(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "CENSUS_LA_CODE", "929")
    if not cx.SCHEMA_PATH.exists():
        monkeypatch.setattr(cx, "SCHEMA_PATH", REFERENCE_XSD)


def social_worker(**values: Any) -> Staff:
    details = {
        "swe_number": "SW0000000101",
        "date_of_birth": date(1985, 3, 14),
        "gender": "2",
        "ethnicity": "WBRI",
        "qual_inst": "University of Northumbria",
        "qual_level": "1",
        "step_up_grad": False,
        "frontline_grad": False,
        "last_name": "Ashby",
    }
    details.update(values)
    return make_staff(make_team(), start=date(2020, 1, 6), **details)


@pytest.mark.parametrize("role", ["practitioner", "supervisor", "ld_officer", "senior_leader"])
def test_other_roles_may_not_use_the_census(client: Any, login: Any, role: str) -> None:
    login(role)
    for url in ("/planning/census", "/planning/census/2024.xml", "/planning/census/import"):
        assert client.get(url).status_code == 403
    assert client.post("/planning/census/import/confirm").status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client: Any) -> None:
    response = client.get("/planning/census")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_the_check_lists_problems_by_worker_with_links(client: Any, login: Any, role: str) -> None:
    good = social_worker()
    bad = social_worker(swe_number=None, last_name="Bell", work_email="bell@example.org")
    login(role)
    page = client.get("/planning/census?year=2024")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Children's social work workforce census 2024" in html
    assert f'href="/staff/{bad.id}"' in html
    assert "No Social Work England number is recorded" in html
    assert f'href="/staff/{good.id}"' in html  # a warning: no start origin
    assert "Correct the 1 error above" in html
    refused = client.get("/planning/census/2024.xml?accept_warnings=yes")
    assert refused.status_code == 302
    followed = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "The return has 1 error(s) to correct" in followed


def test_downloads_need_warnings_accepted(client: Any, login: Any) -> None:
    social_worker()
    login("hr")
    html = client.get("/planning/census?year=2024").get_data(as_text=True)
    assert "Accept the" in html
    refused = client.get("/planning/census/2024.xml")
    assert refused.status_code == 302
    followed = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "warning(s)" in followed
    xml = client.get("/planning/census/2024.xml?accept_warnings=yes")
    assert xml.status_code == 200
    assert "csww-2024-929.xml" in xml.headers["Content-Disposition"]
    schema = etree.XMLSchema(etree.parse(str(REFERENCE_XSD)))
    assert schema.validate(etree.fromstring(xml.data))
    as_csv = client.get("/planning/census/2024.csv?accept_warnings=yes")
    assert as_csv.status_code == 200
    lines = as_csv.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("AgencyWorker,SWENo,FTE,PersonBirthDate")
    assert len(lines) == 2
    exports = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == "Census")
    )
    assert exports == 2


def test_an_unknown_year_or_format_is_not_found(client: Any, login: Any) -> None:
    login("hr")
    assert client.get("/planning/census?year=1999").status_code == 404
    assert client.get("/planning/census/2024.pdf").status_code == 404


def upload(client: Any, name: str, team: str = "") -> Any:
    content = (FIXTURES / name).read_bytes()
    return client.post(
        "/planning/census/import",
        data={"file": (io.BytesIO(content), name), "team": team},
        content_type="multipart/form-data",
    )


def test_a_file_failing_the_schema_shows_its_lines_and_imports_nothing(
    client: Any, login: Any
) -> None:
    login("hr")
    page = upload(client, "csww_2022_invalid.xml")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The file has 4 problems. Nothing has been imported." in html
    assert "is not accepted by the pattern" in html
    assert ">17<" in html and ">26<" in html
    assert TOKEN.search(page.data) is None
    assert db.session.scalar(select(func.count(Staff.id))) == 0


def test_import_preview_then_confirm(client: Any, login: Any) -> None:
    team = make_team("Assessment North")
    login("admin")
    page = upload(client, "csww_2022_return.xml", team=str(team.id))
    html = page.get_data(as_text=True)
    assert "The file is ready to import" in html
    assert "Import 7 records" in html
    assert db.session.scalar(select(func.count(Staff.id))) == 0
    token = TOKEN.search(page.data).group(1).decode()
    done = client.post(
        "/planning/census/import/confirm", data={"token": token, "team": str(team.id)}
    )
    assert done.status_code == 302
    assert "/planning/census?year=2022" in done.headers["Location"]
    assert db.session.scalar(select(func.count(Staff.id))) == 6
    staff = db.session.scalar(select(Staff).where(Staff.swe_number == "SW1000000001"))
    assert staff.spells[0].team_id == team.id
    again = upload(client, "csww_2022_return.xml").get_data(as_text=True)
    assert "importing it would change nothing" in again
    stale = client.post("/planning/census/import/confirm", data={"token": token, "team": ""})
    assert stale.status_code == 302
    assert stale.headers["Location"].endswith("/planning/census/import")
