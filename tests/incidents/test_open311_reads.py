"""Open311 reads (issue 13): rows instead of model instances, SQL compiled once per shape, constant query
counts; the compiled queries answer exactly what the ORM's would, keep the 90-day public window as time
moves on, and a shape holding a value of its own is never cached."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from incidents import services
from incidents.models import Report
from incidents.open311 import selectors
from incidents.open311.services import api_key_create
from portal.models import Country, PoliceUnit

from .open311_support import BASE, errors_of


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    selectors._COMPILED.clear()  # each test compiles its shapes afresh (and on its own database)
    yield
    cache.clear()


def submit(area, n: int = 1, **kwargs) -> list[Report]:
    return [
        services.report_submit(
            category=area["category"], point=area["in_district"], ip=f"198.51.100.{i}", **kwargs
        )[0]
        for i in range(n)
    ]


def _orm(**kwargs) -> list[dict]:
    offset, limit = kwargs.pop("offset", 0), kwargs.pop("limit", None)
    qs = selectors.requests_readable(**kwargs)
    return list(qs[offset : offset + limit] if limit else qs)


@pytest.mark.django_db
def test_compiled_queries_answer_as_the_orm(area, person_category, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    reports = submit(area, 4)
    person = services.report_submit(category=person_category, point=area["in_district"], ip="192.0.2.9")[0]
    Report.objects.filter(pk=reports[0].pk).update(created_at=timezone.now() - timedelta(days=200))
    unit = area["district"].police_unit
    now = timezone.now()
    for staff in (False, True):
        for reference in (reports[1].reference, reports[0].reference, person.reference, "ZZZZ-ZZZZ"):
            for jurisdiction in ({}, {"jurisdiction": unit}, {"jurisdiction_code": unit.code}):
                got = selectors.request_by_reference(staff=staff, reference=reference, **jurisdiction)
                assert got == _orm(staff=staff, references=[reference], **jurisdiction)
        for kwargs in (
            {"since": now - timedelta(days=90)},
            {"since": now - timedelta(days=300), "until": now - timedelta(days=100)},
            {"since": now - timedelta(days=90), "jurisdiction": unit, "statuses": ["open"]},
            {"since": now - timedelta(days=90), "service_codes": [area["category"].code, "other"]},
            {"since": now - timedelta(days=90), "offset": 1, "limit": 2},
        ):
            got = selectors.requests_page(staff=staff, **{"limit": 500, **kwargs})
            assert got == _orm(staff=staff, **{"limit": 500, **kwargs})
    assert selectors._COMPILED and all(compiled.cacheable for compiled in selectors._COMPILED.values())
    # the public never read the 200-day-old report nor the person-related one; a staff key reads both
    assert selectors.request_by_reference(staff=False, reference=reports[0].reference) == []
    assert selectors.request_by_reference(staff=False, reference=person.reference) == []
    assert selectors.request_by_reference(staff=True, reference=person.reference)[0]["description"] == ""


@pytest.mark.django_db
def test_a_shape_with_a_value_of_its_own_is_built_for_every_call(area):
    (report,) = submit(area)

    def build(values):  # takes its own "now": the SQL differs from one compilation to the next
        return selectors.requests_readable(staff=True, since=timezone.now() - timedelta(days=1)).filter(
            reference=values["reference"]
        )

    compiled = selectors._Compiled(build, ("reference",))
    assert not compiled.cacheable
    assert [row["reference"] for row in compiled.rows({"reference": report.reference})] == [report.reference]


@pytest.mark.django_db
def test_the_public_window_moves_on_after_the_query_is_compiled(client, area, open311_keys):
    (report,) = submit(area)
    detail = f"{BASE}/requests/{report.reference}.json"
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=89)):
        assert client.get(detail).status_code == 200
        assert len(client.get(f"{BASE}/requests.json?start_date=2000-01-01").json()) == 0  # 90-day span
        assert len(client.get(f"{BASE}/requests.json").json()) == 1
    with time_machine.travel(start + timedelta(days=91)):
        errors_of(client, detail.replace(".json", ".{fmt}"), expect=404)
        assert client.get(f"{BASE}/requests.json").json() == []
        end = (start + timedelta(days=1)).date().isoformat()
        assert client.get(f"{BASE}/requests.json?end_date={end}").json() == []
        staff = {"HTTP_X_API_KEY": open311_keys["staff"]}
        assert client.get(detail, **staff).json()[0]["service_request_id"] == report.reference


@pytest.mark.django_db
def test_a_detail_matches_the_jurisdiction_in_its_one_query(
    client, area, django_assert_num_queries, django_assert_max_num_queries
):
    (report,) = submit(area)
    unit = area["district"].police_unit
    other = PoliceUnit.objects.create(code="oop-elsewhere", name="Elsewhere", country=Country.CZ)
    detail = f"{BASE}/requests/{report.reference}.json"
    client.get(f"{detail}?jurisdiction_id={unit.code}")  # compiles the shape
    with django_assert_num_queries(1):
        assert client.get(f"{detail}?jurisdiction_id={unit.code}").status_code == 200
    with django_assert_num_queries(1):
        assert (
            client.get(f"{BASE}/tokens/{report.reference}.json?jurisdiction_id={unit.code}").status_code
            == 200
        )
    with django_assert_max_num_queries(2):  # not there: is it the jurisdiction that is unknown?
        response = client.get(f"{detail}?jurisdiction_id={other.code}")
    assert response.status_code == 404 and report.reference in response.json()[0]["description"]
    (error,) = errors_of(client, f"{detail.replace('.json', '.{fmt}')}?jurisdiction_id=nowhere", expect=404)
    assert "nowhere" in error
    # several jurisdictions and none named: a 400, as before
    errors_of(client, detail.replace(".json", ".{fmt}"), expect=400)
    # a key restricted to a unit may not read another's
    _key, restricted = api_key_create(name="Town app", police_unit=other, rate_limit_per_hour=0)
    errors_of(
        client,
        f"{detail.replace('.json', '.{fmt}')}?jurisdiction_id={unit.code}",
        expect=403,
        HTTP_X_API_KEY=restricted,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
def test_read_query_counts_do_not_grow_with_the_reports(
    client, area, open311_keys, settings, django_assert_max_num_queries, count
):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    reports = submit(area, count)
    code = area["category"].code
    staff = {"HTTP_X_API_KEY": open311_keys["staff"]}
    paths = {
        f"{BASE}/services.json": 2,
        f"{BASE}/requests.json": 2,
        f"{BASE}/requests.json?service_code={code}&status=open&page_size=10&page=2": 2,
        f"{BASE}/requests.json?start_date={timezone.now().date().isoformat()}": 2,
        f"{BASE}/requests.json?service_request_id={reports[0].reference},{reports[1].reference}": 2,
        f"{BASE}/requests/{reports[0].reference}.json": 2,
        f"{BASE}/requests.geojson": 1,
    }
    for path, budget in paths.items():
        client.get(path)  # compiled once
        with django_assert_max_num_queries(budget):
            assert client.get(path).status_code == 200, path
        # a key adds its look-up and its hourly count (and at most one "last used" write a minute)
        with django_assert_max_num_queries(budget + 3):
            assert client.get(path, **staff).status_code == 200, path
