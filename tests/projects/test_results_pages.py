"""The results pages: draft effect panels for staff only until the manager publishes them, milestones with
photos, the programme results page (filters, CSV, constant queries), and ``manage.py project_effect``."""

import io
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from portal.models import ActivityLog
from projects.models import Milestone
from projects.results import services

from .factories import approve, make_proposal
from .results_helpers import (
    AFTER,
    AMOUNT,
    BEFORE,
    CONTROL_XY,
    END,
    START,
    TARGET_XY,
    centre,
    make_categories,
    make_districts,
    spread,
)


@pytest.fixture
def project(town, call, manager):
    proposal = make_proposal(call, town, title="Osvětlení parku")
    approve(proposal, AMOUNT, status="in_progress")
    districts = make_districts(town)
    vandalism, _noise = make_categories()
    result = services.result_ensure(proposal=proposal, actor=manager)
    services.result_area_set(
        result=result, actor=manager, kind="districts", district_ids=[districts["target"].pk]
    )
    services.result_update(
        result=result,
        actor=manager,
        fields={"implementation_start": START, "implementation_end": END},
        category_ids=[vandalism.pk],
    )
    services.result_control_set(result=result, actor=manager, district_ids=[districts["control"].pk])
    spread(60, BEFORE, point=centre(TARGET_XY), category=vandalism)
    spread(30, AFTER, point=centre(TARGET_XY), category=vandalism)
    spread(50, BEFORE, point=centre(CONTROL_XY), category=vandalism)
    spread(50, AFTER, point=centre(CONTROL_XY), category=vandalism)
    return proposal


def test_draft_panel_for_staff_only_until_published(
    client, project, manager, staff, other_staff, django_assert_max_num_queries
):
    url = reverse("projects:result", kwargs={"pk": project.pk})
    page = client.get(url)
    assert page.status_code == 200 and "Osvětlení parku" in page.text
    assert "Measured effect" not in page.text  # the public: milestones yes, the draft panel no
    client.force_login(other_staff)
    assert "Measured effect" not in client.get(url).text
    client.force_login(staff)  # the applicant town's staff see the draft
    assert "Draft: only staff see this panel" in client.get(url).text
    client.force_login(manager)
    with django_assert_max_num_queries(16):  # session, user, the result with its relations, one count, survey
        text = client.get(url).text
    assert "a = 60" in text and "b = 30" in text and "c = 50" in text and "d = 50" in text
    assert "2.00" in text  # RES = (a·d)/(b·c) = 60·50 / (30·50)
    response = client.post(reverse("projects:result_publish", kwargs={"pk": project.pk}), {"publish": "1"})
    assert response.status_code == 302
    client.logout()
    text = client.get(url).text
    assert "Measured effect" in text and "Draft:" not in text
    assert "willingness to report" in text
    assert ActivityLog.objects.filter(verb="result.publish").count() == 1


def test_only_the_manager_publishes_or_edits(client, project, staff):
    client.force_login(staff)
    assert (
        client.post(
            reverse("projects:result_publish", kwargs={"pk": project.pk}), {"publish": "1"}
        ).status_code
        == 403
    )
    assert client.get(reverse("projects:result_edit", kwargs={"pk": project.pk})).status_code == 403
    client.logout()
    assert (
        client.post(
            reverse("projects:result_publish", kwargs={"pk": project.pk}), {"publish": "1"}
        ).status_code
        == 302
    )  # to login
    assert project.result.effect_published_at is None


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "PNG")
    return out.getvalue()


def test_manager_records_a_milestone_with_a_photo(client, project, manager):
    client.force_login(manager)
    response = client.post(
        reverse("projects:result_milestone", kwargs={"pk": project.pk}),
        {
            "on": "2024-04-02",
            "status": "done",
            "text": "Lamps installed along the path.",
            "progress": "60",
            "photos": [SimpleUploadedFile("lamps.png", _png(), content_type="image/png")],
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.on, milestone.status, milestone.photos.count()) == (date(2024, 4, 2), "done", 1)
    client.logout()
    page = client.get(reverse("projects:result", kwargs={"pk": project.pk})).text
    assert "Lamps installed along the path." in page and "60 %" in page
    photo = milestone.photos.get()
    served = client.get(reverse("projects:result_photo", kwargs={"pk": project.pk, "photo_pk": photo.pk}))
    assert served.status_code == 200 and served["Content-Type"] in ("image/png", "image/jpeg")


def test_milestone_refuses_bad_input_and_saves_nothing(client, project, manager):
    client.force_login(manager)
    response = client.post(
        reverse("projects:result_milestone", kwargs={"pk": project.pk}),
        {
            "on": "2024-04-02",
            "status": "done",
            "text": "With a fake photo",
            "photos": [SimpleUploadedFile("x.png", b"not a picture", content_type="image/png")],
        },
    )
    assert response.status_code == 400
    assert "is not a JPEG or PNG photo" in response.text
    assert not Milestone.objects.exists()


def test_area_form_refuses_bad_wkt(client, project, manager):
    client.force_login(manager)
    response = client.post(
        reverse("projects:result_edit", kwargs={"pk": project.pk}),
        {"form": "area", "kind": "drawn", "wkt": "POLYGON((1 2, 3", "radius_m": 200, "buffer_m": 300},
    )
    assert response.status_code == 400
    assert "This is not a polygon in WKT" in response.text


def test_drawn_area_and_points(project, manager):
    result = project.result
    services.result_area_set(
        result=result,
        actor=manager,
        kind="drawn",
        wkt="POLYGON((12.90 49.40, 12.91 49.40, 12.91 49.41, 12.90 49.41, 12.90 49.40))",
    )
    result.refresh_from_db()
    assert result.area.num_geom == 1
    services.result_area_set(
        result=result, actor=manager, kind="points", points="49.405, 12.905\n49.406, 12.906", radius_m=100
    )
    result.refresh_from_db()
    assert result.area_kind == "points" and result.area_points.num_geom == 2
    assert 0.03 < result.area.transform(3035, clone=True).area / 1e6 < 0.07  # two overlapping 100 m circles


def test_programme_results_page_constant_queries_filters_and_csv(
    client, project, call, town, other_town, manager, django_assert_max_num_queries
):
    for i in range(6):
        other = make_proposal(call, other_town, title=f"Projekt {i}")
        approve(other, AMOUNT)
        if i % 2:
            services.result_ensure(proposal=other, actor=manager)
    url = reverse("projects:programme_results", kwargs={"slug": call.programme.slug})
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('data-proposal="') == 7
    assert "<svg" in page.text  # the map of the project areas
    filtered = client.get(url, {"town": town.pk})
    assert filtered.text.count('data-proposal="') == 1
    csv_text = client.get(
        reverse("projects:programme_results_csv", kwargs={"slug": call.programme.slug}), {"town": town.pk}
    ).content.decode()
    lines = csv_text.strip().splitlines()
    assert len(lines) == 2 and "Osvětlení parku" in lines[1]


def test_command_prints_the_same_figures_as_json(project):
    out = io.StringIO()
    call_command("project_effect", str(project.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["a"], data["b"], data["c"], data["d"]) == (60, 30, 50, 50)
    assert data["res"] == pytest.approx(2.0)
    assert data["res_low"] < 2 < data["res_high"]
    assert data["maryland_level"] == 3
    assert data["warnings"][-1]["code"] == "reporting_caveat"
    assert "wdq" in data


def test_audit_priority_must_be_the_towns_own(client, project, manager, other_town):
    from django.core.exceptions import ValidationError

    from audits.models import Audit, Priority

    def priority(town, title):
        audit = Audit.objects.create(
            municipality=town,
            title=f"Audit {town.name}",
            starts_on=date(2023, 1, 1),
            report_due_on=date(2023, 6, 1),
        )
        return Priority.objects.create(audit=audit, order=1, title=title, rationale="…")

    own, foreign = priority(project.municipality, "Dark underpass"), priority(other_town, "Elsewhere")
    with pytest.raises(ValidationError):
        services.result_update(result=project.result, actor=manager, fields={}, priority_id=foreign.pk)
    services.result_update(result=project.result, actor=manager, fields={"progress": 40}, priority_id=own.pk)
    services.result_update(result=project.result, actor=manager, fields={"progress": 50})  # priority kept
    project.result.refresh_from_db()
    assert (project.result.priority_id, project.result.progress) == (own.pk, 50)
    assert "Dark underpass" in client.get(reverse("projects:result", kwargs={"pk": project.pk})).text


def test_edit_page_suggests_controls_and_saves_the_choice(client, project, manager):
    from incidents.models import District

    control = District.objects.get(code="control")
    vandalism = project.result.categories.get()
    spread(24, BEFORE, point=centre(CONTROL_XY), category=vandalism, district=control)  # routed to it
    client.force_login(manager)
    url = reverse("projects:result_edit", kwargs={"pk": project.pk})
    page = client.get(url)
    assert page.status_code == 200
    far = District.objects.get(code="far")
    # The control district has reports before the start (the far one none): it is suggested
    assert f'data-district="{control.pk}"' in page.text
    assert f'data-district="{far.pk}"' not in page.text
    response = client.post(url, {"form": "control", "districts": [far.pk]})
    assert response.status_code == 302
    assert list(project.result.control_districts.values_list("code", flat=True)) == ["far"]


def test_region_wide_parent_groups_its_parts(client, project, manager, call):
    from projects.models import RegionalProject

    parent = RegionalProject.objects.create(
        programme=call.programme, slug="seniors", name="Bezpečí pro seniory", summary="…", order=1
    )
    services.result_update(result=project.result, actor=manager, fields={"regional_project": parent})
    page = client.get(reverse("projects:programme_results", kwargs={"slug": call.programme.slug})).text
    heading = page.index("Region-wide project: Bezpečí pro seniory")
    assert heading < page.index(f'data-proposal="{project.pk}"')


def test_panel_warns_when_fewer_than_12_months_after(project):
    from datetime import datetime

    from django.utils import timezone

    from projects.results import selectors

    result = selectors.result_for_proposal(proposal_id=project.pk)
    panel = selectors.effect_panel(result, now=timezone.make_aware(datetime(2024, 11, 20)))
    assert panel.windows.months_after == 5
    assert "short_after" in [w.code for w in panel.effect.warnings]
    # 30 reports over the 12 after months are 3 in each of the first six: five months counted so far
    assert (panel.effect.counts.b, panel.effect.counts.d) == (15, 22)


def test_the_town_writes_the_emmie_part_of_its_final_report(client, project, staff, other_staff):
    url = reverse("projects:result_emmie", kwargs={"pk": project.pk})
    data = {
        "emmie_mechanism": "Cameras raise the risk of being caught.",
        "emmie_moderators": "The square, evenings.",
        "emmie_implementation": "Two months late.",
        "emmie_cost": "150 000 CZK and the running costs.",
    }
    client.force_login(other_staff)
    assert client.post(url, data).status_code == 403
    client.force_login(staff)
    assert client.post(url, {**data, "emmie_cost": "x" * 3001}).status_code == 400
    project.result.refresh_from_db()
    assert project.result.emmie_mechanism == ""  # nothing half-saved
    assert client.post(url, data).status_code == 302
    client.logout()
    page = client.get(reverse("projects:result", kwargs={"pk": project.pk})).text
    assert "Cameras raise the risk of being caught." in page and "Two months late." in page
    assert "emmie-form" not in page  # the public reads it, does not write it


def test_publish_needs_an_area_and_can_be_withdrawn(client, town, call, manager, project):
    bare = make_proposal(call, town, title="Bez území")
    approve(bare, AMOUNT)
    result = services.result_ensure(proposal=bare, actor=manager)
    client.force_login(manager)
    response = client.post(
        reverse("projects:result_publish", kwargs={"pk": bare.pk}), {"publish": "1"}, follow=True
    )
    assert "Give the project&#x27;s area first." in response.text
    result.refresh_from_db()
    assert result.effect_published_at is None
    url = reverse("projects:result_publish", kwargs={"pk": project.pk})
    client.post(url, {"publish": "1"})
    client.post(url, {"publish": "0"})
    project.result.refresh_from_db()
    assert project.result.effect_published_at is None
    client.logout()
    assert "Measured effect" not in client.get(reverse("projects:result", kwargs={"pk": project.pk})).text


def test_manager_removes_a_milestone_recorded_by_mistake(client, project, manager, staff):
    milestone = services.milestone_add(
        result=project.result,
        actor=manager,
        on=date(2024, 4, 2),
        status="done",
        text="Wrong project",
        photos=[("x.png", _png())],
    )
    url = reverse("projects:result_milestone_delete", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
    client.force_login(staff)
    assert client.post(url).status_code == 403
    client.force_login(manager)
    assert client.post(url).status_code == 302
    assert not Milestone.objects.exists()
    assert ActivityLog.objects.filter(verb="result.milestone_delete").count() == 1
