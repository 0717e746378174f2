"""The advice desk's stage: two member towns with boundaries (Domažlice, Rokycany), each with its working
group, the programme's central group, members, a topic."""

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from portal import roles
from portal.models import Country, Municipality
from projects.advice.models import GroupMember, Topic, WorkingGroup


def square(lon: float, lat: float, size: float = 0.05) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon - size, lat - size, lon + size, lat + size)), srid=4326)


DOMAZLICE_POINT = Point(12.93, 49.44, srid=4326)
ROKYCANY_POINT = Point(13.59, 49.74, srid=4326)
NOWHERE_POINT = Point(14.42, 50.08, srid=4326)  # Prague: not a member town


@pytest.fixture
def town(municipality, programme):
    from tests.projects.factories import make_member

    municipality.boundary = square(12.93, 49.44)
    municipality.save()
    make_member(programme, municipality)
    return municipality


@pytest.fixture
def other_town(other_municipality, programme):
    from tests.projects.factories import make_member

    other_municipality.boundary = square(13.59, 49.74)
    other_municipality.save()
    make_member(programme, other_municipality)
    return other_municipality


@pytest.fixture
def polish_town(db, programme):
    return Municipality.objects.create(
        country=Country.PL, code="0264011", name="Wrocław", boundary=square(17.03, 51.11)
    )


@pytest.fixture
def topic(programme):
    return Topic.objects.create(
        programme=programme, slug="neighbours", name_cs="Sousedé", name_en="Neighbours"
    )


@pytest.fixture
def group(programme, town, topic):
    group = WorkingGroup.objects.create(
        programme=programme, municipality=town, name="Pracovní skupina Domažlice"
    )
    group.topics.add(topic)
    return group


@pytest.fixture
def other_group(programme, other_town):
    return WorkingGroup.objects.create(
        programme=programme, municipality=other_town, name="Pracovní skupina Rokycany"
    )


@pytest.fixture
def central(programme):
    return WorkingGroup.objects.create(programme=programme, municipality=None, name="Centrální skupina")


@pytest.fixture
def officer(make_user, group):
    user = make_user(email="okrskar@domazlice.cz", roles=[roles.OFFICER], language="en")
    GroupMember.objects.create(group=group, user=user, function=GroupMember.Function.OFFICER)
    return user


@pytest.fixture
def colleague(make_user, group, town):
    user = make_user(
        email="prevence@domazlice.cz", roles=[roles.MUNICIPAL_STAFF], municipality=town, language="en"
    )
    GroupMember.objects.create(group=group, user=user, function=GroupMember.Function.PREVENTION_MANAGER)
    return user


@pytest.fixture
def other_officer(make_user, other_group):
    user = make_user(email="okrskar@rokycany.cz", roles=[roles.OFFICER], language="en")
    GroupMember.objects.create(group=other_group, user=user, function=GroupMember.Function.OFFICER)
    return user


@pytest.fixture
def central_member(make_user, central):
    user = make_user(email="kraj@kraj.cz", roles=[roles.PROGRAMME_MANAGER], language="en")
    GroupMember.objects.create(group=central, user=user, function=GroupMember.Function.PROGRAMME_STAFF)
    return user


@pytest.fixture
def desk(group, other_group, central, officer, colleague, other_officer):
    """Every group with its members."""
    return {"group": group, "other_group": other_group, "central": central}
