"""Frameworks in and out of files on the database: YAML and CSV round trips, all-or-nothing
imports, updating by code (missing domains retired, never deleted), pathways in use, and the
``flask frameworks`` commands."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from sqlalchemy import func, select

from tests import builders
from workforce.extensions import db
from workforce.models import (
    Assessment,
    AssessmentRating,
    AuditEvent,
    Framework,
    FrameworkDescriptor,
    FrameworkDomain,
)
from workforce.services import ServiceError
from workforce.services import framework_io as io
from workforce.services import frameworks as service


def rich_framework(code: str = "RICH") -> Framework:
    """A framework using every feature: descriptions, former names, a retired domain and
    level, pathways, and descriptors with text a spreadsheet would run or mangle."""
    framework = builders.make_framework(
        code, domains=("Practice", "Partnership", "Leadership"), levels=("Entry", "Senior")
    )
    service.save_framework(
        framework,
        code=code,
        name="Rich capabilities",
        description="Line one\nLine two: with a colon",
        source="Somewhere, 2024",
        active=True,
    )
    practice, partnership, leadership = framework.domains
    entry, senior = framework.levels
    service.save_item(
        framework, "domain", practice, name="Practice", description="=SUM(A1) is not a formula"
    )
    service.save_item(
        framework, "domain", partnership, name="Partnership", former_name="Working together"
    )
    service.set_retired(leadership, True)
    retired_level = service.save_item(framework, "level", None, name="Old level")
    service.set_retired(retired_level, True)
    service.save_pathway(senior, None, "Manager")
    service.save_pathway(senior, None, "-Practitioner")
    service.set_descriptor(practice, entry, "'Quoted' and\nover two lines — with a dash")
    service.set_descriptor(partnership, senior, "@mention +plus")
    service.set_descriptor(leadership, senior, "Kept while retired")
    db.session.commit()
    return framework


def plan_for(content: str | bytes, filename: str) -> io.FrameworkImportPlan:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return io.check_framework_file(raw, filename)


def import_text(content: str | bytes, filename: str) -> Framework:
    plan = plan_for(content, filename)
    assert not plan.errors, plan.errors
    framework = io.apply_framework_import(plan, source=filename)
    db.session.commit()
    return framework


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_then_import_into_the_same_database_changes_nothing(db_session, fmt):
    framework = rich_framework()
    text, _, filename = io.export_framework(framework, fmt)
    plan = plan_for(text, filename)
    assert plan.errors == [] and plan.changes == [], plan.changes
    assert "No changes" in plan.describe()


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_then_import_as_a_new_framework_gives_the_same_framework(db_session, fmt):
    framework = rich_framework()
    before = io.framework_data(framework)
    text, _, _ = io.export_framework(framework, fmt)
    text = text.replace("RICH", "COPY")  # the code is the only place "RICH" appears
    copy = import_text(text, f"copy.{fmt}")
    assert copy.id != framework.id
    after = io.framework_data(copy)
    assert after.pop("code") == "COPY" and before.pop("code") == "RICH"
    assert after == before
    assert after["domains"][2] == {"name": "Leadership", "retired": True}
    assert after["descriptors"][0]["text"] == "'Quoted' and\nover two lines — with a dash"


def test_csv_export_neutralises_formulas(db_session):
    framework = rich_framework()
    text = io.export_csv(framework)
    cells = [cell for line in text.splitlines() for cell in line.split(",")]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=SUM(A1) is not a formula" in text and "'@mention +plus" in text


def test_import_updates_by_code_retiring_missing_domains_and_keeping_their_rows(db_session):
    framework = rich_framework()
    ids = {d.name: d.id for d in framework.domains}
    data = io.framework_data(framework)
    data["domains"] = [
        {"name": "Partnership", "former_name": "Working together"},
        {"name": "Leadership"},  # reinstated
        {"name": "Reflection", "description": "New"},
    ]
    data["descriptors"] = [d for d in data["descriptors"] if d["domain"] != "Practice"]
    plan = plan_for(yaml.safe_dump(data), "update.yaml")
    assert not plan.errors
    assert "retire domain Practice (not in the file)" in plan.changes
    assert "reinstate domain Leadership" in plan.changes
    assert "add domain Reflection" in plan.changes
    assert "remove 1 descriptor" in plan.changes
    io.apply_framework_import(plan, source="update.yaml")
    db.session.commit()
    db.session.expire_all()
    domains = {d.name: d for d in db.session.get(Framework, framework.id).domains}
    assert domains["Practice"].retired and domains["Practice"].id == ids["Practice"]
    assert not domains["Leadership"].retired
    assert [d.name for d in service.ordered(list(domains.values()), retired=False)] == [
        "Partnership",
        "Leadership",
        "Reflection",
    ]
    assert db.session.scalar(select(func.count()).select_from(FrameworkDescriptor)) == 2
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "Framework", AuditEvent.action == "import"
        )
    )
    assert "update.yaml" in event.summary


def test_assessments_that_rate_a_retired_domain_keep_working(db_session):
    framework = builders.make_framework("ASSESSED")
    practice = framework.domains[0]
    assessment = Assessment(
        staff_id=builders.make_staff().id,
        framework_id=framework.id,
        level_id=framework.levels[0].id,
        kind="appraisal",
        assessed_on=date(2025, 3, 1),
        assessor_id=builders.make_user("supervisor").id,
    )
    assessment.ratings = [AssessmentRating(domain_id=practice.id, rating="meets", evidence="Good")]
    db.session.add(assessment)
    db.session.commit()
    data = io.framework_data(framework)
    data["domains"] = [d for d in data["domains"] if d["name"] != "Practice"]
    import_text(yaml.safe_dump(data), "without-practice.yaml")
    db.session.expire_all()
    rating = db.session.get(Assessment, assessment.id).ratings[0]
    assert rating.domain.name == "Practice" and rating.domain.retired
    assert rating.rating == "meets"
    assert db.session.get(FrameworkDomain, practice.id) is not None


def test_a_file_with_one_problem_writes_nothing(db_session):
    framework = rich_framework()
    before = io.framework_data(framework)
    data = io.framework_data(framework)
    data["name"] = "Renamed"
    data["domains"].append({"name": "New domain"})
    data["descriptors"].append({"domain": "Nowhere", "level": "Entry", "text": "x"})
    plan = plan_for(yaml.safe_dump(data), "bad.yaml")
    assert plan.errors and plan.spec is None
    with pytest.raises(ServiceError):
        io.apply_framework_import(plan, source="bad.yaml")
    db.session.rollback()
    db.session.expire_all()
    assert io.framework_data(db.session.get(Framework, framework.id)) == before


def test_a_pathway_in_use_cannot_be_removed_by_an_import(db_session):
    framework = rich_framework()
    senior = framework.levels[1]
    builders.make_profile(senior, "Team manager", pathway=senior.pathways[0])
    data = io.framework_data(framework)
    data["levels"][1]["pathways"] = ["-Practitioner"]
    plan = plan_for(yaml.safe_dump(data), "drop-manager.yaml")
    assert any("'Manager'" in e.message and "cannot be removed" in e.message for e in plan.errors)
    data["levels"][1]["pathways"] = ["Manager"]
    plan = plan_for(yaml.safe_dump(data), "drop-unused.yaml")
    assert not plan.errors and "remove pathway -Practitioner from Senior" in plan.changes
    io.apply_framework_import(plan, source="drop-unused.yaml")
    db.session.commit()
    db.session.expire_all()
    assert [p.name for p in db.session.get(Framework, framework.id).levels[1].pathways] == [
        "Manager"
    ]


def test_a_code_differing_only_in_case_is_refused(db_session):
    builders.make_framework("CASE")
    plan = plan_for("code: case\nname: Lower\n", "case.yaml")
    assert plan.errors and "codes are matched exactly" in plan.errors[0].message


def test_yaml_without_descriptors_keeps_the_descriptors_entered_in_the_interface(db_session):
    framework = rich_framework()
    data = io.framework_data(framework)
    del data["descriptors"]
    plan = plan_for(yaml.safe_dump(data), "no-descriptors.yaml")
    assert plan.changes == []
    import_text(yaml.safe_dump(data), "no-descriptors.yaml")
    assert len(service.descriptors_of(framework)) == 3


def test_loading_the_shipped_frameworks_again_changes_nothing(db_session):
    from workforce.services.frameworks import load_shipped_frameworks, pcf

    before = io.framework_data(pcf())
    assert "PCF" in load_shipped_frameworks()
    db.session.flush()
    assert io.framework_data(pcf()) == before
    assert [d.name for d in pcf().domains][2] == "Diversity and equality"
    db.session.rollback()


# --- the command line ------------------------------------------------------------------------


def test_cli_exports_and_imports_a_framework(app_ctx, tmp_path):
    framework = rich_framework("CLI-1")
    runner = app_ctx.test_cli_runner()
    out = tmp_path / "cli.csv"
    result = runner.invoke(
        args=["frameworks", "export", "CLI-1", "--format", "csv", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8-sig").startswith("kind,code,name")
    result = runner.invoke(args=["frameworks", "export", "CLI-1", "--format", "yaml"])
    assert result.exit_code == 0 and "code: CLI-1" in result.output

    copy = tmp_path / "copy.csv"
    copy.write_text(out.read_text(encoding="utf-8-sig").replace("CLI-1", "CLI-2"))
    result = runner.invoke(args=["frameworks", "import", str(copy), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "New framework CLI-2" in result.output and "Dry run" in result.output
    assert io.find_framework("CLI-2") is None
    result = runner.invoke(args=["frameworks", "import", str(copy)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    imported = io.find_framework("CLI-2")
    assert imported is not None
    expected = io.framework_data(db.session.get(Framework, framework.id))
    expected["code"] = "CLI-2"
    assert io.framework_data(imported) == expected
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "import", AuditEvent.entity_type == "Framework"
        )
    )
    assert event.actor_label == "command line: frameworks import copy.csv"


def test_cli_refuses_a_bad_file_listing_every_problem_and_an_unknown_code(app_ctx, tmp_path):
    runner = app_ctx.test_cli_runner()
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: bad code\nname: Bad\ndomains:\n  - name: A\n  - name: A\n")
    result = runner.invoke(args=["frameworks", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 1, code: Code must use only letters, digits and hyphens" in result.output
    assert "line 5, name: The domain 'A' appears twice" in result.output
    assert (
        db.session.scalar(
            select(func.count()).select_from(Framework).where(Framework.name == "Bad")
        )
        == 0
    )
    result = runner.invoke(args=["frameworks", "export", "NOPE"])
    assert result.exit_code != 0 and "No framework has the code NOPE" in result.output
