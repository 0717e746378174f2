"""URLs of the advice desk, included by ``projects.urls`` under ``advice/`` (names ``projects:advice_*``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ask, name="advice_ask"),
    path("asked/", views.asked, name="advice_asked"),
    path("track/<str:key>/", views.track, name="advice_track"),
    path("answers/", views.faq, name="advice_faq"),
    path("answers/<int:pk>/", views.answer_detail, name="advice_answer"),
    path("groups/", views.groups, name="advice_groups"),
    path("staff/", views.queue, name="advice_queue"),
    path("manage/", views.manage, name="advice_manage"),
    path("staff/<int:pk>/", views.question_detail, name="advice_question"),
    path("staff/<int:pk>/<slug:do>/", views.question_do, name="advice_question_do"),
]
