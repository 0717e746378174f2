"""The advice desk's demo: groups of the demo towns with the demo accounts, questions in every state (made
through the services), published answers in the FAQ; a second run adds nothing."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from portal.models import Notification
from projects.advice.models import Question, WorkingGroup


@pytest.mark.django_db
def test_demo_advice_desk(client):
    call_command("seed_demo", stdout=io.StringIO())
    assert sorted(WorkingGroup.objects.values_list("name", flat=True)) == [
        "Centrální pracovní skupina programu",
        "Základní pracovní skupina Domažlice",
        "Základní pracovní skupina Rokycany",
    ]
    statuses = set(Question.objects.values_list("status", flat=True))
    assert statuses == {"received", "waiting", "answered", "closed"}
    assert Question.objects.filter(publication="published").count() == 2
    assert not Notification.objects.filter(kind__startswith="advice_").exists()  # nobody hears of the history
    page = client.get(reverse("projects:advice_faq"), {"q": "bezpecny ucet"}).content.decode()
    assert "bezpečný účet" in page
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(email="officer@demo.okrsek.cz"))
    page = client.get(reverse("projects:advice_queue")).content.decode()
    assert "hřišti" in page and "pálit listí" not in page  # Rokycany's question is not Domažlice's
    count = Question.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Question.objects.count() == count
