from django.urls import include, path

from .views import commission, manage, proposals, public

app_name = "projects"
urlpatterns = [
    # Public
    path("", public.index, name="index"),
    path("programme/<slug:slug>/", public.programme, name="programme"),
    path("programme/<slug:slug>/members.geojson", public.members_geojson, name="members_geojson"),
    path("programme/<slug:slug>/supported/", public.supported, name="supported"),
    path("programme/<slug:slug>/supported.csv", public.supported_csv, name="supported_csv"),
    path("calls/<int:pk>/", public.call_detail, name="call"),
    # Applicant towns (and everybody allowed to read a proposal)
    path("calls/<int:pk>/propose/", proposals.proposal_start, name="proposal_start"),
    path("my/", proposals.my_proposals, name="my_proposals"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/edit/", proposals.proposal_edit, name="proposal_edit"),
    path("proposals/<int:pk>/submit/", proposals.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/act/", proposals.proposal_act, name="proposal_act"),
    path("proposals/<int:pk>/messages/", proposals.message_post, name="message_post"),
    path("proposals/<int:pk>/attachments/", proposals.attachment_upload, name="attachment_upload"),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/",
        proposals.attachment_download,
        name="attachment",
    ),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/delete/",
        proposals.attachment_delete,
        name="attachment_delete",
    ),
    path("proposals/<int:pk>/final-report/", proposals.final_report, name="final_report"),
    path("proposals/<int:pk>/assign/", proposals.assign, name="assign"),
    # Security Commission
    path("commission/", commission.commission, name="commission"),
    path("proposals/<int:pk>/review/", commission.review, name="review"),
    # Programme manager
    path("manage/", manage.overview, name="manage"),
    path("manage/programme/<slug:slug>/calls/new/", manage.call_edit, name="call_create"),
    path("manage/calls/<int:pk>/", manage.call_manage, name="call_manage"),
    path("manage/calls/<int:pk>/edit/", manage.call_edit, name="call_edit"),
    path("manage/calls/<int:pk>/meetings/new/", manage.meeting_create, name="meeting_create"),
    path("manage/meetings/<int:pk>/", manage.meeting, name="meeting"),
    path("manage/meetings/<int:pk>/recommendations.pdf", manage.meeting_pdf, name="meeting_pdf"),
    path("manage/meetings/<int:pk>/recommendations.csv", manage.meeting_csv, name="meeting_csv"),
    path("proposals/<int:pk>/decision/", manage.decision, name="decision"),
    # The advice desk (poradna): its own package
    path("advice/", include("projects.advice.urls")),
    # Programme results and the measured effect of funded projects
    path("", include("projects.results.urls")),
]
