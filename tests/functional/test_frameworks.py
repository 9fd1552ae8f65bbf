"""Framework pages: everyone signed in reads and exports; admins create and edit frameworks,
their domains, levels, pathways and descriptors, and import files after a preview."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import Framework, FrameworkDescriptor, FrameworkDomain, FrameworkPathway
from workforce.services import framework_io
from workforce.services import frameworks as service
from workforce.services.frameworks import pcf

BASE = "/capability/frameworks"


def page(response: Any) -> str:
    return response.get_data(as_text=True)


def fresh(framework: Framework) -> Framework:
    db.session.expire_all()
    return db.session.get(Framework, framework.id)


def with_pathway(framework: Framework) -> FrameworkPathway:
    pathway = service.save_pathway(framework.levels[1], None, "Team manager")
    db.session.commit()
    return pathway


def change_routes(framework: Framework) -> list[str]:
    domain, level = framework.domains[0], framework.levels[1]
    pathway = with_pathway(framework)
    f = f"{BASE}/{framework.id}"
    return [
        f"{BASE}/new",
        f"{BASE}/import",
        f"{f}/edit",
        f"{f}/domains/new",
        f"{f}/levels/new",
        f"{f}/domains/{domain.id}/edit",
        f"{f}/domains/{domain.id}/retire",
        f"{f}/levels/{level.id}/edit",
        f"{f}/levels/{level.id}/retire",
        f"{f}/levels/{level.id}/pathways/new",
        f"{f}/levels/{level.id}/pathways/{pathway.id}/edit",
        f"{f}/levels/{level.id}/pathways/{pathway.id}/remove",
        f"{f}/descriptors/{domain.id}/{level.id}",
    ]


def post_routes(framework: Framework) -> list[str]:
    domain, level = framework.domains[1], framework.levels[0]
    f = f"{BASE}/{framework.id}"
    return [
        f"{BASE}/import/confirm",
        f"{f}/domains/{domain.id}/move/up",
        f"{f}/levels/{level.id}/move/down",
        f"{f}/domains/{domain.id}/reinstate",
        f"{f}/levels/{level.id}/reinstate",
    ]


# --------------------------------------------------------------------------- who may do what


def test_everyone_signed_in_reads_frameworks_and_admins_alone_see_the_change_links(client, login):
    framework = builders.make_framework("READ-1")
    login("practitioner")
    listing = page(client.get(BASE))
    assert "Test capabilities" in listing and "READ-1" in listing
    assert "Professional Capabilities Framework" in listing
    assert "Create a framework" not in listing and "Import a framework" not in listing
    detail = page(client.get(f"{BASE}/{framework.id}"))
    assert "Practice" in detail and "Does not supervise" in detail
    assert (
        "Edit framework" not in detail and "Move up" not in detail and "Add a domain" not in detail
    )
    assert f"{BASE}/{framework.id}/export?format=yaml" in detail
    assert f"{BASE}/{framework.id}/export?format=csv" in detail


def test_admins_see_create_and_import(client, login):
    login("admin")
    listing = page(client.get(BASE))
    assert "Create a framework" in listing and "Import a framework" in listing


@pytest.mark.parametrize(
    "role", ["practitioner", "supervisor", "hr", "ld_officer", "senior_leader"]
)
def test_other_roles_get_403_on_every_change_route_and_nothing_changes(client, login, role):
    framework = builders.make_framework("LOCK-1")
    routes = change_routes(framework)
    before = framework_io.framework_data(framework)
    login(role)
    for path in routes:
        assert client.get(path).status_code == 403, path
        assert (
            client.post(path, data={"name": "Hacked", "code": "HACK", "text": "x"}).status_code
            == 403
        ), path
    for path in post_routes(framework):
        assert client.post(path).status_code == 403, path
    assert framework_io.framework_data(fresh(framework)) == before
    assert db.session.scalar(select(Framework).where(Framework.code == "HACK")) is None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in (BASE, f"{BASE}/1", f"{BASE}/1/export?format=csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_frameworks_and_items_of_another_framework_are_not_found(client, login):
    one, two = builders.make_framework("ONE"), builders.make_framework("TWO")
    login("admin")
    assert client.get(f"{BASE}/999999").status_code == 404
    assert client.get(f"{BASE}/{one.id}/domains/{two.domains[0].id}/edit").status_code == 404
    assert (
        client.get(
            f"{BASE}/{one.id}/descriptors/{two.domains[0].id}/{one.levels[0].id}"
        ).status_code
        == 404
    )
    assert client.get(f"{BASE}/{one.id}/export?format=xlsx").status_code == 404


# --------------------------------------------------------------------------- frameworks


def test_admin_creates_a_framework(client, login):
    login("admin")
    response = client.post(
        f"{BASE}/new",
        data={
            "code": "NB-2025",
            "name": " Northbrook  capabilities ",
            "description": "Ours",
            "active": "y",
        },
    )
    assert response.status_code == 302
    framework = db.session.scalar(select(Framework).where(Framework.code == "NB-2025"))
    assert framework.name == "Northbrook  capabilities".strip() and framework.active
    assert response.headers["Location"].endswith(f"{BASE}/{framework.id}")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "", "name": "X"}, "Enter a code"),
        ({"code": "NB", "name": ""}, "Enter a name"),
        ({"code": "N B!", "name": "X"}, "Code must use only letters, digits and hyphens"),
        ({"code": "X" * 41, "name": "X"}, "Code must be 40 characters or fewer"),
        ({"code": "pcf", "name": "X"}, "A framework with code PCF already exists"),
        ({"code": "NB", "name": "X" * 201}, "Name must be 200 characters or fewer"),
    ],
)
def test_framework_form_refuses_bad_details_with_a_message(client, login, data, message):
    login("admin")
    response = client.post(f"{BASE}/new", data=data)
    assert response.status_code == 200 and message in page(response)
    assert "Error:" in page(response)
    assert (
        db.session.scalar(select(func.count()).select_from(Framework).where(Framework.name == "X"))
        == 0
    )


def test_admin_edits_a_framework_but_not_the_code_of_a_shipped_one(client, login):
    framework = builders.make_framework("EDIT-1")
    login("admin")
    response = client.post(
        f"{BASE}/{framework.id}/edit",
        data={"code": "EDIT-2", "name": "Renamed", "source": "Council, 2025"},
    )
    assert response.status_code == 302
    framework = fresh(framework)
    assert (framework.code, framework.name, framework.source, framework.active) == (
        "EDIT-2",
        "Renamed",
        "Council, 2025",
        False,
    )
    shipped = pcf()
    response = client.post(
        f"{BASE}/{shipped.id}/edit", data={"code": "PCF2", "name": shipped.name, "active": "y"}
    )
    assert "its code cannot change" in page(response)
    assert fresh(shipped).code == "PCF"


# --------------------------------------------------------------------------- domains and levels


def test_admin_adds_and_edits_domains_with_unique_names(client, login):
    framework = builders.make_framework("DOM-1")
    login("admin")
    response = client.post(
        f"{BASE}/{framework.id}/domains/new",
        data={"name": "Reflection", "description": "Thinks", "former_name": "Critical reflection"},
    )
    assert response.status_code == 302
    added = fresh(framework).domains[-1]
    assert (added.name, added.position, added.former_name) == (
        "Reflection",
        4,
        "Critical reflection",
    )
    refused = client.post(f"{BASE}/{framework.id}/domains/new", data={"name": "practice"})
    assert "This framework already has a domain called Practice" in page(refused)
    assert "Enter the domain&#39;s name" in page(
        client.post(f"{BASE}/{framework.id}/domains/new", data={"name": ""})
    )
    client.post(
        f"{BASE}/{framework.id}/domains/{added.id}/edit",
        data={"name": "Reflective practice", "former_name": "Critical reflection"},
    )
    assert fresh(framework).domains[-1].name == "Reflective practice"
    service.set_retired(fresh(framework).domains[0], True)
    db.session.commit()
    refused = client.post(f"{BASE}/{framework.id}/domains/new", data={"name": "Practice"})
    assert "reinstate it instead" in page(refused)
    detail = page(client.get(f"{BASE}/{framework.id}"))
    assert "Formerly Critical reflection" in detail


@pytest.mark.parametrize("segment", ["domains", "levels"])
def test_admin_reorders_domains_and_levels(client, login, segment):
    framework = builders.make_framework(
        "ORD-1", domains=("A", "B", "C"), levels=("One", "Two", "Three")
    )
    items = list(framework.domains if segment == "domains" else framework.levels)
    login("admin")

    def order() -> list[str]:
        current = fresh(framework)
        return [i.name for i in service.ordered(getattr(current, segment), retired=False)]

    before = order()
    client.post(f"{BASE}/{framework.id}/{segment}/{items[2].id}/move/up")
    assert order() == [before[0], before[2], before[1]]
    client.post(f"{BASE}/{framework.id}/{segment}/{items[0].id}/move/down")
    assert order() == [before[2], before[0], before[1]]
    client.post(f"{BASE}/{framework.id}/{segment}/{items[2].id}/move/up")  # already first
    assert order() == [before[2], before[0], before[1]]
    detail = page(client.get(f"{BASE}/{framework.id}"))
    assert detail.index(f">{before[2]}<") < detail.index(f">{before[0]}<")


@pytest.mark.parametrize("segment", ["domains", "levels"])
def test_retiring_asks_first_then_keeps_the_item_apart_until_reinstated(client, login, segment):
    framework = builders.make_framework("RET-1")
    item = (framework.domains if segment == "domains" else framework.levels)[0]
    model = type(item)
    login("admin")
    confirm = page(client.get(f"{BASE}/{framework.id}/{segment}/{item.id}/retire"))
    assert (
        f"Retire the {segment[:-1]} {item.name}?" in confirm
        and "Assessments that use it: 0" in confirm
    )
    assert db.session.get(model, item.id).retired is False
    response = client.post(f"{BASE}/{framework.id}/{segment}/{item.id}/retire")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(model, item.id).retired is True
    detail = page(client.get(f"{BASE}/{framework.id}"))
    retired_heading = "Retired domains" if segment == "domains" else "Retired levels"
    assert retired_heading in detail
    assert detail.index(retired_heading) < detail.index(item.name, detail.index(retired_heading))
    client.post(f"{BASE}/{framework.id}/{segment}/{item.id}/reinstate")
    db.session.expire_all()
    assert db.session.get(model, item.id).retired is False
    assert db.session.get(model, item.id) is not None


# --------------------------------------------------------------------------- pathways


def test_admin_adds_renames_and_removes_pathways(client, login):
    framework = builders.make_framework("PATH-1")
    level = framework.levels[1]
    login("admin")
    base = f"{BASE}/{framework.id}/levels/{level.id}/pathways"
    client.post(f"{base}/new", data={"name": "Team manager"})
    client.post(f"{base}/new", data={"name": "Practice educator"})
    assert "already has a pathway called Team manager" in page(
        client.post(f"{base}/new", data={"name": "team MANAGER"})
    )
    pathways = fresh(framework).levels[1].pathways
    assert [p.name for p in pathways] == ["Team manager", "Practice educator"]
    client.post(f"{base}/{pathways[0].id}/edit", data={"name": "Service manager"})
    assert "Remove the pathway Practice educator?" in page(
        client.get(f"{base}/{pathways[1].id}/remove")
    )
    client.post(f"{base}/{pathways[1].id}/remove")
    assert [p.name for p in fresh(framework).levels[1].pathways] == ["Service manager"]
    assert "Service manager" in page(client.get(f"{BASE}/{framework.id}"))


def test_a_pathway_a_role_profile_uses_cannot_be_removed(client, login):
    framework = builders.make_framework("PATH-2")
    pathway = with_pathway(framework)
    builders.make_profile(framework.levels[1], pathway=pathway)
    login("admin")
    url = f"{BASE}/{framework.id}/levels/{framework.levels[1].id}/pathways/{pathway.id}/remove"
    assert "Team manager cannot be removed" in page(client.get(url))
    response = client.post(url)
    assert response.status_code == 200 and "cannot be removed" in page(response)
    assert db.session.get(FrameworkPathway, pathway.id) is not None


# --------------------------------------------------------------------------- descriptors


def test_admin_writes_changes_and_removes_a_descriptor(client, login):
    framework = builders.make_framework("DESC-1")
    domain, level = framework.domains[1], framework.levels[0]
    login("admin")
    url = f"{BASE}/{framework.id}/descriptors/{domain.id}/{level.id}"
    response = client.post(url, data={"text": "Works with families\r\nand partners"})
    assert response.status_code == 302
    stored = db.session.scalar(select(FrameworkDescriptor))
    assert stored.text == "Works with families\nand partners"
    assert "Works with families" in page(client.get(f"{BASE}/{framework.id}"))
    assert "Works with families" in page(client.get(url))
    client.post(url, data={"text": "Leads"})
    db.session.expire_all()
    assert db.session.scalar(select(FrameworkDescriptor)).text == "Leads"
    client.post(url, data={"text": "   "})
    assert db.session.scalar(select(func.count()).select_from(FrameworkDescriptor)) == 0
    assert "Keep this to 5,000 characters" in page(client.post(url, data={"text": "x" * 5001}))


def test_readers_see_descriptors_by_level(client, login):
    framework = builders.make_framework("DESC-2")
    service.set_descriptor(framework.domains[0], framework.levels[1], "Supervises practice well")
    db.session.commit()
    login("practitioner")
    detail = page(client.get(f"{BASE}/{framework.id}"))
    assert "Supervises others: 1 of 3 domains described" in detail
    assert "Supervises practice well" in detail and "Write" not in detail


# --------------------------------------------------------------------------- export


def test_export_downloads_yaml_and_csv(client, login):
    framework = builders.make_framework("EXP-1")
    service.save_item(
        framework, "domain", framework.domains[0], name="Practice", description="=1+1"
    )
    db.session.commit()
    login("practitioner")
    response = client.get(f"{BASE}/{framework.id}/export?format=yaml")
    assert response.status_code == 200
    assert "filename=EXP-1.yaml" in response.headers["Content-Disposition"]
    assert yaml.safe_load(response.data)["domains"][0] == {
        "name": "Practice",
        "description": "=1+1",
    }
    response = client.get(f"{BASE}/{framework.id}/export?format=csv")
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    assert text.startswith("kind,code,name") and "domain,,Practice,'=1+1" in text


# --------------------------------------------------------------------------- import


def upload(client: Any, content: bytes, filename: str) -> Any:
    return client.post(
        f"{BASE}/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def token_of(response: Any) -> tuple[str, str]:
    text = page(response)
    token = re.search(r'name="token"[^>]*value="([0-9a-f]{32})"', text) or re.search(
        r'value="([0-9a-f]{32})"[^>]*name="token"', text
    )
    fmt = re.search(r'name="format"[^>]*value="(yaml|csv)"', text) or re.search(
        r'value="(yaml|csv)"[^>]*name="format"', text
    )
    assert token and fmt, text[-3000:]
    return token.group(1), fmt.group(1)


NEW_YAML = b"""\
code: UPLOAD-1
name: Uploaded capabilities
domains:
  - name: Practice
  - name: Partnership
levels:
  - name: Entry
    pathways: [General]
descriptors:
  - domain: Practice
    level: Entry
    text: Starts well
"""


def test_an_upload_is_previewed_without_writing_then_imported_on_confirm(app, client, login):
    login("admin")
    preview = upload(client, NEW_YAML, "new.yaml")
    assert preview.status_code == 200
    text = page(preview)
    assert "A new framework" in text and "2 domains, 1 levels, 1 pathways, 1 descriptors" in text
    assert framework_io.find_framework("UPLOAD-1") is None
    token, fmt = token_of(preview)
    response = client.post(f"{BASE}/import/confirm", data={"token": token, "format": fmt})
    assert response.status_code == 302
    framework = framework_io.find_framework("UPLOAD-1")
    assert [d.name for d in framework.domains] == ["Practice", "Partnership"]
    assert framework.levels[0].pathways[0].name == "General"
    assert "Import complete" in page(client.get(response.headers["Location"]))
    again = client.post(f"{BASE}/import/confirm", data={"token": token, "format": fmt})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"{BASE}/import")


def test_an_update_lists_what_will_change(client, login):
    framework = builders.make_framework("UPD-1")
    data = framework_io.framework_data(framework)
    data["domains"] = data["domains"][1:] + [{"name": "Reflection"}]
    login("admin")
    text = page(upload(client, framework_io.export_csv(framework).encode(), "same.csv"))
    assert "None: the framework already matches the file" in text
    text = page(upload(client, yaml.safe_dump(data).encode(), "update.yaml"))
    assert "Retire domain Practice (not in the file)" in text and "Add domain Reflection" in text
    assert not fresh(framework).domains[0].retired


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"code: [oops\n", "bad.yaml", "not valid YAML"),
        (b"code: X\nname: X\ndomains:\n  - name: A\n  - name: A\n", "dup.yaml", "appears twice"),
        (
            b"kind,name\nframework,X\nwidget,W\n",
            "kinds.csv",
            "Unknown kind &#39;widget&#39;",
        ),
        (b"code: X\nname: X\n", "notes.txt", "The file must be a YAML or CSV file"),
        (b"#" * (framework_io.MAX_FILE_BYTES + 10), "huge.yaml", "larger than 1024 KB"),
    ],
)
def test_bad_files_are_refused_whole_with_their_problems(client, login, content, filename, message):
    login("admin")
    response = upload(client, content, filename)
    assert response.status_code == 200
    assert message in page(response), page(response)[-3000:]
    assert 'name="token"' not in page(response)
    assert (
        db.session.scalar(select(func.count()).select_from(Framework).where(Framework.code == "X"))
        == 0
    )


def test_a_token_is_only_good_for_the_admin_who_uploaded_it(client, login):
    login("admin")
    token, fmt = token_of(upload(client, NEW_YAML, "new.yaml"))
    client.post("/logout")
    login("admin")
    response = client.post(f"{BASE}/import/confirm", data={"token": token, "format": fmt})
    assert response.status_code == 302 and framework_io.find_framework("UPLOAD-1") is None
    assert (
        client.post(f"{BASE}/import/confirm", data={"token": token, "format": "xlsx"}).status_code
        == 400
    )


def test_the_confirm_checks_the_file_again(client, login):
    framework = builders.make_framework("AGAIN-1", levels=("Entry", "Senior"))
    with_pathway(framework)
    data = framework_io.framework_data(framework)
    data["levels"][1].pop("pathways")
    login("admin")
    token, fmt = token_of(upload(client, yaml.safe_dump(data).encode(), "again.yaml"))
    builders.make_profile(
        fresh(framework).levels[1], pathway=fresh(framework).levels[1].pathways[0]
    )
    response = client.post(f"{BASE}/import/confirm", data={"token": token, "format": fmt})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{BASE}/import")
    assert [p.name for p in fresh(framework).levels[1].pathways] == ["Team manager"]


# --------------------------------------------------------------------------- CSRF


def test_change_forms_need_their_csrf_token(app, client, login, monkeypatch):
    framework = builders.make_framework("CSRF-1")
    login("admin")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    detail = page(client.get(f"{BASE}/{framework.id}"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', detail).group(1)
    domain = framework.domains[1]
    move = f"{BASE}/{framework.id}/domains/{domain.id}/move/up"
    assert client.post(move).status_code == 400
    assert client.post(move, data={"csrf_token": token}).status_code == 302
    assert fresh(framework).domains[0].name == "Partnership"

    refused = client.post(f"{BASE}/new", data={"code": "CSRF-2", "name": "No token"})
    assert refused.status_code == 400 and framework_io.find_framework("CSRF-2") is None
    form = page(client.get(f"{BASE}/new"))
    form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    client.post(
        f"{BASE}/new", data={"code": "CSRF-2", "name": "With token", "csrf_token": form_token}
    )
    assert framework_io.find_framework("CSRF-2") is not None

    retire = f"{BASE}/{framework.id}/domains/{domain.id}/retire"
    assert client.post(retire).status_code == 400
    assert db.session.get(FrameworkDomain, domain.id).retired is False
    retire_page = page(client.get(retire))
    retire_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', retire_page).group(
        1
    )
    client.post(retire, data={"csrf_token": retire_token})
    db.session.expire_all()
    assert db.session.get(FrameworkDomain, domain.id).retired is True
