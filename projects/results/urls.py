"""URLs of the project results, included by ``projects/urls.py`` (names in the ``projects`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("programme/<slug:slug>/results/", views.programme_results, name="programme_results"),
    path("programme/<slug:slug>/results.csv", views.programme_results_csv, name="programme_results_csv"),
    path("results/<int:pk>/", views.project, name="result"),
    path("results/<int:pk>/start/", views.start, name="result_start"),
    path("results/<int:pk>/edit/", views.edit, name="result_edit"),
    path("results/<int:pk>/milestones/", views.milestone, name="result_milestone"),
    path(
        "results/<int:pk>/milestones/<int:milestone_pk>/delete/",
        views.milestone_delete,
        name="result_milestone_delete",
    ),
    path("results/<int:pk>/publish/", views.publish, name="result_publish"),
    path("results/<int:pk>/emmie/", views.emmie, name="result_emmie"),
    path("results/<int:pk>/photos/<int:photo_pk>/", views.photo, name="result_photo"),
]
