"""The advice desk's pages: asking (emergency banner, similar answers first, honeypot, daily limit, nothing
lost on errors), the confirmation with the email, the tracking page (reply, email correction, rating), the
FAQ's accent-insensitive search, the groups' figures, the staff's queue and question page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.advice import selectors, services
from projects.advice.models import AnswerTemplate, Question

ASK = "/grants/advice/"


def _post(client, topic, **extra):
    data = {
        "topic": topic.pk,
        "text": "Můžu v noci volat městskou policii kvůli hluku?",
        "publish_allowed": "yes",
        "nonce": "",
        **extra,
    }
    return client.post(ASK, data)


def _published(programme, topic, town, officer, colleague, *, question_text, answer_text):
    question, _token = services.question_ask(
        programme=programme,
        topic=topic,
        municipality=town,
        text=question_text,
        ip=f"192.0.2.{Question.objects.count() + 100}",
        publish_allowed=True,
    )
    services.question_transition(question=question, action="take_up", actor=officer)
    services.question_transition(
        question=question, action="answer", actor=officer, inputs={"answer": answer_text}
    )
    services.question_publish_propose(
        question=question, actor=officer, question_text=question_text, answer_text=answer_text
    )
    services.question_publish_approve(question=question, actor=colleague)
    return question


def test_the_ask_page_shows_the_emergency_numbers_and_needs_no_account(client, desk, topic):
    response = client.get(ASK)
    page = response.content.decode()
    assert response.status_code == 200
    assert "112" in page and "158" in page and "997" in page
    assert 'name="website"' in page  # the honeypot


def test_asking_shows_similar_answers_first_then_sends_and_confirms_with_the_email(
    client, desk, topic, town, programme, officer, colleague
):
    published = _published(
        programme,
        topic,
        town,
        officer,
        colleague,
        question_text="Kdo řeší hluk sousedů v noci?",
        answer_text="Městská policie na čísle 156.",
    )
    response = _post(client, topic, text="HLUK od souseda v noci", email="jan@example.org", town=town.pk)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="similar-answers"' in page
    assert reverse("projects:advice_answer", args=[published.pk]) in page
    assert "HLUK od souseda v noci" in page  # nothing lost
    assert Question.objects.count() == 1
    response = _post(
        client, topic, text="HLUK od souseda v noci", email="jan@example.org", town=town.pk, similar_seen="1"
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "jan@example.org" in page and 'id="tracking-link"' in page
    assert Question.objects.count() == 2
    assert (
        "jan@example.org" not in client.get(reverse("projects:advice_asked")).content.decode()
    )  # shown once


def test_a_filled_honeypot_saves_nothing_but_looks_fine(client, desk, topic):
    response = _post(client, topic, website="http://spam.example")
    assert response.status_code == 302 and Question.objects.count() == 0


def test_bad_input_keeps_what_was_written(client, desk, topic):
    response = _post(client, topic, text="x" * 2001)
    page = response.content.decode()
    assert response.status_code == 200 and "at most 2000 characters" in page and "x" * 2001 in page
    response = _post(client, topic, publish_allowed="", text="<script>alert(1)</script>")
    page = response.content.decode()
    assert "Please choose whether the answer may be published." in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_over_the_daily_limit_the_form_says_so(client, desk, topic, settings):
    settings.ADVICE_QUESTIONS_PER_CLIENT_DAY = 1
    assert _post(client, topic, similar_seen="1").status_code == 302
    response = _post(client, topic, similar_seen="1", text="Druhá otázka")
    assert response.status_code == 200 and "You have asked 1 question today" in response.content.decode()


def test_the_tracking_page_takes_a_reply_an_email_correction_and_one_rating(
    client, desk, topic, town, programme, officer
):
    question, token = services.question_ask(
        programme=programme,
        topic=topic,
        municipality=town,
        text="<b>Otázka</b>",
        ip="192.0.2.2",
        email="jan@exmaple.org",
    )
    url = reverse("projects:advice_track", args=[token])
    page = client.get(url).content.decode()
    assert "&lt;b&gt;Otázka&lt;/b&gt;" in page and 'name="reply-message"' not in page
    assert client.post(url, {"do": "email", "email-email": "jan@example"}).status_code == 200
    client.post(url, {"do": "email", "email-email": "jan@example.org"})
    question.refresh_from_db()
    assert question.email == "jan@example.org"
    services.question_transition(question=question, action="take_up", actor=officer)
    services.question_transition(
        question=question, action="ask_clarification", actor=officer, inputs={"message": "Kde?"}
    )
    signed = selectors.tracking_link(question)
    page = client.get(signed).content.decode()
    assert "Kde?" in page and 'name="reply-message"' in page
    assert client.post(signed, {"do": "reply", "reply-message": ""}).status_code == 200
    client.post(signed, {"do": "reply", "reply-message": "U nádraží."})
    question.refresh_from_db()
    assert question.status == "assigned"
    services.question_transition(
        question=question, action="answer", actor=officer, inputs={"answer": "Odpověď."}
    )
    services.question_transition(question=question, action="close", actor=officer)
    client.post(signed, {"do": "rate", "rating-rating": "5", "rating-comment": "Díky"})
    response = client.post(signed, {"do": "rate", "rating-rating": "1"})
    assert "already rated" in response.content.decode()
    question.refresh_from_db()
    assert question.rating == 5


def test_a_wrong_tracking_key_finds_nothing(client, desk):
    assert client.get(reverse("projects:advice_track", args=["P000001:forged"])).status_code == 404
    assert client.get(reverse("projects:advice_track", args=["x" * 30])).status_code == 404


def test_the_faq_search_ignores_accents_and_filters_by_town_and_topic(
    client, desk, topic, town, programme, officer, colleague
):
    _published(
        programme,
        topic,
        town,
        officer,
        colleague,
        question_text="Parkování před školou",
        answer_text="Řeší odbor dopravy.",
    )
    page = client.get(reverse("projects:advice_faq"), {"q": "parkovani skola"}).content.decode()
    assert "Parkování před školou" in page
    page = client.get(
        reverse("projects:advice_faq"), {"q": "PARKOVÁNÍ", "town": desk["other_group"].municipality_id}
    ).content.decode()
    assert "Parkování před školou" not in page


def test_the_groups_page_shows_functions_median_and_on_time_share_of_the_last_12_months(
    client, desk, topic, town, programme, officer, colleague
):
    now = timezone.now()
    for days, late in [(2, False), (4, False), (30, True)]:
        question, _token = services.question_ask(
            programme=programme, topic=topic, municipality=town, text="Otázka", ip=f"192.0.2.{days}"
        )
        Question.objects.filter(pk=question.pk).update(
            created_at=now - timedelta(days=60),
            answered_at=now - timedelta(days=60 - days),
            answer_due_at=now - timedelta(days=60 - (days - 1 if late else days + 5)),
        )
    old, _token = services.question_ask(
        programme=programme, topic=topic, municipality=town, text="Stará", ip="192.0.2.99"
    )
    Question.objects.filter(pk=old.pk).update(
        created_at=now - timedelta(days=500), answered_at=now - timedelta(days=400)
    )
    from incidents.models import District
    from portal.models import PoliceUnit

    unit = PoliceUnit.objects.create(code="oop-dom", name="OOP Domažlice", country="CZ")
    district = District.objects.create(
        code="dom-1", name="Okrsek Domažlice-střed", area=town.boundary, police_unit=unit, municipality=town
    )
    desk["group"].districts.add(district)
    response = client.get(reverse("projects:advice_groups"))
    page = response.content.decode()
    assert "Okrsek Domažlice-střed" in page
    figures = selectors.group_figures(programme)[desk["group"].pk]
    assert figures == {"answered": 3, "median_days": 4.0, "on_time_percent": 67}
    assert "4.0" in page and "67 %" in page
    assert "community officer" in page and "okrskar@domazlice.cz" not in page  # by function, never by name


def test_the_staff_queue_and_page_are_the_groups_own(
    client, desk, topic, town, other_town, programme, officer, other_officer
):
    mine, _t = services.question_ask(
        programme=programme, topic=topic, municipality=town, text="Moje", ip="192.0.2.1"
    )
    theirs, _t = services.question_ask(
        programme=programme, topic=topic, municipality=other_town, text="Cizí", ip="192.0.2.2"
    )
    client.force_login(officer)
    page = client.get(reverse("projects:advice_queue")).content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert client.get(reverse("projects:advice_question", args=[theirs.pk])).status_code == 403
    assert (
        client.post(
            reverse("projects:advice_question_do", args=[theirs.pk, "note"]), {"body": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("projects:advice_question", args=[mine.pk])).status_code == 200


def test_the_staff_answer_from_a_template_and_the_steps_through_the_page(
    client, desk, topic, town, programme, officer
):
    question, _t = services.question_ask(
        programme=programme, topic=topic, municipality=town, text="Otázka", ip="192.0.2.1"
    )
    template = AnswerTemplate.objects.create(programme=programme, title="Hluk", body="Volejte 156.")
    client.force_login(officer)
    do = reverse("projects:advice_question_do", args=[question.pk, "act"])
    client.post(do, {"action": "take_up", "version": question.version})
    question.refresh_from_db()
    page = client.get(
        reverse("projects:advice_question", args=[question.pk]), {"template": template.pk}
    ).content.decode()
    assert "Volejte 156.</textarea>" in page
    client.post(do, {"action": "answer", "answer": "Volejte 156.", "version": question.version})
    question.refresh_from_db()
    assert question.status == "answered" and question.answer == "Volejte 156."


def test_the_queue_reads_a_constant_number_of_queries(
    client, desk, topic, town, programme, officer, django_assert_max_num_queries
):
    for n in range(15):
        services.question_ask(
            programme=programme, topic=topic, municipality=town, text=f"Otázka {n}", ip=f"192.0.2.{n}"
        )
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("projects:advice_queue")).status_code == 200


@pytest.mark.parametrize("name", ["advice_faq", "advice_groups"])
def test_public_pages_read_a_constant_number_of_queries(
    client, desk, topic, town, programme, officer, colleague, name, django_assert_max_num_queries
):
    _published(programme, topic, town, officer, colleague, question_text="První", answer_text="Odpověď")
    with django_assert_max_num_queries(12) as first:
        assert client.get(reverse(f"projects:{name}")).status_code == 200
    for n in range(5):
        _published(
            programme, topic, town, officer, colleague, question_text=f"Otázka {n}", answer_text="Odpověď"
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(reverse(f"projects:{name}")).status_code == 200


def test_the_programme_manager_manages_members_and_deadlines(client, desk, make_user, officer):
    from portal import roles
    from projects.advice.models import GroupMember

    manager = make_user(email="manager@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    newcomer = make_user(email="strasnik@domazlice.cz", roles=[roles.PARTNER_BODY])
    url = reverse("projects:advice_manage")
    client.force_login(officer)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    assert client.get(url).status_code == 200
    group = desk["group"]
    client.post(
        url,
        {"group": group.pk, "do": "add", "email": "STRASNIK@domazlice.cz", "function": "municipal_police"},
    )
    assert GroupMember.objects.filter(group=group, user=newcomer, function="municipal_police").exists()
    response = client.post(
        url,
        {"group": group.pk, "do": "add", "email": "nikdo@example.org", "function": "officer"},
        follow=True,
    )
    assert "Nobody with an account has this email address." in response.content.decode()
    client.post(url, {"group": group.pk, "do": "remove", "user": officer.pk})
    assert not GroupMember.objects.filter(group=group, user=officer).exists()
    response = client.post(
        url, {"group": group.pk, "do": "days", "acknowledge_days": "12", "answer_days": "5"}, follow=True
    )
    assert "cannot be longer" in response.content.decode()
    client.post(url, {"group": group.pk, "do": "days", "acknowledge_days": "3", "answer_days": "15"})
    group.refresh_from_db()
    assert (group.acknowledge_days, group.answer_days) == (3, 15)


def test_the_staff_question_page_reads_a_constant_number_of_queries(
    client, desk, topic, town, programme, officer, django_assert_max_num_queries
):
    question, _t = services.question_ask(
        programme=programme, topic=topic, municipality=town, text="Otázka", ip="192.0.2.1"
    )
    services.question_transition(question=question, action="take_up", actor=officer)
    for n in range(10):
        services.question_note_add(question=question, actor=officer, body=f"Poznámka {n}")
        AnswerTemplate.objects.create(programme=programme, title=f"Šablona {n}", body="Text")
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("projects:advice_question", args=[question.pk])).content.decode()
    assert "Poznámka 9" in page and "Šablona 9" in page


def test_the_emails_render_in_the_residents_language_with_the_link(
    client, desk, topic, town, programme, officer, mailoutbox
):
    from portal.services import notifications_send_due

    question, token = services.question_ask(
        programme=programme,
        topic=topic,
        municipality=town,
        text="Otázka",
        ip="192.0.2.1",
        email="jan@example.org",
        language="en",
    )
    services.question_transition(question=question, action="take_up", actor=officer)
    services.question_transition(
        question=question, action="ask_clarification", actor=officer, inputs={"message": "Kde?"}
    )
    notifications_send_due()
    to_resident = [m for m in mailoutbox if m.to == ["jan@example.org"]]
    assert len(to_resident) == 3
    assert token in to_resident[0].body and question.reference in to_resident[0].subject
    assert "Kde?" in to_resident[2].body and selectors.tracking_link(question) in to_resident[2].body
    assert "112" in to_resident[0].body
    to_group = [m for m in mailoutbox if m.to == [officer.email]]
    assert len(to_group) == 1 and question.reference in to_group[0].subject
