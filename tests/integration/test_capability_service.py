"""The capability service on both databases: expected levels, refusals, gaps and heatmaps."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests import builders
from workforce.extensions import db
from workforce.metrics.capability import Judgement
from workforce.models import Assessment, EmploymentSpell
from workforce.services import ServiceError
from workforce.services import capability as service
from workforce.services.frameworks import pcf

TODAY = date.today()


def level(name: str) -> Any:
    return next(item for item in pcf().levels if item.name == name)


@pytest.fixture
def setting(db_session: Any) -> dict[str, Any]:
    team = builders.make_team("Assessment South")
    manager = builders.make_staff(team, first_name="Mel", org_role="3")
    worker = builders.make_staff(team, manager=manager, first_name="Wes")
    other = builders.make_staff(builders.make_team("Fostering"), first_name="Olu")
    supervisor = builders.make_user("supervisor", staff=manager)
    builders.make_profile(level("Social worker"), "Social worker", grade="SW2")
    return {
        "team": team,
        "manager": manager,
        "worker": worker,
        "other": other,
        "supervisor": supervisor,
    }


def signed(
    staff: Any,
    assessor: Any,
    ratings: dict[str, str],
    *,
    on: date = TODAY,
    at: str = "Social worker",
    kind: str = "supervisor",
) -> Assessment:
    assessment = service.start_assessment(
        staff, assessor, kind=kind, assessed_on=on, level_id=level(at).id
    )
    domains = service.active_domains(assessment.framework_id)
    service.save_ratings(
        assessment,
        [service.RatingInput(d.id, ratings.get(d.name, "meets")) for d in domains],
    )
    service.sign_off(assessment, assessor)
    db.session.commit()
    return assessment


def test_expected_level_follows_the_spell_in_force(setting: dict[str, Any]) -> None:
    builders.make_profile(level("Experienced social worker"), "Senior", grade="SW3")
    worker = setting["worker"]
    assert service.expected_profile(worker).level.name == "Social worker"
    spell = worker.spells[0]
    spell.end_date = TODAY - timedelta(days=1)
    db.session.add(
        EmploymentSpell(
            staff_id=worker.id,
            post_title="Senior social worker",
            org_role="4",
            grade="SW3",
            contracted_hours=spell.contracted_hours,
            standard_hours=spell.standard_hours,
            contract_type="permanent",
            team_id=spell.team_id,
            start_date=TODAY,
        )
    )
    db.session.commit()
    db.session.expire_all()
    assert service.expected_profile(worker).level.name == "Experienced social worker"
    assert service.expected_profile(worker, TODAY - timedelta(days=1)).level.name == "Social worker"


def test_a_promotion_turns_an_old_meets_into_a_gap(setting: dict[str, Any]) -> None:
    signed(setting["worker"], setting["supervisor"], {})
    builders.make_profile(
        level("Experienced social worker"),
        "Everyone senior",
        post_title="Social worker",
        grade="SW2",
    )
    gaps = service.person_gaps(setting["worker"])
    assert gaps.profile.level.name == "Experienced social worker"
    assert {d.judgement for d in gaps.domains} == {Judgement.BELOW}


def test_the_supervisor_may_not_assess_outside_their_people(setting: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="You can only assess people you manage"):
        service.start_assessment(
            setting["other"], setting["supervisor"], kind="supervisor", assessed_on=TODAY
        )
    with pytest.raises(ServiceError, match="Only the person themselves"):
        service.start_assessment(
            setting["worker"], setting["supervisor"], kind="self", assessed_on=TODAY
        )


def test_a_level_of_another_framework_is_not_a_pathway(setting: dict[str, Any]) -> None:
    own = builders.make_framework()
    advanced = level("Advanced")
    with pytest.raises(ServiceError, match="has no such pathway"):
        service.start_assessment(
            setting["worker"],
            setting["supervisor"],
            kind="supervisor",
            assessed_on=TODAY,
            level_id=own.levels[0].id,
            pathway_id=advanced.pathways[0].id,
        )
    with pytest.raises(ServiceError, match="Choose a pathway of the level Advanced"):
        service.save_profile(
            None,
            service.ProfileDetails(
                name="Managers", framework_id=advanced.framework_id, level_id=advanced.id
            ),
        )
    with pytest.raises(ServiceError, match="has no such level"):
        service.save_profile(
            None,
            service.ProfileDetails(name="Mixed", framework_id=own.id, level_id=advanced.id),
        )


def test_the_service_refuses_a_rating_off_the_scale(setting: dict[str, Any]) -> None:
    assessment = service.start_assessment(
        setting["worker"], setting["supervisor"], kind="supervisor", assessed_on=TODAY
    )
    first = service.active_domains(assessment.framework_id)[0]
    with pytest.raises(ServiceError, match="Rate Professionalism as one of"):
        service.save_ratings(assessment, [service.RatingInput(first.id, "superb")])
    other = builders.make_framework()
    with pytest.raises(ServiceError, match="not a current domain"):
        service.save_ratings(assessment, [service.RatingInput(other.domains[0].id, "meets")])


def test_retiring_a_domain_keeps_old_assessments_readable(setting: dict[str, Any]) -> None:
    framework = builders.make_framework(domains=("Practice", "Partnership", "Leadership"))
    builders.make_profile(framework.levels[0], "Own framework", post_title="Social worker")
    assessment = service.start_assessment(
        setting["worker"], setting["supervisor"], kind="appraisal", assessed_on=TODAY
    )
    assert assessment.framework_id == framework.id
    service.save_ratings(
        assessment,
        [service.RatingInput(d.id, "developing") for d in framework.domains],
    )
    service.sign_off(assessment, setting["supervisor"])
    db.session.commit()
    framework.domains[2].retired = True
    db.session.commit()
    gaps = service.person_gaps(setting["worker"])
    assert [d.domain.name for d in gaps.domains] == ["Practice", "Partnership"]
    assert len(db.session.get(Assessment, assessment.id).ratings) == 3
    # A new assessment needs only the current domains.
    fresh = service.start_assessment(
        setting["worker"], setting["supervisor"], kind="supervisor", assessed_on=TODAY
    )
    service.save_ratings(fresh, [service.RatingInput(d.id, "meets") for d in framework.domains[:2]])
    service.sign_off(fresh, setting["supervisor"])
    assert fresh.signed_off


def test_team_heatmap_counts_people_meeting_each_domain(setting: dict[str, Any]) -> None:
    signed(setting["worker"], setting["supervisor"], {"Knowledge": "developing"})
    capability = service.team_capability(setting["team"].id)
    assert [h.framework.code for h in capability.heatmaps] == ["PCF"]
    heatmap = capability.heatmaps[0]
    assert [row.staff.first_name for row in heatmap.rows] == ["Mel", "Wes"]
    counts = dict(zip([d.name for d in heatmap.domains], heatmap.meeting_counts(), strict=True))
    assert counts["Knowledge"] == 0
    assert counts["Professionalism"] == 1
    wes = heatmap.rows[1]
    assert wes.meeting == 8
    knowledge = [d.name for d in heatmap.domains].index("Knowledge")
    assert wes.cells[knowledge][1] is Judgement.BELOW


def test_readable_staff_ids_for_a_supervisor(setting: dict[str, Any]) -> None:
    ids = [setting["manager"].id, setting["worker"].id, setting["other"].id]
    assert service.readable_staff_ids(setting["supervisor"], ids) == {
        setting["manager"].id,
        setting["worker"].id,
    }
    assert service.readable_staff_ids(builders.make_user("hr"), ids) == set(ids)
    assert service.readable_staff_ids(builders.make_user("ld_officer"), ids) == set()


def test_without_recent_assessment_orders_never_assessed_first(setting: dict[str, Any]) -> None:
    signed(setting["worker"], setting["supervisor"], {}, on=TODAY - timedelta(days=400))
    hr = builders.make_user("hr")
    signed(setting["manager"], hr, {}, on=TODAY - timedelta(days=30))
    overdue = service.without_recent_assessment(db.true())
    assert [o.staff.first_name for o in overdue] == ["Olu", "Wes"]
    assert overdue[1].last_assessed == TODAY - timedelta(days=400)


def test_overdue_page_counts_everyone_and_loads_one_page(setting: dict[str, Any]) -> None:
    signed(setting["worker"], setting["supervisor"], {}, on=TODAY - timedelta(days=400))
    hr = builders.make_user("hr")
    signed(setting["manager"], hr, {}, on=TODAY - timedelta(days=30))
    everyone = service.without_recent_assessment(db.true())
    first = service.overdue_page(db.true(), 1, 1)
    assert (first.total, first.page, first.pages) == (2, 1, 2)
    assert [o.staff.id for o in first.rows] == [everyone[0].staff.id]
    past_the_end = service.overdue_page(db.true(), 9, 1)
    assert past_the_end.page == 2
    assert [(o.staff.id, o.last_assessed) for o in past_the_end.rows] == [
        (everyone[1].staff.id, TODAY - timedelta(days=400))
    ]
    assert service.overdue_page(db.true(), 1, 25).rows[1].spell.team.name == "Assessment South"
