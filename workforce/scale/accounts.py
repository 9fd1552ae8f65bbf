"""Accounts at scale: the hand-made demo's six accounts (the same emails and password,
linked to suitable generated people, so every page can be seen as every role), and an
account for each team manager and head of service (role supervisor), who record
supervision, appraise their staff and assess the ASYE.

The six go through ``workforce.services.accounts.create_user``; the managers' accounts are
bulk rows sharing one hash of the demo password (worked out once: hashing tens of
thousands of passwords would take longer than the rest of the load).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from werkzeug.security import generate_password_hash

from workforce.demo import DEMO_ACCOUNTS, DEMO_DOMAIN, DEMO_PASSWORD
from workforce.extensions import db
from workforce.models import Staff
from workforce.scale.people import Population
from workforce.scale.writer import BulkWriter
from workforce.services.accounts import create_user


@dataclass
class Accounts:
    """User ids the other domains need."""

    admin: int
    hr: int
    learning: int
    director: int
    #: The account of each person who has one, by staff id.
    by_staff: dict[int, int] = field(default_factory=dict)


def write_accounts(writer: BulkWriter, population: Population) -> Accounts:
    """Create the demo accounts and the managers' accounts."""
    made = {}
    for local, roles, link in DEMO_ACCOUNTS:
        staff = db.session.get(Staff, population.links[link]) if link else None
        made[local] = create_user(f"{local}@{DEMO_DOMAIN}", DEMO_PASSWORD, roles, staff=staff)
    db.session.flush()
    accounts = Accounts(
        admin=made["admin"].id,
        hr=made["hr"].id,
        learning=made["learning"].id,
        director=made["director"].id,
        by_staff={user.staff_id: user.id for user in made.values() if user.staff_id},
    )
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    password_hash = generate_password_hash(DEMO_PASSWORD, method=method)
    user_id = writer.first_id("user_account")
    role_id = writer.first_id("user_role")
    users, roles = [], []
    stamp = population.stamp
    for staff_id in [*population.heads, *population.managers]:
        if staff_id in accounts.by_staff:
            continue  # the demo manager signs in as manager@
        person = population.person(staff_id)
        users.append((user_id, person.email, password_hash, True, staff_id, 1, stamp, stamp))
        roles.append((role_id, user_id, "supervisor"))
        accounts.by_staff[staff_id] = user_id
        user_id += 1
        role_id += 1
    writer.write(
        "user_account",
        ("id", "email", "password_hash", "is_active_account", "staff_id", "session_version",
         "created_at", "updated_at"),
        users,
    )  # fmt: skip
    writer.write("user_role", ("id", "user_id", "role"), roles)
    return accounts
