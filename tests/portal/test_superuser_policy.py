"""Superusers in the normal UI (docs/staff-authentication.md): refused, not recorded. A superuser acts by the
roles they hold; the rules give them nothing more (portal.permissions.user_has_perm), while /admin/ keeps
working for them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from portal import roles
from portal.models import ActivityLog, Country, Municipality
from portal.services import user_set_roles
from projects.models import Proposal
from tests.projects.factories import make_call, make_member, make_programme, make_proposal
from workshops import services as workshop_services
from workshops.models import Initiative, PresentationOffer, Workshop
from workshops.workflow import OfferStatus


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def superuser(make_user):
    user = make_user(email="root@example.org")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def offer(make_user):
    workshop = Workshop.objects.create(
        initiative=Initiative.objects.create(code="bi", name_cs="BI"), number=1, theme_cs="Téma"
    )
    return PresentationOffer.objects.create(
        workshop=workshop,
        author=make_user(email="obcan@example.org"),
        speaker_name="Jana Občanová",
        speaker_organisation="Spolek",
        speaker_email="obcan@example.org",
        title="Sousedská hlídka",
        abstract="Zkušenosti.",
    )


@pytest.fixture
def draft(db):
    town = Municipality.objects.create(country=Country.CZ, code="553468", name="Domažlice")
    programme = make_programme()
    make_member(programme, town)
    return make_proposal(make_call(programme), town, status=Proposal.Status.DRAFT)


@pytest.mark.django_db
def test_a_superuser_cannot_withdraw_a_citizens_offer(client, superuser, offer):
    client.force_login(superuser)
    assert client.post(f"/workshops/offer/{offer.pk}/withdraw/").status_code == 403
    with pytest.raises(PermissionDenied):  # the service refuses too
        workshop_services.offer_withdraw(offer=offer, actor=superuser)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    assert not ActivityLog.objects.filter(verb__startswith="offer.").exists()


@pytest.mark.django_db
def test_a_superuser_cannot_submit_a_towns_draft_nor_read_it(client, superuser, draft):
    client.force_login(superuser)
    assert client.post(f"/grants/proposals/{draft.pk}/submit/").status_code == 403
    assert client.get(f"/grants/proposals/{draft.pk}/edit/").status_code == 403
    assert client.get(f"/grants/proposals/{draft.pk}/").status_code == 403
    draft.refresh_from_db()
    assert draft.status == Proposal.Status.DRAFT
    assert not ActivityLog.objects.filter(verb__startswith="proposal.").exists()


@pytest.mark.django_db
def test_a_superuser_with_the_role_acts_as_that_role(client, superuser, draft):
    """Holding the role explicitly (with its organisation) is the way to act in the normal UI."""
    superuser.profile.municipality = draft.municipality
    superuser.profile.save()
    user_set_roles(user=superuser, roles=[roles.MUNICIPAL_STAFF], notify=False)
    client.force_login(superuser)
    assert client.get(f"/grants/proposals/{draft.pk}/edit/").status_code == 200


@pytest.mark.django_db
def test_the_admin_still_works_for_a_superuser(client, superuser, draft, offer):
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/projects/proposal/").status_code == 200
    assert client.get(f"/admin/projects/proposal/{draft.pk}/change/").status_code == 200
    assert client.get("/admin/incidents/district/").status_code == 200
    assert client.get(f"/admin/workshops/presentationoffer/{offer.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_the_menu_shows_a_superuser_no_staff_page_they_cannot_open(client, superuser):
    client.force_login(superuser)
    html = client.get("/").content.decode()
    assert 'href="/reports/staff/"' not in html
    assert client.get("/reports/staff/").status_code == 403


@pytest.mark.django_db
def test_only_the_administrators_scripts_act_for_others_and_it_is_logged(superuser, offer):
    """seed_demo acts for towns without demo accounts inside ``admin_override()``: the step is logged as an
    admin override; the same call outside it (any request) is refused."""
    from portal.permissions import admin_override

    with admin_override():
        workshop_services.offer_withdraw(offer=offer, actor=superuser)
    entry = ActivityLog.objects.get(verb="offer.withdraw")
    assert entry.actor == superuser and entry.data["admin_override"] is True
    assert not superuser.has_perm("workshops.change_offer", offer)  # the context is over
