from django.urls import path

from .views import audit_public, audit_staff, fieldwork, public, staff

app_name = "audits"

urlpatterns = [
    path("", public.index, name="index"),
    path("<int:pk>/", public.start, name="start"),
    path("<int:pk>/code/", public.start, name="code"),
    path("<int:pk>/district/", public.district, name="district"),
    path("<int:pk>/answer/", public.answer, name="answer"),
    path("<int:pk>/review/", public.review, name="review"),
    path("<int:pk>/done/", public.done, name="done"),
    path("<int:pk>/next/", public.forget_device, name="next_interview"),
    path("<int:pk>/results/", public.results, name="results"),
    path("<int:pk>/results.<str:fmt>", public.results_export, name="results_export"),
    path("manage/", staff.manage, name="manage"),
    path("manage/<int:pk>/", staff.wave_detail, name="wave"),
    path("manage/<int:pk>/do/<slug:action>/", staff.wave_action, name="wave_action"),
    path("manage/<int:pk>/letters/<int:number>.pdf", staff.letters, name="letters"),
    path("manage/<int:pk>/answers.csv", staff.raw_answers, name="raw_answers"),
    path("interviews/", staff.interviews, name="interviews"),
    path("interviews/<int:pk>/start/", staff.interview_start, name="interview_start"),
    path("audits/", audit_staff.audit_list, name="audits"),
    path("audits/<int:pk>/", audit_staff.audit_detail, name="audit"),
    path("audits/<int:pk>/do/<slug:action>/", audit_staff.audit_action, name="audit_action"),
    path("audits/<int:pk>/members/<int:member_pk>/remove/", audit_staff.member_remove, name="member_remove"),
    path("audits/<int:pk>/actions/<int:action_pk>/status/", audit_staff.action_status, name="action_status"),
    path("audits/<int:pk>/evidence/", audit_staff.evidence, name="evidence"),
    path("audits/<int:pk>/report/", audit_staff.report_request, name="report_request"),
    path("audits/<int:pk>/report/<int:report_pk>.pdf", audit_staff.report_download, name="report_download"),
    path("audits/<int:pk>/fieldwork/", fieldwork.fieldwork, name="fieldwork"),
    path("audits/<int:pk>/walks/<int:walk_pk>/", fieldwork.walk, name="walk"),
    path(
        "audits/<int:pk>/walks/<int:walk_pk>/stops/<int:stop_pk>/photo/",
        fieldwork.walk_photo,
        name="walk_photo",
    ),
    path("audits/<int:pk>/photos/<int:photo_pk>/", fieldwork.photo, name="photo"),
    path("audits/<int:pk>/notes/", fieldwork.notes, name="notes"),
    path("audits/<int:pk>/members/<int:member_pk>/account/", fieldwork.member_link, name="member_link"),
    path("audits/<int:pk>/consultation/set/", fieldwork.consultation_set, name="consultation_set"),
    path("audits/<int:pk>/comments/<int:comment_pk>/", fieldwork.comment_moderate, name="comment_moderate"),
    path("audits/<int:pk>/consultation/", fieldwork.consultation, name="consultation"),
    path("audits/town/<int:pk>/", audit_public.town, name="town_audits"),
    path("audits/<int:pk>/summary/", audit_public.summary, name="audit_summary"),
    path("audits/<int:pk>/summary/<int:report_pk>.pdf", audit_public.pdf, name="audit_pdf"),
]
