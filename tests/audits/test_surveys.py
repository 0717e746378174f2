"""Answering a survey: invitation codes (single use, apart from the answers), the open web link (one per
browser, throttled), stop and resume, bad input, closed waves, versioned questionnaires."""

import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from audits import services
from audits.models import Answer, InvitationCode, Question, Response
from audits.workflow import WaveStatus

from . import factories

pytestmark = pytest.mark.django_db


def _codes(wave, town, methodologist, count=3):
    _batch, codes = services.invitations_generate(
        actor=methodologist, wave=wave, municipality=town, count=count
    )
    return codes


def test_a_code_opens_one_response_and_cannot_be_used_twice(client, open_wave, towns, methodologist):
    code = _codes(open_wave, towns[0], methodologist)[0]
    response = client.post(
        reverse("audits:code", args=[open_wave.pk]), {"code": code.lower().replace("-", " ")}
    )
    assert response.status_code == 302 and response.url.endswith("/district/")
    assert Response.objects.get().mode == Response.Mode.INVITATION

    other_browser = type(client)()
    again = other_browser.post(
        reverse("audits:code", args=[open_wave.pk]), {"code": code}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 200
    assert "This code has already been used" in again.content.decode()
    assert Response.objects.count() == 1


def test_codes_are_stored_only_as_hashes_and_not_linked_to_answers(open_wave, towns, methodologist):
    codes = _codes(open_wave, towns[0], methodologist)
    stored = list(InvitationCode.objects.values_list("code_hash", flat=True))
    assert all(code.replace("-", "") not in " ".join(stored) for code in codes)
    field_names = {f.name for f in InvitationCode._meta.get_fields()}
    assert "response" not in field_names and not any("time" in n or "_at" in n for n in field_names)
    assert not any(f.related_model is InvitationCode for f in Response._meta.get_fields() if f.is_relation)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the code from your letter."),
        ("WRONG-CODE-1234", "This code is not valid"),
        ("<script>", "This code is not valid"),
    ],
)
def test_wrong_codes_get_a_clear_message(client, open_wave, code, message):
    response = client.post(
        reverse("audits:code", args=[open_wave.pk]), {"code": code}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert message in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main")[1]
    assert Response.objects.count() == 0


def test_a_code_of_another_wave_is_refused(open_wave, towns, methodologist):
    other = factories.wave(methodologist, [towns[0]], name="Other")
    code = _codes(other, towns[0], methodologist)[0]
    translation.activate("en")  # a page request left its language active
    with pytest.raises(ValidationError, match="not valid"):
        services.response_start_with_code(wave=open_wave, code=code, device_token="x", ip="1.1.1.1")
    assert InvitationCode.objects.filter(used=True).count() == 0


def test_a_closed_wave_takes_no_answers(client, open_wave, towns, methodologist):
    code = _codes(open_wave, towns[0], methodologist)[0]
    open_wave.status = WaveStatus.CLOSED
    open_wave.save()
    response = client.post(
        reverse("audits:code", args=[open_wave.pk]), {"code": code}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This survey is not open for answers." in response.content.decode()
    assert not InvitationCode.objects.filter(used=True).exists()


def test_open_web_one_response_per_browser_marked_non_probability(client, open_wave, towns):
    url = reverse("audits:start", args=[open_wave.pk])
    assert client.post(url, {"municipality": towns[0].pk}).status_code == 302
    response = Response.objects.get()
    assert response.mode == Response.Mode.WEB and response.probability is False and response.ip_hash
    # The same browser comes back: it resumes, it does not start a second response
    again = client.get(url)
    assert again.status_code == 302 and again.url.endswith("/answer/")
    translation.activate("en")  # a page request left its language active
    with pytest.raises(ValidationError, match="already answered"):
        services.response_start_web(
            wave=open_wave,
            municipality=towns[0],
            device_token=client.cookies[f"survey_{open_wave.pk}"].value,
            ip="x",
        )


def test_open_web_is_throttled_per_ip(open_wave, towns):
    for i in range(services.surveys.WEB_RESPONSES_PER_IP_PER_DAY):
        services.response_start_web(wave=open_wave, municipality=towns[0], device_token=f"d{i}", ip="9.9.9.9")
    translation.activate("en")  # a page request left its language active
    with pytest.raises(ValidationError, match="Too many answers from this network"):
        services.response_start_web(wave=open_wave, municipality=towns[0], device_token="last", ip="9.9.9.9")


def _answer_all(client, wave, *, language="en"):
    """Answer every question through the pages, as a resident without JavaScript would."""
    answer_url = reverse("audits:answer", args=[wave.pk])
    for index, question in enumerate(Question.objects.filter(questionnaire=wave.questionnaire), start=1):
        data = {"q": index}
        for key, value in factories.CORE_ANSWERS.get(question.code, {}).items():
            if key == "grid":
                data.update({f"grid_{row}": option for row, option in value.items()})
            else:
                data[key] = value
        response = client.post(answer_url, data, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 302, response.content.decode()[:3000]
    return client.post(reverse("audits:review", args=[wave.pk]))


def test_a_resident_answers_stops_and_resumes_then_cannot_answer_again(
    client, open_wave, towns, methodologist
):
    district = factories.district(towns[0], "Centre")
    code = _codes(open_wave, towns[0], methodologist)[0]
    client.post(reverse("audits:code", args=[open_wave.pk]), {"code": code})
    client.post(reverse("audits:district", args=[open_wave.pk]), {"district": district.pk})
    first = client.post(reverse("audits:answer", args=[open_wave.pk]), {"q": 1, "value": "very_safe"})
    assert first.url.endswith("?q=2")
    # Stop; later the same device goes to the survey's address and continues at question 2
    resumed = client.get(reverse("audits:answer", args=[open_wave.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Question 2 of" in resumed.content.decode()
    assert "after dark" in resumed.content.decode()

    assert _answer_all(client, open_wave).status_code == 302
    response = Response.objects.get()
    assert (
        response.submitted and response.district == district and response.cell == f"30-44|f|{district.code}"
    )
    done = client.get(reverse("audits:start", args=[open_wave.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "You have already answered this survey on this device." in done.content.decode()
    late = client.post(reverse("audits:answer", args=[open_wave.pk]), {"q": 1, "value": "very_unsafe"})
    assert late.status_code == 302
    assert Answer.objects.filter(question__code="safety_day").get().option == "very_safe"


def test_required_questions_and_bad_values_are_refused_with_nothing_saved(client, open_wave, towns):
    client.post(reverse("audits:start", args=[open_wave.pk]), {"municipality": towns[0].pk})
    url = reverse("audits:answer", args=[open_wave.pk])
    empty = client.post(url, {"q": 1}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Please answer this question." in empty.content.decode()
    wrong = client.post(url, {"q": 1, "value": "<script>alert(1)</script>"}, HTTP_ACCEPT_LANGUAGE="cs")
    assert wrong.status_code == 200 and "<script>alert" not in wrong.content.decode()
    too_many = client.post(
        url, {"q": 8, "values": ["traffic", "litter", "noise", "drugs"]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Choose at most 3." in too_many.content.decode()
    review = client.post(reverse("audits:review", args=[open_wave.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Please answer every question marked as required first." in review.content.decode()
    assert not Answer.objects.exists() and not Response.objects.filter(submitted=True).exists()


def test_map_question_takes_points_or_without_javascript_a_district(open_wave, towns):
    district = factories.district(towns[0], "North")
    response = factories.respond(open_wave, towns[0], submit=False)
    question = Question.objects.get(questionnaire=open_wave.questionnaire, code="unsafe_places")
    services.answer_save(response=response, question=question, data={"points": "13.1,49.7;13.2,49.8"})
    assert Answer.objects.filter(question=question, point__isnull=False).count() == 2
    services.answer_save(response=response, question=question, data={"district": str(district.pk)})
    assert list(Answer.objects.filter(question=question).values_list("option", flat=True)) == [
        str(district.pk)
    ]
    translation.activate("en")  # a page request left its language active
    with pytest.raises(ValidationError, match="could not be read"):
        services.answer_save(response=response, question=question, data={"points": "north;south"})
    translation.activate("en")  # a page request left its language active
    with pytest.raises(ValidationError, match="at most 5"):
        services.answer_save(response=response, question=question, data={"points": ";".join(["13,49"] * 6)})


def test_a_questionnaire_with_answers_never_changes_an_edit_makes_a_new_version(
    open_wave, towns, methodologist
):
    questionnaire = open_wave.questionnaire
    before = list(questionnaire.questions.values_list("code", "text"))
    factories.respond(open_wave, towns[0])
    question = services.question_save(
        actor=methodologist,
        questionnaire=questionnaire,
        code="safety_dark",
        kind="single",
        text={"en": "How safe do you feel at night?"},
        options=questionnaire.questions.get(code="safety_dark").options,
        success=["very_safe", "fairly_safe"],
        excluded=["dont_know"],
    )
    assert question.questionnaire.pk != questionnaire.pk and question.questionnaire.version == 2
    assert list(questionnaire.questions.values_list("code", "text")) == before
    local = services.question_save(
        actor=methodologist,
        questionnaire=question.questionnaire,
        code="bus_stop",
        kind="text",
        text={"cs": "Co byste zlepšili na zastávce?"},
    )
    assert local.questionnaire == question.questionnaire and local.local  # no answers yet: same version


def test_interviewer_enters_an_interview_in_their_town(client, open_wave, towns, make_user):
    from portal import roles

    interviewer = make_user(email="int@example.org", roles=[roles.SURVEY_INTERVIEWER], municipality=towns[0])
    client.force_login(interviewer)
    response = client.post(
        reverse("audits:interview_start", args=[open_wave.pk]), {"municipality": towns[0].pk}
    )
    assert response.status_code == 302
    row = Response.objects.get()
    assert row.mode == Response.Mode.INTERVIEW and row.interviewer == interviewer and row.probability
    outsider = make_user(email="int2@example.org", roles=[roles.SURVEY_INTERVIEWER])
    translation.activate("en")  # a page request left its language active
    with pytest.raises(Exception, match="interviewer"):
        services.response_start_interview(wave=open_wave, municipality=towns[0], interviewer=outsider)


def test_invitation_letters_are_a_pdf_with_one_page_per_code(open_wave, towns, methodologist, client):
    batch, codes = services.invitations_generate(
        actor=methodologist, wave=open_wave, municipality=towns[0], count=3
    )
    assert bytes(batch.pdf).startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=bytes(batch.pdf), capture_output=True, check=True
        ).stdout.decode()
        pages = text.split("\f")
        assert len([p for p in pages if p.strip()]) == 3
        assert all(code in page for code, page in zip(codes, pages, strict=False))
    client.force_login(methodologist)
    download = client.get(reverse("audits:letters", args=[open_wave.pk, batch.number]))
    assert download["Content-Type"] == "application/pdf"
    translation.activate("en")  # a page request left its language active
    with pytest.raises(ValidationError, match="Between 1 and"):
        services.invitations_generate(actor=methodologist, wave=open_wave, municipality=towns[0], count=0)


def test_interviews_in_bulk_are_checked_like_the_pages_and_written_all_or_nothing(
    open_wave, towns, methodologist
):
    good = {"municipality": towns[0], "district": None, "answers": factories.CORE_ANSWERS}
    bad = {**good, "answers": {**factories.CORE_ANSWERS, "safety_dark": {"value": "<b>maybe</b>"}}}
    translation.activate("en")
    with pytest.raises(ValidationError, match="Line 2: Choose one of the answers offered."):
        services.responses_record_bulk(actor=methodologist, wave=open_wave, rows=[good, bad])
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert services.responses_record_bulk(actor=methodologist, wave=open_wave, rows=[good, good]) == 2
    assert Response.objects.filter(submitted=True, mode=Response.Mode.INTERVIEW, cell="30-44|f|").count() == 2
