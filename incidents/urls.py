from django.urls import path

from .alerts import feeds as alert_feeds
from .alerts import views as alerts
from .views import follow, public, public_map, staff

app_name = "incidents"
urlpatterns = [
    # citizens (no account)
    path("", public.index, name="index"),
    path("new/", public.report_new, name="report_new"),
    path("new/nearby.json", public.nearby, name="nearby"),
    path("places.json", public.places, name="places"),
    path("submitted/", public.report_submitted, name="report_submitted"),
    path("track/<str:token>/", public.track, name="track"),
    path("track/<str:token>/withdraw/", public.track_withdraw, name="track_withdraw"),
    path("support/<str:reference>/", public.support, name="support"),
    # following reports: signed links (status emails), look-up, supporters' unsubscribe, "My reports"
    path("follow/<str:signed>/", follow.track_link, name="track_link"),
    path("follow/<str:signed>/withdraw/", follow.track_link_withdraw, name="track_link_withdraw"),
    path("find/", follow.lookup, name="lookup"),
    path("unsubscribe/<str:signed>/", follow.unsubscribe, name="unsubscribe"),
    path("mine/", follow.my_reports, name="my_reports"),
    path("mine/claim/", follow.my_reports_claim, name="my_reports_claim"),
    # area alerts (issue 14): subscribe, confirm, one-click unsubscribe, "my alerts" by a signed link, feeds
    path("alerts/", alerts.subscribe, name="alerts_subscribe"),
    path("alerts/sent/", alerts.sent, name="alerts_sent"),
    path("alerts/confirm/<str:token>/", alerts.confirm, name="alert_confirm"),
    path("alerts/unsubscribe/<str:token>/", alerts.unsubscribe, name="alert_unsubscribe"),
    path("alerts/mine/<str:signed>/", alerts.manage, name="alerts_manage"),
    path("alerts/mine/<str:signed>/<int:pk>/", alerts.manage_change, name="alerts_change"),
    path("alerts/stop/<str:signed>/", alerts.stop_digest, name="alerts_stop_digest"),
    path("feeds/district/<int:pk>.atom", alert_feeds.DistrictFeed(), name="feed_district"),
    path("feeds/municipality/<int:pk>.atom", alert_feeds.MunicipalityFeed(), name="feed_municipality"),
    path("feeds/around.atom", alert_feeds.AroundFeed(), name="feed_around"),
    # the public map and statistics
    path("map/", public_map.map_page, name="map"),
    path("map.geojson", public_map.map_geojson, name="map_geojson"),
    path("stats/", public_map.stats, name="stats"),
    path("stats.csv", public_map.stats_csv, name="stats_csv"),
    # police and partner bodies
    path("staff/", staff.queue, name="staff_queue"),
    path("staff/warnings/", alerts.staff_warnings, name="staff_warnings"),
    path("staff/take-up/", staff.bulk_take_up, name="staff_bulk_take_up"),
    path("staff/<int:pk>/", staff.report_detail, name="staff_report"),
    path("staff/<int:pk>/act/", staff.report_act, name="staff_report_act"),
    path("staff/attachments/<int:pk>/", staff.attachment, name="staff_attachment"),
    path("staff/dashboard/", staff.dashboard, name="staff_dashboard"),
    path("staff/export.csv", staff.export_csv, name="staff_export_csv"),
    path("staff/export.geojson", staff.export_geojson, name="staff_export_geojson"),
]
