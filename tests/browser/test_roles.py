"""Each role in a real browser: what it can reach from its navigation, and what it cannot."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import builders
from tests.browser.conftest import CheckedPage, LiveServer


@pytest.mark.browser
def test_each_demo_role_can_sign_in_and_use_its_navigation(
    ui: CheckedPage, live_server: LiveServer
) -> None:
    from sqlalchemy import select

    from workforce.demo import DEMO_ACCOUNTS, DEMO_DOMAIN, DEMO_PASSWORD, build_demo
    from workforce.extensions import db
    from workforce.models import User

    with live_server.context():
        build_demo(seed=2026)
        db.session.commit()
        # What each account's home page greets them with: their first name, if linked.
        headings = {}
        for local, _, _ in DEMO_ACCOUNTS:
            user = db.session.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))
            headings[user.email] = f"Hello, {user.staff.first_name}" if user.staff else "Home"
    page = ui.page
    assert len(headings) == len(DEMO_ACCOUNTS) >= 6

    for email, heading in headings.items():
        ui.sign_in(email, DEMO_PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator(".app-signed-in-as")).to_have_text(email)

        links = ui.service_navigation()
        items = [(link.inner_text().strip(), link.get_attribute("href")) for link in links.all()]
        assert items, f"{email} sees no service navigation"
        assert items[0] == ("Home", "/"), items
        for text, href in items:
            ui.visit(href)
            assert page.url.startswith(ui.base_url), page.url
            current = page.locator(".govuk-service-navigation__item--active")
            expect(
                current, f"{text} is not marked as the current section for {email}"
            ).to_have_text(text)
            expect(current.get_by_role("link")).to_have_attribute("aria-current", re.compile("."))
            expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(links.first).to_be_visible()
        ui.sign_out()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Workforce")
        expect(page.locator(".govuk-service-navigation")).to_have_count(0)
        # Signed out really means signed out.
        ui.visit("/")
        assert "/login" in page.url, page.url


@pytest.mark.browser
def test_practitioner_cannot_open_someone_elses_record(
    ui: CheckedPage, live_server: LiveServer
) -> None:
    with live_server.context():
        team = builders.make_team("Assessment South")
        own = builders.make_staff(team, first_name="Femi", last_name="Adebayo")
        colleague = builders.make_staff(team, first_name="Gwen", last_name="Pryce")
        user = builders.make_user("practitioner", staff=own, email="femi@example.org")
        own_id, colleague_id, email = own.id, colleague.id, user.email
    page = ui.page
    ui.sign_in(email, builders.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Femi")

    # Their own record opens.
    ui.follow(ui.service_navigation().get_by_text("My record", exact=True))
    assert page.url.endswith(f"/staff/{own_id}"), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Femi Adebayo")

    # A colleague's record is not found, in the service's own design.
    ui.visit(f"/staff/{colleague_id}", status=404)
    _expect_error_page(ui, "Page not found", email)
    expect(page.locator("main")).not_to_contain_text("Gwen")
    expect(page.locator("main")).not_to_contain_text("Pryce")

    # Account administration is forbidden, also in the service's design.
    ui.visit("/admin/users", status=403)
    _expect_error_page(ui, "You do not have permission to see this page", email)


def _expect_error_page(ui: CheckedPage, title: str, email: str) -> None:
    """The error page keeps the header, navigation and sign-out of every other page."""
    page = ui.page
    assert page.title() == f"{title} – Workforce", page.title()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".govuk-header, .govuk-generic-header").first).to_be_visible()
    expect(page.locator(".govuk-service-navigation")).to_be_visible()
    expect(page.locator(".app-signed-in-as")).to_have_text(email)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page.locator("main").get_by_role("link", name="Go to the home page")).to_have_attribute(
        "href", "/"
    )
    expect(page.locator(".govuk-footer")).to_be_visible()
