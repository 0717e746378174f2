"""The advice desk's services: routing, bad input, the workflow (clarification, answer, reassign, turning a
question into a threat report), publishing with a second member's approval, the rating, permissions."""

from datetime import UTC, datetime

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import Category, Report
from portal import roles
from portal.models import ActivityLog, Notification
from projects.advice import selectors, services
from projects.advice.models import Question, QuestionMessage

from .conftest import NOWHERE_POINT, ROKYCANY_POINT

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # Monday 9:00 in Prague


def ask(programme, topic, **kwargs):
    options = {"text": "Kdo řeší hlučné sousedy po 22. hodině?", "ip": "198.51.100.7", "now": T0}
    options.update(kwargs)
    return services.question_ask(programme=programme, topic=topic, **options)


# --- routing --------------------------------------------------------------------------------------------


def test_a_point_goes_to_the_group_of_the_town_it_lies_in(programme, topic, desk):
    question, token = ask(programme, topic, point=ROKYCANY_POINT)
    assert question.group == desk["other_group"] and question.municipality.name == "Rokycany"
    assert token and question.token_hash == selectors.token_hash(token)
    assert token not in question.token_hash
    assert selectors.question_by_key(token) == question


def test_a_town_chosen_goes_to_its_group_and_a_place_outside_every_member_town_to_the_central_group(
    programme, topic, desk, town
):
    by_town, _token = ask(programme, topic, municipality=town)
    outside, _token = ask(programme, topic, point=NOWHERE_POINT, ip="198.51.100.8")
    unknown, _token = ask(programme, topic, ip="198.51.100.9")
    assert by_town.group == desk["group"]
    assert outside.group == desk["central"] and outside.municipality is None
    assert unknown.group == desk["central"]


def test_a_group_serving_further_towns_gets_their_questions(programme, topic, desk, polish_town):
    desk["other_group"].towns.add(polish_town)
    question, _token = ask(programme, topic, point=Point(17.03, 51.11, srid=4326))
    assert question.group == desk["other_group"] and question.municipality == polish_town


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("   ", "text", "Please write your question."),
        ("x" * 2001, "text", "The question may have at most 2000 characters (it has 2001)."),
        (
            "http://a.example https://b.example www.c.example",
            "text",
            "A question may contain at most 2 links.",
        ),
    ],
)
def test_bad_questions_are_refused_with_a_clear_message_and_nothing_is_saved(
    programme, topic, desk, text, field, message
):
    with pytest.raises(ValidationError) as refused:
        ask(programme, topic, text=text)
    assert refused.value.message_dict[field] == [message]
    assert not Question.objects.exists()


def test_a_bad_email_is_refused(programme, topic, desk):
    with pytest.raises(ValidationError) as refused:
        ask(programme, topic, email="jan.novak@seznam")
    assert refused.value.message_dict["email"] == ["This email address is not valid."]


def test_one_client_may_ask_five_questions_a_day(programme, topic, desk, settings):
    settings.ADVICE_QUESTIONS_PER_CLIENT_DAY = 5
    for n in range(5):
        ask(programme, topic, text=f"Otázka číslo {n}")
    with pytest.raises(ValidationError) as refused:
        ask(programme, topic)
    assert "You have asked 5 questions today" in refused.value.messages[0]
    ask(programme, topic, ip="203.0.113.1")  # another client may
    assert Question.objects.count() == 6


def test_the_same_form_sent_twice_files_one_question(programme, topic, desk):
    import uuid

    key = uuid.uuid4()
    first, token = ask(programme, topic, submission_key=key)
    second, second_token = ask(programme, topic, submission_key=key)
    assert first == second and token and second_token is None and Question.objects.count() == 1


def test_asking_emails_the_resident_the_tracking_link_and_the_group_its_new_question(
    programme, topic, desk, officer, colleague
):
    question, token = ask(
        programme, topic, municipality=desk["group"].municipality, email="obcan@example.org"
    )
    rows = {n.to_email: n for n in Notification.objects.all()}
    assert set(rows) == {"obcan@example.org", officer.email, colleague.email}
    assert rows["obcan@example.org"].kind == "advice_received"
    assert ActivityLog.objects.filter(verb="advice.asked").count() == 1


# --- the workflow ---------------------------------------------------------------------------------------


@pytest.fixture
def question(programme, topic, desk, town):
    question, _token = ask(
        programme, topic, municipality=town, email="obcan@example.org", publish_allowed=True
    )
    return question


def test_clarification_answer_and_close(question, officer):
    services.question_transition(question=question, action="take_up", actor=officer)
    assert question.status == "assigned" and question.assignee == officer and question.acknowledged_at
    services.question_transition(
        question=question, action="ask_clarification", actor=officer, inputs={"message": "Which street?"}
    )
    assert question.status == "waiting" and question.answer_paused_at is not None
    services.question_resident_reply(question=question, message="Náměstí Míru 1")
    assert question.status == "assigned" and question.answer_paused_at is None
    services.question_transition(
        question=question, action="answer", actor=officer, inputs={"answer": "Call the municipal police."}
    )
    services.question_transition(question=question, action="close", actor=officer)
    assert question.status == "closed" and question.answer == "Call the municipal police."
    kinds = list(question.messages.values_list("kind", flat=True))
    assert kinds == ["event", "event", "clarification", "reply", "answer", "event"]
    resident_emails = Notification.objects.filter(to_email="obcan@example.org").values_list("kind", flat=True)
    assert sorted(resident_emails) == ["advice_received"] + ["advice_update"] * 4


def test_the_answer_is_required_and_bounded(question, officer):
    services.question_transition(question=question, action="take_up", actor=officer)
    with pytest.raises(ValidationError):
        services.question_transition(
            question=question, action="answer", actor=officer, inputs={"answer": " "}
        )
    with pytest.raises(ValidationError):
        services.question_transition(
            question=question, action="answer", actor=officer, inputs={"answer": "x" * 4001}
        )
    question.refresh_from_db()
    assert question.status == "assigned" and question.answer == ""


def test_internal_notes_are_never_shown_to_the_resident(client, question, officer):
    services.question_note_add(question=question, actor=officer, body="Soused je známý výtečník.")
    assert question.messages.filter(kind="note").count() == 1
    response = client.get(selectors.tracking_link(question))
    assert response.status_code == 200 and "výtečník" not in response.content.decode()


def test_reassigning_hands_the_question_to_the_other_group_which_acknowledges_it_anew(
    question, officer, other_officer, desk
):
    services.question_transition(question=question, action="take_up", actor=officer)
    services.question_reassign(question=question, actor=officer, group=desk["other_group"])
    assert (
        question.group == desk["other_group"] and question.status == "received" and question.assignee is None
    )
    services.question_transition(question=question, action="take_up", actor=other_officer)
    with pytest.raises(PermissionDenied):  # no longer the first group's
        services.question_transition(
            question=question, action="answer", actor=officer, inputs={"answer": "x"}
        )


def test_turning_a_question_into_a_threat_report_links_both_and_tells_the_resident(question, officer):
    category = Category.objects.create(code="noise", name_cs="Hluk", name_en="Noise", group="public_order")
    from portal.models import PoliceUnit

    unit = PoliceUnit.objects.create(code="krpp", name="KŘP", country="CZ")
    unit.municipalities.add(question.municipality)
    report = services.question_to_report(
        question=question, actor=officer, category=category, description="Hluk každou noc."
    )
    question.refresh_from_db()
    assert question.status == "closed" and question.report == report and report.advice_question == question
    assert report.reporter_email == "obcan@example.org"
    assert f"question {question.reference}" in report.events.get(action="submitted").internal_note
    kinds = set(Notification.objects.filter(to_email="obcan@example.org").values_list("kind", flat=True))
    assert {"advice_update", "incident_received"} <= kinds
    assert Report.objects.count() == 1


# --- publishing -----------------------------------------------------------------------------------------


def _answered(question, officer):
    services.question_transition(question=question, action="take_up", actor=officer)
    services.question_transition(
        question=question, action="answer", actor=officer, inputs={"answer": "Volejte městskou policii 156."}
    )


def test_publishing_needs_a_second_member_of_the_group(
    question, officer, colleague, other_officer, programme
):
    _answered(question, officer)
    services.question_publish_propose(
        question=question,
        actor=officer,
        question_text="Kdo řeší hlučné sousedy v noci?",
        answer_text="Volejte městskou policii 156.",
    )
    assert selectors.faq(programme) == []
    with pytest.raises(ValidationError, match="Another member"):
        services.question_publish_approve(question=question, actor=officer)
    with pytest.raises(PermissionDenied):
        services.question_publish_approve(question=question, actor=other_officer)
    services.question_publish_approve(question=question, actor=colleague)
    assert selectors.faq(programme) == [question]
    assert [q.pk for q in selectors.similar_answers(programme, "hlucny soused v noci")] == [question.pk]


def test_a_private_answer_cannot_be_published(programme, topic, desk, town, officer):
    question, _token = ask(programme, topic, municipality=town, publish_allowed=False)
    _answered(question, officer)
    with pytest.raises(ValidationError, match="did not allow"):
        services.question_publish_propose(
            question=question, actor=officer, question_text="a", answer_text="b"
        )


# --- rating ---------------------------------------------------------------------------------------------


def test_the_resident_rates_once_after_closing(question, officer):
    with pytest.raises(ValidationError, match="once the question is closed"):
        services.question_rate(question=question, rating=5)
    _answered(question, officer)
    services.question_transition(question=question, action="close", actor=officer)
    with pytest.raises(ValidationError):
        services.question_rate(question=question, rating=6)
    services.question_rate(question=question, rating=4, comment="Díky")
    with pytest.raises(ValidationError, match="already rated"):
        services.question_rate(question=question, rating=1)
    question.refresh_from_db()
    assert (question.rating, question.rating_comment) == (4, "Díky")


# --- permissions ----------------------------------------------------------------------------------------


def test_a_group_sees_and_acts_on_its_own_questions_only(
    programme, topic, desk, town, other_town, officer, other_officer, make_user
):
    mine, _t = ask(programme, topic, municipality=town)
    theirs, _t = ask(programme, topic, municipality=other_town, ip="198.51.100.99")
    assert [q.pk for q in selectors.staff_queue(officer)] == [mine.pk]
    assert [q.pk for q in selectors.staff_queue(other_officer)] == [theirs.pk]
    assert selectors.staff_queue(officer, group_id=desk["other_group"].pk) == []
    with pytest.raises(PermissionDenied):
        services.question_transition(question=theirs, action="take_up", actor=officer)
    outsider = make_user(email="okrskar@jinde.cz", roles=[roles.OFFICER])
    assert selectors.staff_queue(outsider) == []
    manager = make_user(email="manager@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    assert {q.pk for q in selectors.staff_queue(manager)} == {mine.pk, theirs.pk}
    with pytest.raises(PermissionDenied):  # the manager oversees and reassigns, the group answers
        services.question_transition(question=theirs, action="take_up", actor=manager)
    assert QuestionMessage.objects.filter(question=theirs, action="take_up").count() == 0


# --- personal data --------------------------------------------------------------------------------------


def test_the_ip_hash_goes_after_two_days_and_the_email_half_a_year_after_closing(question, officer):
    from datetime import timedelta

    from portal import retention

    _answered(question, officer)
    services.question_transition(question=question, action="close", actor=officer)
    Question.objects.filter(pk=question.pk).update(closed_at=T0)
    retention.purge(now=T0 + timedelta(days=3))
    question.refresh_from_db()
    assert question.ip_hash == "" and question.email == "obcan@example.org"
    retention.purge(now=T0 + timedelta(days=181))
    question.refresh_from_db()
    assert question.email == "" and question.answer  # the answer stays
