from django.contrib import admin
from django.urls import include, path

from . import views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("my/", views.dashboard, name="dashboard"),
        path("map/municipalities.geojson", views.municipalities_geojson, name="municipalities_geojson"),
        path("i18n/setlang/", views.set_language, name="set_language"),
    ],
    "portal",
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", include(portal_patterns)),
    path("accounts/", include("allauth.urls")),
    path("reports/", include("incidents.urls")),
    path("open311/", include("incidents.open311.urls")),
    path("surveys/", include("audits.urls")),
    path("workshops/", include("workshops.urls")),
    path("grants/", include("projects.urls")),
    path("admin/", admin.site.urls),
]

# Uploaded files (report photos, proposal attachments, publications) are never served from MEDIA_URL: each app
# serves its files through a view that checks the permission on the object they belong to.
