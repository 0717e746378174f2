"""Pages of the advice desk: the resident's (ask, confirmation, tracking; no account), the public FAQ and
the groups' figures, the staff's queue and question page. They parse input and call services/selectors."""

import logging
import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents import selectors as incident_selectors
from portal.web import add_form_errors, error_messages

from . import rules as r
from . import selectors, services
from .forms import AskForm, EmailChangeForm, PublishForm, RatingForm, ReplyForm
from .models import GroupMember, Question
from .workflow import PUBLIC_EVENT_LABELS, QUESTION, TRANSITIONS, S

logger = logging.getLogger(__name__)

NONCE_SALT = "projects.advice-form"
NONCE_MAX_AGE = 7 * 24 * 3600
ASKED_SESSION_KEY = "advice_asked"


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _programme():
    programme = selectors.default_programme()
    if programme is None:
        raise Http404
    return programme


def _nonce_key(nonce: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(hex=signing.loads(nonce, salt=NONCE_SALT, max_age=NONCE_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _new_nonce() -> str:
    return signing.dumps(uuid.UUID(bytes=secrets.token_bytes(16)).hex, salt=NONCE_SALT)


# --- asking ---------------------------------------------------------------------------------------------


def _ask_form(programme, data=None):
    topics, towns = selectors.topics(programme), selectors.towns_with_groups(programme)
    initial = {"nonce": _new_nonce()}
    return AskForm(data, topics=topics, towns=towns, initial=initial)


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    programme = _programme()
    if request.method == "GET":
        return _render_ask(request, programme, _ask_form(programme))
    if request.POST.get("website"):  # the honeypot: a robot; pretend it worked, save nothing
        logger.info("Advice desk honeypot filled in; nothing saved")
        request.session[ASKED_SESSION_KEY] = {"honeypot": True}
        return redirect("projects:advice_asked")
    form = _ask_form(programme, request.POST)
    if not form.is_valid():
        return _render_ask(request, programme, form)
    data = form.cleaned_data
    if not data["similar_seen"]:
        similar = selectors.similar_answers(programme, data["text"])
        if similar:
            post = request.POST.copy()
            post["similar_seen"] = "1"
            form = _ask_form(programme, post)
            form.is_valid()
            return _render_ask(request, programme, form, similar=similar)
    key = _nonce_key(data.get("nonce") or "")
    try:
        question, token = services.question_ask(
            programme=programme,
            topic=data["topic"],
            text=data["text"],
            municipality=data.get("town"),
            point=data.get("point"),
            email=data.get("email") or "",
            publish_allowed=data["publish_allowed"],
            language=get_language() or "cs",
            ip=_client_ip(request),
            submission_key=key,
        )
    except ValidationError as error:
        add_form_errors(form, error, fields={"point": "latitude"})
        return _render_ask(request, programme, form)
    if token is not None:
        request.session[ASKED_SESSION_KEY] = {"token": token}
    return redirect("projects:advice_asked")


def _render_ask(request, programme, form, *, similar=None) -> HttpResponse:
    context = {
        "form": form,
        "similar": similar or [],
        "advice_staff": r.staff(request.user),
        "map_bounds": selectors.towns_extent(programme),
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
    return render(request, "projects/advice/ask.html", context)


@never_cache
@require_GET
def asked(request: HttpRequest) -> HttpResponse:
    """The confirmation: the reference, the private link (shown once) and the email the answer goes to."""
    ticket = request.session.pop(ASKED_SESSION_KEY, None) or {}
    context = {"question": None, "honeypot": bool(ticket.get("honeypot"))}
    if ticket.get("token"):
        question = selectors.question_by_key(ticket["token"])
        if question is not None:
            context.update(
                question=question,
                tracking_url=request.build_absolute_uri(
                    reverse("projects:advice_track", args=[ticket["token"]])
                ),
            )
    response = render(request, "projects/advice/asked.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- tracking -------------------------------------------------------------------------------------------


def _timeline(question: Question) -> list[dict]:
    entries = []
    for message in question.messages.exclude(kind="note").order_by("created_at", "id"):
        transition = TRANSITIONS.get(message.action)
        text = transition.public_label if transition else PUBLIC_EVENT_LABELS.get(message.action)
        if text is None:
            continue
        entries.append({"at": message.created_at, "text": text, "kind": message.kind, "body": message.body})
    return entries


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, key: str) -> HttpResponse:
    question = selectors.question_by_key(key)
    if question is None:
        raise Http404
    reply_form = ReplyForm(prefix="reply")
    email_form = EmailChangeForm(prefix="email", initial={"email": question.email})
    rating_form = RatingForm(prefix="rating")
    if request.method == "POST":
        do = request.POST.get("do")
        if do == "reply":
            reply_form = ReplyForm(request.POST, prefix="reply")
            if reply_form.is_valid() and _attempt(
                request,
                lambda: services.question_resident_reply(
                    question=question, message=reply_form.cleaned_data["message"]
                ),
                reply_form,
            ):
                messages.success(request, _("Thank you. Your reply was sent to the working group."))
                return redirect(request.path)
        elif do == "email":
            email_form = EmailChangeForm(request.POST, prefix="email")
            if email_form.is_valid() and _attempt(
                request,
                lambda: services.question_email_change(
                    question=question, email=email_form.cleaned_data["email"]
                ),
                email_form,
            ):
                messages.success(request, _("Your email address was changed."))
                return redirect(request.path)
        elif do == "rate":
            rating_form = RatingForm(request.POST, prefix="rating")
            if rating_form.is_valid() and _attempt(
                request,
                lambda: services.question_rate(
                    question=question,
                    rating=rating_form.cleaned_data["rating"],
                    comment=rating_form.cleaned_data["comment"],
                ),
                rating_form,
            ):
                messages.success(request, _("Thank you for rating the answer."))
                return redirect(request.path)
    context = {
        "question": question,
        "timeline": _timeline(question),
        "deadline": QUESTION.current_deadline(question),
        "paused": question.status == S.WAITING,
        "reply_form": reply_form,
        "email_form": email_form,
        "rating_form": rating_form,
        "report_link": incident_selectors.tracking_link(question.report) if question.report_id else "",
    }
    response = render(request, "projects/advice/track.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


def _attempt(request, call, form) -> bool:
    try:
        call()
    except ValidationError as error:
        add_form_errors(form, error)
        return False
    return True


# --- the public FAQ and the groups ----------------------------------------------------------------------


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 10 else None


@require_GET
def faq(request: HttpRequest) -> HttpResponse:
    programme = _programme()
    town_id, topic_id = _int(request.GET.get("town")), _int(request.GET.get("topic"))
    query = (request.GET.get("q") or "")[:200]
    figures = selectors.group_figures(programme)
    context = {
        "groups": [
            {"group": group, "figures": figures.get(group.pk)} for group in selectors.public_groups(programme)
        ],
        "answers": selectors.faq(programme, town_id=town_id, topic_id=topic_id, query=query),
        "topics": selectors.topics(programme),
        "towns": selectors.towns_with_groups(programme),
        "town_id": town_id,
        "topic_id": topic_id,
        "query": query,
        "advice_staff": r.staff(request.user),
    }
    return render(request, "projects/advice/faq.html", context)


@require_GET
def answer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = selectors.published(_programme()).filter(pk=pk).first()
    if question is None:
        raise Http404
    return render(request, "projects/advice/answer.html", {"question": question})


@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    programme = _programme()
    figures = selectors.group_figures(programme)
    items = [
        {"group": group, "figures": figures.get(group.pk)} for group in selectors.public_groups(programme)
    ]
    context = {"items": items, "programme": programme, "advice_staff": r.staff(request.user)}
    return render(request, "projects/advice/groups.html", context)


# --- staff ----------------------------------------------------------------------------------------------


def _staff_only(request) -> None:
    if not r.staff(request.user):
        raise PermissionDenied(_("Only members of the advice desk's working groups may open this page."))


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    group_id = _int(request.GET.get("group"))
    closed = request.GET.get("closed") == "1"
    now = timezone.now()
    rows = []
    for question in selectors.staff_queue(request.user, group_id=group_id, closed=closed):
        rows.append({"question": question, "deadline": QUESTION.current_deadline(question, now=now)})
    context = {
        "rows": rows,
        "groups": selectors.staff_groups(request.user),
        "group_id": group_id,
        "closed": closed,
        "is_manager": r.manager(request.user),
    }
    return render(request, "projects/advice/queue.html", context)


def _question_or_404(request, pk: int) -> Question:
    question = selectors.question_for_staff(pk=pk)
    if question is None:
        raise Http404
    if not selectors.may_see(request.user, question):
        raise PermissionDenied(_("This question belongs to another working group."))
    return question


@login_required
@require_GET
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question_or_404(request, pk)
    return _render_question(request, question)


def _render_question(request, question, *, forms_with_errors=None, status=200) -> HttpResponse:
    page = selectors.question_page(question, user=request.user)
    template_id = _int(request.GET.get("template"))
    answer_text = next((t.body for t in page["templates"] if t.pk == template_id), question.answer)
    publish_form = PublishForm(
        initial={
            "published_question": question.published_question or question.text,
            "published_answer": question.published_answer or question.answer,
        }
    )
    context = {
        "question": question,
        **page,
        "answer_text": answer_text,
        "publish_form": publish_form,
        "categories": incident_selectors.categories_active_grouped(),
        "may_publish": page["is_member"]
        and question.publish_allowed
        and question.status in (S.ANSWERED, S.CLOSED),
        "may_approve": page["is_member"]
        and question.publication == Question.Publication.PROPOSED
        and question.publication_proposed_by_id != request.user.pk,
        "may_reassign": question.status in TRANSITIONS["reassign"].sources,
        "may_convert": page["is_member"] and question.status in TRANSITIONS["to_report"].sources,
        **(forms_with_errors or {}),
    }
    return render(request, "projects/advice/question.html", context, status=status)


@login_required
@require_POST
def question_do(request: HttpRequest, pk: int, do: str) -> HttpResponse:
    """Every staff step on a question, each a service; refusals come back as messages on the page."""
    question = _question_or_404(request, pk)
    post = request.POST
    user = request.user
    members = {
        u.pk: u
        for u in selectors.group_members_many(group_ids={question.group_id}).get(question.group_id, [])
    }
    calls = {
        "act": lambda: services.question_transition(
            question=question,
            action=post.get("action", ""),
            actor=user,
            inputs={
                "message": post.get("message", ""),
                "answer": post.get("answer", ""),
                "assignee": members.get(_int(post.get("assignee"))),
            },
            expected_version=_int(post.get("version")),
        ),
        "note": lambda: services.question_note_add(question=question, actor=user, body=post.get("body", "")),
        "reassign": lambda: services.question_reassign(
            question=question,
            actor=user,
            group=next(
                (
                    g
                    for g in selectors.question_page(question, user=user)["other_groups"]
                    if g.pk == _int(post.get("group"))
                ),
                None,
            ),
        ),
        "report": lambda: services.question_to_report(
            question=question,
            actor=user,
            category=incident_selectors.category_by_code(code=post.get("category", ""), active_only=True),
            description=post.get("description", ""),
        ),
        "propose": lambda: services.question_publish_propose(
            question=question,
            actor=user,
            question_text=post.get("published_question", ""),
            answer_text=post.get("published_answer", ""),
        ),
        "approve": lambda: services.question_publish_approve(question=question, actor=user),
        "unpublish": lambda: services.question_unpublish(question=question, actor=user),
    }
    call = calls.get(do)
    if call is None:
        raise Http404
    if (
        do == "report"
        and incident_selectors.category_by_code(code=post.get("category", ""), active_only=True) is None
    ):
        messages.error(request, _("Choose the category of the threat report."))
        return redirect("projects:advice_question", question.pk)
    try:
        call()
    except ValidationError as error:
        for message in error_messages(error):
            messages.error(request, message)
        return redirect("projects:advice_question", question.pk)
    messages.success(request, _("Saved."))
    if do == "reassign" and not r.member_or_manager(user, Question.objects.get(pk=question.pk)):
        return redirect("projects:advice_queue")
    return redirect("projects:advice_question", question.pk)


# --- the programme manager ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    """The working groups' members and deadlines (topics and towns served: in the admin)."""
    if not r.manager(request.user):
        raise PermissionDenied(_("Only the programme manager may manage the working groups."))
    programme = _programme()
    if request.method == "POST":
        groups_by_pk = {g.pk: g for g in selectors.manage_groups(programme)}
        group = groups_by_pk.get(_int(request.POST.get("group")))
        if group is None:
            raise Http404
        do, user = request.POST.get("do"), request.user
        try:
            if do == "add":
                person = selectors.user_by_email(request.POST.get("email", ""))
                if person is None:
                    raise ValidationError(_("Nobody with an account has this email address."))
                services.group_member_set(
                    group=group, user=person, function=request.POST.get("function", ""), actor=user
                )
            elif do == "remove":
                person = next(
                    (m.user for m in group.members.all() if m.user_id == _int(request.POST.get("user"))), None
                )
                if person is not None:
                    services.group_member_remove(group=group, user=person, actor=user)
            elif do == "days":
                services.group_set_days(
                    group=group,
                    actor=user,
                    acknowledge_days=request.POST.get("acknowledge_days"),
                    answer_days=request.POST.get("answer_days"),
                )
            else:
                raise Http404
        except ValidationError as error:
            for message in error_messages(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Saved."))
        return redirect("projects:advice_manage")
    context = {"groups": selectors.manage_groups(programme), "functions": GroupMember.Function.choices}
    return render(request, "projects/advice/manage.html", context)
