from django.urls import path

from .views import public, staff

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
]
