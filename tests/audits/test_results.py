"""Published results: nothing while a wave is open; n, shares with Wilson intervals; primary and secondary
suppression as the public sees it; hexagons; weights from a population CSV; exports; the command prints what
the page computes; a constant number of queries."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from audits import selectors, services, stats
from audits.models import Answer, Question, Response
from audits.workflow import WaveStatus
from portal.models import Country, Municipality

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(methodologist, towns):
    """Town A: districts Centre 25 (15 fairly safe, 5 very unsafe, 5 don't know), North 12, South 4;
    town B: 30 without a district; town C: 5."""
    a, b = towns
    c = Municipality.objects.create(country=Country.CZ, code="554791", name="Stod")
    wave = factories.wave(methodologist, [a, b, c])
    centre, north, south = (
        factories.district(a, name, x0=13 + i / 10) for i, name in enumerate(["Centre", "North", "South"])
    )
    for dark, count in (("fairly_safe", 15), ("very_unsafe", 5), ("dont_know", 5)):
        for _ in range(count):
            factories.respond(wave, a, district=centre, dark=dark, points="13.3770,49.7470")
    for _ in range(12):
        factories.respond(wave, a, district=north, dark="very_safe")
    for _ in range(4):
        factories.respond(wave, a, district=south, dark="very_unsafe")
    for _ in range(30):
        factories.respond(wave, b, dark="bit_unsafe")
    for _ in range(5):
        factories.respond(wave, c)
    return {"wave": wave, "towns": (a, b, c), "districts": (centre, north, south)}


def _publish(wave, methodologist):
    services.wave_transition(wave=wave, action="close", actor=methodologist)
    services.wave_transition(wave=wave, action="publish", actor=methodologist)


def test_nothing_is_shown_while_the_wave_is_open(client, survey):
    wave = survey["wave"]
    page = client.get(reverse("audits:results", args=[wave.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Results are published after the survey closes" in page.content.decode()
    assert "Centre" not in page.content.decode()
    assert client.get(reverse("audits:results_export", args=[wave.pk, "csv"])).status_code == 404
    with pytest.raises(Exception, match="not published"):
        call_command("survey_results", str(wave.pk), stdout=io.StringIO())


def test_shares_intervals_and_suppression_as_the_public_sees_them(client, survey, methodologist):
    wave = survey["wave"]
    _publish(wave, methodologist)
    results = selectors.wave_results(wave)
    a = next(t for t in results.towns if t.cell.town == "Domažlice")
    cells = {c.district: c for c in a.districts}
    centre = cells["Centre"].estimates["safety_dark"]
    expected = stats.wilson(15, 20)  # don't know left out of the base
    assert (centre.share, centre.low, centre.high) == (expected.share, expected.low, expected.high)
    assert cells["Centre"].n == 25 and not cells["Centre"].suppressed
    assert cells["South"].suppressed  # 4 < 10
    assert cells["North"].suppressed  # secondary: Domažlice − Centre would reveal South otherwise
    towns = {t.cell.town: t.cell for t in results.towns}
    assert towns["Stod"].suppressed and towns["Rokycany"].suppressed and not towns["Domažlice"].suppressed

    page = client.get(reverse("audits:results", args=[wave.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "75 % (53–89 %)" in page  # Centre: 15 of 20
    assert page.count("fewer than 10 or hidden") == 2
    assert "Too few answers to publish figures for this town." in page
    assert 'role="img"' in page and "<table" in page
    # 25 marks at one place in Centre: one hexagon of 25; nobody's single mark shows
    assert [h.count for h in results.hexagons] == [25]


def test_exports_and_the_command_give_the_page_figures(client, survey, methodologist):
    wave = survey["wave"]
    _publish(wave, methodologist)
    out = io.StringIO()
    call_command("survey_results", str(wave.pk), "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == json.loads(json.dumps(selectors.wave_results(wave).as_json()))
    north = [c for c in printed["cells"] if c["district"] == "North"]
    assert north and all(c["suppressed"] and c["n"] is None and c["share"] is None for c in north)
    csv = client.get(reverse("audits:results_export", args=[wave.pk, "csv"])).content.decode()
    assert "Centre" in csv and "0.75" in csv
    xlsx = client.get(reverse("audits:results_export", args=[wave.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_raw_answers_only_for_the_waves_methodologist(client, survey, methodologist, make_user):
    from portal import roles

    wave = survey["wave"]
    url = reverse("audits:raw_answers", args=[wave.pk])
    assert client.get(url).status_code == 302  # to the login
    other = make_user(email="m2@example.org", roles=[roles.SURVEY_METHODOLOGIST])
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(methodologist)
    response = client.get(url)
    assert response.status_code == 200
    assert "safety_dark" in b"".join(response.streaming_content).decode()


def test_weights_from_a_population_csv_and_bad_files(survey, methodologist):
    wave = survey["wave"]
    centre = survey["districts"][0]
    upload = services.wave_population_shares_import
    with pytest.raises(ValidationError, match="columns must be"):
        upload(actor=methodologist, wave=wave, data=b"age,sex,share\n30-44,f,1\n", source="CZSO 2021")
    with pytest.raises(ValidationError, match="not in UTF-8"):
        upload(
            actor=methodologist,
            wave=wave,
            data="age_group;sex;district;share\n30-44;ž;x;1\n".encode("cp1250"),
            source="CZSO",
        )
    with pytest.raises(ValidationError, match="Line 2"):
        upload(
            actor=methodologist,
            wave=wave,
            data=b"age_group,sex,district,share\n30-44,f,x,lots\n",
            source="CZSO",
        )
    with pytest.raises(ValidationError, match="Say where"):
        upload(
            actor=methodologist, wave=wave, data=b"age_group,sex,district,share\n30-44,f,x,1\n", source=" "
        )
    wave.refresh_from_db()
    assert wave.population_shares == {}
    data = f"age_group;sex;district;share\n30-44;f;{centre.code};0,5\n30-44;f;;0,5\n".encode()
    assert upload(actor=methodologist, wave=wave, data=data, source="CZSO 2021") == 2
    _publish(wave, methodologist)
    results = selectors.wave_results(wave)
    assert results.weighted and "Kish" in results.as_json()["estimator"]


def _bulk_answers(wave, town, count):
    questions = {q.code: q for q in Question.objects.filter(questionnaire=wave.questionnaire)}
    responses = Response.objects.bulk_create(
        Response(wave=wave, municipality=town, mode="web", probability=False, submitted=True, cell="||")
        for _ in range(count)
    )
    Answer.objects.bulk_create(
        Answer(response=r, question=questions[code], option=option)
        for i, r in enumerate(responses)
        for code, option in (
            ("safety_dark", ["very_safe", "bit_unsafe"][i % 2]),
            ("safety_day", "very_safe"),
            ("trust_state", "some"),
        )
    )


def test_results_page_makes_a_constant_number_of_queries(
    client, methodologist, towns, django_assert_max_num_queries
):
    wave = factories.wave(methodologist, list(towns))
    _bulk_answers(wave, towns[0], 20)
    Response.objects.filter(wave=wave).update()
    wave.status = WaveStatus.PUBLISHED
    wave.save()
    url = reverse("audits:results", args=[wave.pk])
    with django_assert_max_num_queries(16) as small:
        assert client.get(url).status_code == 200
    _bulk_answers(wave, towns[1], 400)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
