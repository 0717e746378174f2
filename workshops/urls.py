from django.urls import path

from .views import manage, public

app_name = "workshops"
urlpatterns = [
    # everybody
    path("", public.index, name="index"),
    path("<int:pk>/", public.workshop, name="workshop"),
    path("<int:pk>/register/", public.register, name="register"),
    path("registration/<str:token>/", public.registration, name="registration"),
    path("registration/<str:token>/calendar.ics", public.registration_ics, name="registration_ics"),
    path("offer/", public.offer_new, name="offer_new"),
    path("offer/<int:pk>/", public.offer_edit, name="offer_edit"),
    path("offer/<int:pk>/withdraw/", public.offer_withdraw, name="offer_withdraw"),
    path("my/", public.my, name="my"),
    path("i/<slug:code>/nomination/", public.nomination, name="nomination"),
    path("i/<slug:code>/publication.pdf", public.publication_latest, name="publication_latest"),
    # organisers
    path("manage/i/<slug:code>/", manage.initiative, name="manage_initiative"),
    path("manage/i/<slug:code>/nominations/", manage.nominations, name="manage_nominations"),
    path("manage/i/<slug:code>/publication/", manage.publication, name="publication_manage"),
    path("manage/i/<slug:code>/publication/preview/", manage.publication_preview, name="publication_preview"),
    path("manage/publication/<int:pk>/status.json", manage.publication_status, name="publication_status"),
    path("manage/publication/<int:pk>/download/", manage.publication_download, name="publication_download"),
    path("manage/publication/<int:pk>/publish/", manage.publication_publish, name="publication_publish"),
    path("manage/publication/<int:pk>/retry/", manage.publication_retry, name="publication_retry"),
    path("manage/w/<int:pk>/", manage.registrations, name="manage_registrations"),
    path("manage/w/<int:pk>/edit/", manage.workshop_edit, name="manage_workshop_edit"),
    path("manage/w/<int:pk>/register/", manage.register_someone, name="manage_register"),
    path("manage/w/<int:pk>/check-in/", manage.check_in, name="manage_check_in"),
    path("manage/w/<int:pk>/attendance.pdf", manage.attendance_sheet, name="manage_attendance_sheet"),
    path("manage/w/<int:pk>/message/", manage.message, name="manage_message"),
    path("manage/w/<int:pk>/offers/", manage.offers, name="manage_offers"),
    path("manage/w/<int:pk>/outputs/", manage.outputs, name="manage_outputs"),
    path(
        "manage/registration/<int:pk>/cancel/", manage.registration_cancel, name="manage_registration_cancel"
    ),
    path(
        "manage/registration/<int:pk>/check-in/",
        manage.registration_check_in,
        name="manage_registration_check_in",
    ),
    path("manage/offer/<int:pk>/decide/", manage.offer_decide, name="manage_offer_decide"),
    path("manage/good-practice/<int:pk>/", manage.good_practice_edit, name="manage_good_practice"),
    path("manage/recommendation/<int:pk>/", manage.recommendation_edit, name="manage_recommendation"),
    path("manage/output/<str:kind>/<int:pk>/delete/", manage.output_delete, name="manage_output_delete"),
]
