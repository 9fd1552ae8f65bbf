"""Administrators manage accounts and read the audit trail."""

from __future__ import annotations

from sqlalchemy import select

from tests import builders
from workforce.extensions import db
from workforce.models import AuditEvent, User


def test_admin_creates_an_account_linked_to_a_staff_record(client, login):
    login("admin")
    staff = builders.make_staff(staff_number="S42")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Person@Example.org",
            "roles": ["supervisor", "practitioner"],
            "staff_number": "s42",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.roles == {"supervisor", "practitioner"} and user.staff_id == staff.id
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.entity_type == "User", AuditEvent.action == "create")
    )
    assert event.changes["password_hash"] == ["(hidden)", "(changed)"], (
        "hashes never reach the audit trail"
    )


def test_account_form_errors(client, login):
    login("admin")
    builders.make_user("hr", email="taken@example.org")
    page = client.post(
        "/admin/users/new",
        data={
            "email": "taken@example.org",
            "roles": ["hr"],
            "password": "a long enough password",
        },
    ).get_data(as_text=True)
    assert "An account with that email address already exists" in page
    page = client.post(
        "/admin/users/new",
        data={
            "email": "bad",
            "password": "short",
            "staff_number": "NOPE",
        },
    ).get_data(as_text=True)
    assert "Enter an email address in the correct format" in page
    assert "Select at least one role" in page
    assert "Password must be 12 characters or more" in page
    assert "No staff record has that staff number" in page


def test_change_roles(client, login):
    login("admin")
    user = builders.make_user("practitioner")
    client.post(f"/admin/users/{user.id}", data={"roles": ["hr", "ld_officer"], "staff_number": ""})
    assert db.session.get(User, user.id).roles == {"hr", "ld_officer"}


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(client, login):
    admin = login("admin")
    page = client.post(f"/admin/users/{admin.id}", data={"roles": ["hr"]}).get_data(as_text=True)
    assert "You cannot remove your own administrator role" in page
    client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert db.session.get(User, admin.id).is_active_account


def test_deactivate_signs_the_user_out_and_blocks_sign_in(client, login, app_ctx):
    login("admin")
    victim = builders.make_user("hr")
    other = app_ctx.test_client()
    other.post("/login", data={"email": victim.email, "password": builders.PASSWORD})
    assert other.get("/").status_code == 200
    client.post(f"/admin/users/{victim.id}/active", data={"active": "0"})
    assert other.get("/").status_code == 302
    response = other.post("/login", data={"email": victim.email, "password": builders.PASSWORD})
    assert response.status_code == 200
    client.post(f"/admin/users/{victim.id}/active", data={"active": "1"})
    assert (
        other.post(
            "/login", data={"email": victim.email, "password": builders.PASSWORD}
        ).status_code
        == 302
    )


def test_deactivate_page_asks_for_confirmation(client, login):
    login("admin")
    victim = builders.make_user("hr")
    page = client.get(f"/admin/users/{victim.id}").get_data(as_text=True)
    assert f'data-confirm="Deactivate {victim.email}?' in page


def test_reset_password(client, login, app_ctx):
    login("admin")
    victim = builders.make_user("hr")
    page = client.post(f"/admin/users/{victim.id}/password", data={"password": "short"}).get_data(
        as_text=True
    )
    assert "Password must be 12 characters or more" in page
    client.post(f"/admin/users/{victim.id}/password", data={"password": "freshly reset password"})
    fresh = app_ctx.test_client()
    assert (
        fresh.post(
            "/login", data={"email": victim.email, "password": builders.PASSWORD}
        ).status_code
        == 200
    )
    assert (
        fresh.post(
            "/login", data={"email": victim.email, "password": "freshly reset password"}
        ).status_code
        == 302
    )


def test_audit_trail_lists_and_filters(client, login):
    admin = login("admin")
    staff = builders.make_staff(first_name="Audit", last_name="Target")
    client.post(
        f"/staff/{staff.id}/edit",
        data={
            "staff_number": staff.staff_number,
            "first_name": "Audited",
            "last_name": "Target",
            "work_email": staff.work_email,
        },
    )
    page = client.get("/admin/audit?action=update&entity=Staff").get_data(as_text=True)
    assert "Audit" in page and "Audited" in page and admin.email in page
    assert "Showing 1 to 1 of 1 events" in page
    page = client.get(f"/admin/audit?actor={admin.email}&action=create").get_data(as_text=True)
    assert "No events match these filters." in page
    page = client.get("/admin/audit?from=2020-13-45").get_data(as_text=True)
    assert "Enter dates as YYYY-MM-DD" in page
