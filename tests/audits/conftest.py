import pytest

from portal import roles

from . import factories


@pytest.fixture
def methodologist(make_user):
    return make_user(email="method@example.org", roles=[roles.SURVEY_METHODOLOGIST], language="en")


@pytest.fixture
def towns(municipality, other_municipality):
    return municipality, other_municipality


@pytest.fixture
def open_wave(methodologist, towns):
    return factories.wave(methodologist, list(towns))


@pytest.fixture(autouse=True)
def _english_messages():
    """The services' messages are read in English, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Report PDFs are written under the test's own directory, not the site's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The evidence panel's figures are cached per town: no test sees another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
