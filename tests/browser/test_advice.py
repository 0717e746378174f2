"""The advice desk in a real browser on a phone (360 px): a resident asks, an officer asks for clarification,
the resident replies through the private link, the answer is published with a second member's approval and
the next resident finds it before sending the same question. No assertion reads a translated text: URLs,
ids, field names and data attributes only."""

import pytest
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import Country, Municipality
from projects.advice.models import GroupMember, Question, Topic, WorkingGroup
from projects.models import Membership, Programme

from .conftest import no_sideways_scroll
from .test_accessibility import _axe_violations, _report
from .test_projects import _login, _shot, _square

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]
PHONE = {"viewport": {"width": 360, "height": 780}, "bypass_csp": True}  # axe-core is injected


@pytest.fixture
def desk(db, make_user):
    town = Municipality.objects.create(
        country=Country.CZ, code="553468", name="Domažlice", boundary=_square(12.9, 49.4)
    )
    programme = Programme.objects.create(
        slug="pk-bk", name="Plzeňský kraj", region="Plzeňský kraj", total_budget=1
    )
    Membership.objects.create(programme=programme, municipality=town, status="joined", joined_on="2010-07-01")
    topic = Topic.objects.create(
        programme=programme, slug="neighbours", name_cs="Sousedé a hluk", name_en="Noise"
    )
    group = WorkingGroup.objects.create(
        programme=programme, municipality=town, name="Pracovní skupina Domažlice"
    )
    WorkingGroup.objects.create(programme=programme, municipality=None, name="Centrální skupina")
    officer = make_user(email="okrskar@domazlice.cz", roles=[roles.OFFICER])
    colleague = make_user(email="prevence@domazlice.cz", roles=[roles.MUNICIPAL_STAFF], municipality=town)
    GroupMember.objects.create(group=group, user=officer, function="officer")
    GroupMember.objects.create(group=group, user=colleague, function="prevention_manager")
    return {"town": town, "topic": topic, "officer": officer, "colleague": colleague}


def _axe(page: Page) -> None:
    violations = _axe_violations(page)
    assert violations == [], _report(page.url, violations)


def _ask(page: Page, live_server, desk, text: str, email: str = "") -> None:
    page.goto(f"{live_server.url}/grants/advice/")
    page.locator("select[name=topic]").select_option(str(desk["topic"].pk))
    page.locator("select[name=town]").select_option(str(desk["town"].pk))
    page.locator("textarea[name=text]").fill(text)
    if email:
        page.locator("input[name=email]").fill(email)
    page.locator("input[name=publish_allowed][value=yes]").check()
    page.locator("#advice-send").click()
    page.wait_for_load_state("load")


@pytest.mark.browser_context_args(**PHONE)
def test_ask_clarify_reply_answer_publish_and_find(page: Page, live_server, desk, console_errors):
    # A resident asks on a phone and sees the email the answer goes to
    page.goto(f"{live_server.url}/grants/advice/")
    expect(page.locator("#advice-emergency")).to_be_visible()
    expect(page.locator("#advice-map")).to_have_attribute("data-loaded", "1")
    page.locator("#advice-map").click()  # the middle of the member towns: the place fills the coordinates
    expect(page.locator("input[name=latitude]")).not_to_have_value("")
    no_sideways_scroll(page)
    _axe(page)
    _ask(
        page,
        live_server,
        desk,
        "Soused Novák z Husovy 5 pouští každou noc hlasitou hudbu. Kdo to řeší?",
        "jan@example.org",
    )
    expect(page).to_have_url(f"{live_server.url}/grants/advice/asked/")
    expect(page.locator("#question-email")).to_have_text("jan@example.org")
    tracking = page.locator("#tracking-link").get_attribute("href")
    no_sideways_scroll(page)
    _axe(page)
    _shot(page, "advice-asked-phone.png")
    question = Question.objects.get()

    # The officer takes it up and asks for clarification
    _login(page, live_server, desk["officer"])
    page.goto(f"{live_server.url}/grants/advice/staff/")
    page.locator(f"tr[data-question='{question.pk}'] a").click()
    page.locator("#do-take_up").click()
    page.locator("textarea#message-ask_clarification").fill("Od kolika hodin hudba hraje?")
    page.locator("#do-ask_clarification").click()
    expect(page.locator("#question-status")).to_have_attribute("data-status", "waiting")
    no_sideways_scroll(page)
    _axe(page)
    _shot(page, "advice-staff-question-phone.png")

    # The resident replies through the private link
    page.context.clear_cookies()
    page.goto(tracking)
    expect(page.locator("#question-status")).to_have_attribute("data-status", "waiting")
    page.locator("textarea[name=reply-message]").fill("Od půlnoci do tří.")
    page.locator("#reply-send").click()
    expect(page.locator("#question-status")).to_have_attribute("data-status", "assigned")
    no_sideways_scroll(page)
    _axe(page)
    _shot(page, "advice-track-phone.png")

    # The officer answers and proposes the anonymised texts; a second member approves
    _login(page, live_server, desk["officer"])
    page.goto(f"{live_server.url}/grants/advice/staff/{question.pk}/")
    page.locator("#answer-text").fill(
        "Volejte v noci městskou policii na 156; rušení nočního klidu je přestupek."
    )
    page.locator("#do-answer").click()
    expect(page.locator("#question-status")).to_have_attribute("data-status", "answered")
    page.locator("textarea[name=published_question]").fill(
        "Soused pouští každou noc hlasitou hudbu. Kdo to řeší?"
    )
    page.locator("#do-propose").click()
    expect(page.locator("#do-approve")).to_have_count(0)  # not by the one who proposed
    _login(page, live_server, desk["colleague"])
    page.goto(f"{live_server.url}/grants/advice/staff/{question.pk}/")
    page.locator("#do-approve").click()
    page.wait_for_load_state("load")
    no_sideways_scroll(page)
    question.refresh_from_db()
    assert question.publication == "published" and "Novák" not in question.published_question

    # The next resident finds the answer before sending the same question
    page.context.clear_cookies()
    _ask(page, live_server, desk, "Hlasitá hudba od souseda každou noc")
    expect(page.locator("#similar-answers")).to_be_visible()
    no_sideways_scroll(page)
    _axe(page)
    _shot(page, "advice-similar-phone.png")
    page.locator(f"#similar-answers a[href='/grants/advice/answers/{question.pk}/']").click()
    expect(page.locator("#published-answer")).to_contain_text("156")
    assert Question.objects.count() == 1  # nothing sent: the answer was enough
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(viewport={"width": 1366, "height": 768}, bypass_csp=True)
def test_every_advice_page_passes_axe_on_a_desktop(page: Page, live_server, desk, make_user, console_errors):
    from projects.advice import services

    manager = make_user(email="manazer@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    GroupMember.objects.create(
        group=WorkingGroup.objects.get(municipality=None), user=manager, function="programme_staff"
    )
    question, token = services.question_ask(
        programme=desk["topic"].programme,
        topic=desk["topic"],
        municipality=desk["town"],
        text="Je legální pálit listí?",
        ip="192.0.2.1",
        publish_allowed=True,
    )
    services.question_transition(question=question, action="take_up", actor=desk["officer"])
    services.question_transition(
        question=question, action="answer", actor=desk["officer"], inputs={"answer": "Ne."}
    )
    services.question_publish_propose(
        question=question, actor=desk["officer"], question_text="Pálení listí?", answer_text="Ne."
    )
    services.question_publish_approve(question=question, actor=desk["colleague"])
    pages = [
        "/grants/advice/answers/",
        f"/grants/advice/answers/{question.pk}/",
        "/grants/advice/groups/",
        f"/grants/advice/track/{token}/",
    ]
    for path in pages:
        page.goto(live_server.url + path)
        no_sideways_scroll(page)
        _axe(page)
    _login(page, live_server, manager)
    for path in ("/grants/advice/staff/", f"/grants/advice/staff/{question.pk}/", "/grants/advice/manage/"):
        page.goto(live_server.url + path)
        expect(page.locator("main")).to_be_visible()
        no_sideways_scroll(page)
        _axe(page)
    _shot(page, "advice-manage-desktop.png")
    assert console_errors == [], "\n".join(console_errors)
