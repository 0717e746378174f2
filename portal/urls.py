from allauth.account.decorators import secure_admin_login
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

# /admin/ logs in through allauth (its rate limits and the second factor): the admin's own login form is
# replaced by a redirect to the account login, and only active staff pass.
admin.site.login = secure_admin_login(admin.site.login)

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

handler403 = "portal.errors.error_403"
handler404 = "portal.errors.error_404"
handler500 = "portal.errors.error_500"
