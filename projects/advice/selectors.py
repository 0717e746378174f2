"""Reads of the advice desk: routing, the resident's links, the staff's queue and question page, the public
FAQ and the figures per group. A constant number of queries per page."""

import hashlib
from collections import defaultdict
from datetime import datetime, timedelta
from statistics import median

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core import signing
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from portal.models import Municipality
from portal.web import absolute_reverse

from .. import selectors as project_selectors
from . import rules as r
from . import search as advice_search
from .models import AnswerTemplate, GroupMember, Question, QuestionMessage, Topic, WorkingGroup
from .workflow import OPEN, QUESTION

LINK_SALT = "projects.advice-link"
STATS_DAYS = 365


# --- the resident's links --------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signer(question: Question) -> signing.Signer:
    return signing.Signer(salt=f"{LINK_SALT}:{question.token_hash}")


def tracking_key(question: Question) -> str:
    """The signed key of the question's tracking page (made again for each email: only the token's hash is
    kept, so the first link, with the token, cannot be sent again)."""
    return _signer(question).sign(question.reference)


def tracking_link(question: Question) -> str:
    return absolute_reverse("projects:advice_track", tracking_key(question))


def tracking_url_for_token(token: str) -> str:
    return absolute_reverse("projects:advice_track", token)


def question_by_key(key: str) -> Question | None:
    """The question a tracking key opens: the token of the first link, or a signed reference."""
    if not key or len(key) > 100:
        return None
    related = ("group", "topic", "municipality", "report")
    if ":" not in key:
        return Question.objects.select_related(*related).filter(token_hash=token_hash(key)).first()
    reference = key.partition(":")[0]
    if not (reference.startswith("P") and reference[1:].isdigit()):
        return None
    question = Question.objects.select_related(*related).filter(pk=int(reference[1:])).first()
    if question is None:
        return None
    try:
        value = _signer(question).unsign(key)
    except signing.BadSignature:
        return None
    return question if value == question.reference else None


def question_filed_with(*, submission_key) -> Question | None:
    return Question.objects.filter(submission_key=submission_key).first() if submission_key else None


def staff_url(question: Question) -> str:
    return absolute_reverse("projects:advice_question", question.pk)


# --- people ---------------------------------------------------------------------------------------------


def group_members_many(*, group_ids) -> dict[int, list]:
    """{group id: [active member users, …]} in one query."""
    result: dict[int, list] = defaultdict(list)
    rows = (
        GroupMember.objects.filter(group_id__in=list(group_ids), user__is_active=True)
        .select_related("user__profile")
        .order_by("group_id", "id")
    )
    for row in rows:
        result[row.group_id].append(row.user)
    return result


def programme_managers() -> QuerySet:
    return project_selectors.programme_managers()


# --- routing --------------------------------------------------------------------------------------------


def default_programme():
    """The programme whose advice desk the public pages show: the first with working groups."""
    from ..models import Programme

    return Programme.objects.filter(working_groups__active=True).distinct().order_by("pk").first()


def topics(programme) -> list[Topic]:
    return list(Topic.objects.filter(programme=programme))


def municipality_at(point: Point) -> Municipality | None:
    return Municipality.objects.filter(boundary__intersects=point).defer("boundary").order_by("pk").first()


def group_for(*, programme, municipality: Municipality | None) -> WorkingGroup | None:
    """The active group serving ``municipality`` (its own town's group, else one that lists it among the
    towns it serves), else the programme's central group. One query."""
    groups = WorkingGroup.objects.filter(programme=programme, active=True)
    if municipality is not None:
        groups = groups.filter(
            Q(municipality=municipality) | Q(towns=municipality) | Q(municipality__isnull=True)
        )
    else:
        groups = groups.filter(municipality__isnull=True)
    found = list(groups.distinct())
    for group in found:
        if municipality is not None and group.municipality_id == municipality.pk:
            return group
    for group in found:
        if not group.is_central:
            return group
    return next(iter(found), None)


def route(*, programme, municipality: Municipality | None = None, point: Point | None = None):
    """(group, municipality) for a question: at a point, the town the point lies in (point-in-polygon);
    outside every member town's group, the central group."""
    if point is not None:
        municipality = municipality_at(point)
    return group_for(programme=programme, municipality=municipality), municipality


def towns_with_groups(programme) -> list[Municipality]:
    """The towns the ask form offers: those with a group of their own or served by one."""
    ids = set(
        WorkingGroup.objects.filter(programme=programme, active=True, municipality__isnull=False).values_list(
            "municipality_id", flat=True
        )
    )
    ids |= set(
        WorkingGroup.towns.through.objects.filter(
            workinggroup__programme=programme, workinggroup__active=True
        ).values_list("municipality_id", flat=True)
    )
    return list(Municipality.objects.filter(pk__in=ids).defer("boundary").order_by("name"))


def towns_extent(programme) -> str:
    """ "min lon,min lat,max lon,max lat" of the towns with a group (the ask form's map), or ""."""
    from django.contrib.gis.db.models import Extent

    ids = [town.pk for town in towns_with_groups(programme)]
    extent = Municipality.objects.filter(pk__in=ids).aggregate(e=Extent("boundary"))["e"] if ids else None
    return ",".join(f"{value:.5f}" for value in extent) if extent else ""


# --- staff ----------------------------------------------------------------------------------------------


def staff_groups(user) -> list[WorkingGroup]:
    """The groups whose queue ``user`` sees: their own; the programme manager every group."""
    qs = WorkingGroup.objects.select_related("municipality").defer("municipality__boundary")
    if r.manager(user):
        return list(qs.order_by("municipality__name", "name"))
    return list(qs.filter(pk__in=r.group_ids(user)).order_by("municipality__name", "name"))


def staff_queue(user, *, group_id: int | None = None, closed: bool = False) -> list[Question]:
    """The questions of the groups ``user`` sees (a group sees only its own), the most urgent first."""
    allowed = {group.pk for group in staff_groups(user)}
    ids = allowed & {group_id} if group_id else allowed
    qs = Question.objects.filter(group_id__in=ids).select_related(
        "group", "topic", "municipality", "assignee"
    )
    qs = qs.defer("municipality__boundary")
    if closed:
        return list(qs.exclude(status__in=OPEN).order_by("-updated_at")[:200])
    return list(qs.filter(status__in=OPEN).order_by("due_at", "created_at")[:500])


def question_for_staff(*, pk: int) -> Question | None:
    return (
        Question.objects.select_related("group", "topic", "municipality", "assignee__profile", "report")
        .defer("municipality__boundary")
        .filter(pk=pk)
        .first()
    )


def may_see(user, question: Question) -> bool:
    return bool(r.member_or_manager(user, question))


def question_page(question: Question, *, user) -> dict:
    """What the staff's question page shows besides the question."""
    messages = list(
        QuestionMessage.objects.filter(question=question)
        .select_related("author__profile")
        .order_by("created_at", "id")
    )
    members = group_members_many(group_ids={question.group_id}).get(question.group_id, [])
    templates = list(
        AnswerTemplate.objects.filter(programme_id=question.programme_id)
        .filter(Q(group__isnull=True) | Q(group_id=question.group_id))
        .filter(Q(topic__isnull=True) | Q(topic_id=question.topic_id))
    )
    other_groups = list(
        WorkingGroup.objects.filter(programme_id=question.programme_id, active=True)
        .exclude(pk=question.group_id)
        .order_by("municipality__name", "name")
    )
    return {
        "thread": messages,
        "members": members,
        "templates": templates,
        "other_groups": other_groups,
        "actions": QUESTION.available(question, user),
        "deadline": QUESTION.current_deadline(question),
        "is_member": bool(r.member(user, question)),
    }


# --- the public side ------------------------------------------------------------------------------------


def published(programme) -> QuerySet[Question]:
    return (
        Question.objects.filter(programme=programme, publication=Question.Publication.PUBLISHED)
        .select_related("topic", "municipality", "group")
        .defer("municipality__boundary", "point")
    )


def similar_answers(programme, text: str, *, limit: int = 5) -> list[Question]:
    return advice_search.search(published(programme), text, limit=limit)


def faq(programme, *, town_id: int | None = None, topic_id: int | None = None, query: str = "") -> list:
    qs = published(programme)
    if town_id:
        qs = qs.filter(municipality_id=town_id)
    if topic_id:
        qs = qs.filter(topic_id=topic_id)
    if query.strip():
        return advice_search.search(qs, query, limit=50)
    return list(qs.order_by("-published_at")[:100])


def manage_groups(programme) -> list[WorkingGroup]:
    """The programme manager's page: every group with its members (and their accounts). Three queries."""
    return list(
        WorkingGroup.objects.filter(programme=programme)
        .select_related("municipality")
        .defer("municipality__boundary")
        .prefetch_related(Prefetch("members", queryset=GroupMember.objects.select_related("user__profile")))
        .order_by("municipality__name", "name")
    )


def user_by_email(email: str):
    return get_user_model().objects.filter(email__iexact=(email or "").strip(), is_active=True).first()


def public_groups(programme) -> list[WorkingGroup]:
    """The groups with their topics, towns, safety districts and members' functions (never names or
    contacts). Five queries."""
    groups = list(
        WorkingGroup.objects.filter(programme=programme, active=True)
        .select_related("municipality")
        .defer("municipality__boundary")
        .prefetch_related(
            "topics",
            Prefetch("towns", queryset=Municipality.objects.defer("boundary")),
            Prefetch("members", queryset=GroupMember.objects.only("group_id", "function")),
        )
        .order_by("municipality__name", "name")
    )
    districts = defaultdict(list)
    for row in (
        WorkingGroup.districts.through.objects.filter(workinggroup__in=groups)
        .values("workinggroup_id", "district__name")
        .order_by("district__name")
    ):
        districts[row["workinggroup_id"]].append(row["district__name"])
    for group in groups:
        group.district_names = districts.get(group.pk, [])
    return groups


def group_figures(programme, *, now: datetime | None = None) -> dict[int, dict]:
    """Per group, over the questions answered in the last 12 months: how many, the median time to answer
    (days from asking to the answer, the time waiting for the resident included) and the share answered
    by the deadline (which waiting for the resident moved). One query."""
    now = now or timezone.now()
    rows = Question.objects.filter(
        programme=programme, answered_at__isnull=False, answered_at__gte=now - timedelta(days=STATS_DAYS)
    ).values_list("group_id", "created_at", "answered_at", "answer_due_at")
    per_group: dict[int, list] = defaultdict(list)
    for group_id, created, answered, due in rows:
        per_group[group_id].append((answered - created, due is None or answered <= due))
    figures = {}
    for group_id, items in per_group.items():
        durations = [duration.total_seconds() / 86400 for duration, _on_time in items]
        on_time = sum(1 for _duration, ok in items if ok)
        figures[group_id] = {
            "answered": len(items),
            "median_days": round(median(durations), 1),
            "on_time_percent": round(100 * on_time / len(items)),
        }
    return figures


def asked_today(*, ip_hash: str, now: datetime) -> int:
    return Question.objects.filter(ip_hash=ip_hash, created_at__gte=now - timedelta(hours=24)).count()


def user_model():
    return get_user_model()
