"""The second step of a destructive action (cancel, withdraw), without any script.

The first POST (or a link) only shows a question with "Yes, …" and "No, …"; the view acts only when the POST
carries ``confirm=1``, which only the confirmation page's form sends. The services are unchanged: the step
lives in the views.
"""

from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed(request: HttpRequest) -> bool:
    """Whether this POST is the confirmed second step."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


def confirm_page(
    request: HttpRequest,
    *,
    question: str,
    yes: str,
    no: str,
    back: str,
    explanation: str = "",
    action: str = "",
    fields: Iterable[tuple[str, str]] = (),
) -> HttpResponse:
    """The page that asks; posting its form repeats the request with ``fields`` and ``confirm=1``."""
    return render(
        request,
        "portal/confirm.html",
        {
            "question": question,
            "explanation": explanation,
            "yes": yes,
            "no": no,
            "back": back,
            "action": action or request.path,
            "fields": list(fields),
        },
    )
