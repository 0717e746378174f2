"""Demo data of the advice desk (``projects.demo`` calls ``load``): topics, the working groups of Domažlice
and Rokycany and the programme's central group with the demo accounts as members, two answer templates, and
questions in every state — a few answered and published — asked and handled through the services on the
days they happened. Idempotent; nobody is emailed about the history."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.models import Country, Municipality
from portal.services import notifications_muted

from . import services
from .models import GroupMember, WorkingGroup

TOPICS = [
    ("neighbours", "Sousedské spory a hluk", "Sąsiedzi i hałas", "Neighbours and noise"),
    ("traffic", "Doprava a parkování", "Ruch drogowy i parkowanie", "Traffic and parking"),
    ("fraud", "Podvody a senioři", "Oszustwa i seniorzy", "Fraud and seniors"),
    ("youth", "Děti a mládež", "Dzieci i młodzież", "Children and young people"),
    ("public_order", "Veřejný pořádek", "Porządek publiczny", "Public order"),
]

TEMPLATES = [
    (
        "Noční klid",
        "neighbours",
        "Noční klid platí od 22 do 6 hodin. Rušení nočního klidu oznamte městské policii (156) nebo "
        "Policii ČR (158); jde o přestupek, který projednává obecní úřad.",
    ),
    (
        "Podvodné telefonáty",
        "fraud",
        "Policie ani banka vás nikdy nežádají o převod peněz na „bezpečný účet“. Hovor ukončete a zavolejte "
        "na 158. Pro seniory pořádáme besedy Bezpečí pro seniory; termíny najdete na webu města.",
    ),
]

# (days ago, town, topic, text, email, publish allowed, what happened: [(step, days later, text), …])
QUESTIONS = [
    (
        40,
        "Domažlice",
        "neighbours",
        "Soused v domě na Husově ulici pouští každou noc hlasitě hudbu. Komu to mám hlásit a může to řešit "
        "městská policie?",
        "",
        True,
        [
            ("take_up", 1, ""),
            (
                "answer",
                3,
                "Noční klid platí od 22 do 6 hodin. Volejte městskou policii na 156; "
                "opakované rušení je přestupek, který projedná obecní úřad.",
            ),
            ("close", 5, ""),
            ("publish", 6, ""),
        ],
    ),
    (
        35,
        "Rokycany",
        "fraud",
        "Mamince volal muž, že je z banky, a chtěl převést úspory na bezpečný účet. Nic neposlala. Máme to "
        "někam nahlásit?",
        "",
        True,
        [
            ("take_up", 1, ""),
            (
                "answer",
                4,
                "Dobře, že nic neposlala. Oznamte to prosím na 158 – policie sbírá i "
                "nedokonané pokusy. Banka ani policie nikdy nechtějí převod na bezpečný účet.",
            ),
            ("close", 6, ""),
            ("publish", 7, ""),
        ],
    ),
    (
        20,
        "Domažlice",
        "traffic",
        "Před základní školou v Komenského ulici auta ráno parkují na přechodu. Dá se tam zařídit dohled?",
        "rodic@example.org",
        True,
        [
            ("take_up", 1, ""),
            ("ask_clarification", 2, "V kolik hodin to bývá nejhorší?"),
            ("resident_reply", 5, "Mezi 7:30 a 8:00."),
            (
                "answer",
                7,
                "Strážníci budou ráno v 7:30–8:00 u přechodu "
                "dohlížet od příštího týdne; město zvažuje zábrany.",
            ),
        ],
    ),
    (
        6,
        "Domažlice",
        "youth",
        "Na hřišti za sídlištěm se večer schází partička a nechává po sobě rozbité lahve. Kdo to řeší?",
        "",
        False,
        [("take_up", 1, ""), ("ask_clarification", 2, "Které hřiště myslíte – u Paloučku, nebo u školy?")],
    ),
    (3, "Rokycany", "public_order", "Je legální pálit listí na zahradě v obci?", "", True, []),
    (
        1,
        None,
        "public_order",
        "Kam se mám obrátit s dotazem na bezpečnost v obci, která není v programu?",
        "",
        False,
        [],
    ),
]


def load(programme, created: list[str]) -> None:
    if WorkingGroup.objects.filter(programme=programme).exists():
        return
    User = get_user_model()  # noqa: N806
    users = {email.split("@")[0]: User.objects.filter(email=email).first() for email in _DEMO_EMAILS}
    manager = users["manager"] or User.objects.get(email="admin@demo.okrsek.cz")
    towns = {
        name: Municipality.objects.get(country=Country.CZ, name=name, district_name=name)
        for name in ("Domažlice", "Rokycany")
    }
    with notifications_muted():
        topics = {
            slug: services.topic_upsert(
                programme=programme, slug=slug, actor=manager, name_cs=cs, name_pl=pl, name_en=en, order=order
            )
            for order, (slug, cs, pl, en) in enumerate(TOPICS)
        }
        groups = {
            "Domažlice": services.group_upsert(
                programme=programme,
                municipality=towns["Domažlice"],
                name="Základní pracovní skupina Domažlice",
                actor=manager,
                topics=list(topics.values()),
            ),
            "Rokycany": services.group_upsert(
                programme=programme,
                municipality=towns["Rokycany"],
                name="Základní pracovní skupina Rokycany",
                actor=manager,
                topics=list(topics.values()),
            ),
            None: services.group_upsert(
                programme=programme,
                municipality=None,
                name="Centrální pracovní skupina programu",
                actor=manager,
            ),
        }
        F = GroupMember.Function  # noqa: N806
        members = [
            ("Domažlice", "officer", F.OFFICER),
            ("Domažlice", "staff", F.PREVENTION_MANAGER),
            ("Domažlice", "partner", F.MUNICIPAL_POLICE),
            ("Rokycany", "coordinator", F.OFFICER),
            ("Rokycany", "manager", F.PROGRAMME_STAFF),
            (None, "manager", F.PROGRAMME_STAFF),
        ]
        for town, login, function in members:
            if users.get(login) is not None:
                services.group_member_set(
                    group=groups[town], user=users[login], function=function, actor=manager
                )
        for title, topic, body in TEMPLATES:
            services.answer_template_save(
                programme=programme, title=title, body=body, topic=topics[topic], actor=manager
            )
        handlers = {
            "Domažlice": (users["officer"], users["staff"]),
            "Rokycany": (users["coordinator"], users["manager"]),
        }
        count = 0
        for n, (days_ago, town, topic, text, email, publish, steps) in enumerate(QUESTIONS):
            asked = _at(days_ago)
            question, _token = services.question_ask(
                programme=programme,
                topic=topics[topic],
                municipality=towns.get(town),
                text=text,
                email=email,
                publish_allowed=publish,
                ip=f"demo-{n}",
                now=asked,
            )
            first, second = handlers.get(town, (None, None))
            for step, later, message in steps:
                when = asked + timedelta(days=later)
                if step == "resident_reply":
                    services.question_resident_reply(question=question, message=message, now=when)
                elif step == "publish":
                    services.question_publish_propose(
                        question=question,
                        actor=first,
                        question_text=question.text,
                        answer_text=question.answer,
                    )
                    services.question_publish_approve(question=question, actor=second, now=when)
                else:
                    inputs = {"answer": message} if step == "answer" else {"message": message}
                    services.question_transition(
                        question=question, action=step, actor=first, inputs=inputs, now=when
                    )
            count += 1
    created.append(f"advice desk: 3 working groups, {len(TOPICS)} topics, {count} questions")


_DEMO_EMAILS = [
    "officer@demo.okrsek.cz",
    "staff@demo.okrsek.cz",
    "partner@demo.okrsek.cz",
    "coordinator@demo.okrsek.cz",
    "manager@demo.okrsek.cz",
]


def _at(days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=9))
