"""/open311/: the GeoReport v2 endpoint (v2/), its discovery document and the OpenAPI description."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    """The extension of a GeoReport path (json, xml; anything else is answered with a 404 error document)."""

    regex = "[A-Za-z0-9]{1,12}"

    def to_python(self, value: str) -> str:
        return value.lower()

    def to_url(self, value: str) -> str:
        return value


class AnyPathConverter:
    """Any rest of a path, line breaks included (the ``path`` converter's ``.+`` stops at a newline)."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")
register_converter(AnyPathConverter, "open311_any")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311_format:fmt>", views.discovery, name="discovery"),
    path("openapi.json", views.openapi, name="openapi"),
    path("v2/services.<open311_format:fmt>", views.service_list, name="services"),
    path("v2/services/<slug:service_code>.<open311_format:fmt>", views.service_definition, name="service"),
    path("v2/requests.geojson", views.requests_geojson, name="requests_geojson"),
    path("v2/requests.<open311_format:fmt>", views.requests, name="requests"),
    path("v2/requests/<str:service_request_id>.<open311_format:fmt>", views.request_detail, name="request"),
    path("v2/tokens/<str:token>.<open311_format:fmt>", views.token, name="token"),
    # last: every other address under /open311/ gets the API's error document, not the site's HTML page
    path("", views.not_found, {"path": ""}, name="not_found"),
    path("<open311_any:path>", views.not_found, name="not_found"),
]
