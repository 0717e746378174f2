import pytest
from django.utils import translation

from portal import roles

from .factories import make_call, make_member, make_programme


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in the source language, English (the catalogues are tested on their own in
    tests/portal/test_translations.py); emails still go out in each recipient's language."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def programme(db):
    return make_programme()


@pytest.fixture
def town(municipality, programme):
    """Domažlice, a member town."""
    make_member(programme, municipality)
    return municipality


@pytest.fixture
def other_town(other_municipality, programme):
    """Rokycany, a member town."""
    make_member(programme, other_municipality)
    return other_municipality


@pytest.fixture
def call(programme):
    """Open now (opened 10 days ago, closes in 20); budget 500 000, 300 000 per proposal, 10 % own share."""
    return make_call(programme)


@pytest.fixture
def staff(make_user, town):
    return make_user(email="urednice@domazlice.cz", roles=[roles.MUNICIPAL_STAFF], municipality=town)


@pytest.fixture
def other_staff(make_user, other_town):
    return make_user(email="urednik@rokycany.cz", roles=[roles.MUNICIPAL_STAFF], municipality=other_town)


@pytest.fixture
def manager(make_user):
    return make_user(email="manazer@kraj.cz", roles=[roles.PROGRAMME_MANAGER], language="en")


@pytest.fixture
def member(make_user):
    return make_user(email="komisar@kraj.cz", roles=[roles.COMMISSION_MEMBER])


@pytest.fixture
def member2(make_user):
    return make_user(email="komisarka@kraj.cz", roles=[roles.COMMISSION_MEMBER])


@pytest.fixture
def member_from_town(make_user, town):
    return make_user(email="komisar@domazlice.cz", roles=[roles.COMMISSION_MEMBER], municipality=town)
