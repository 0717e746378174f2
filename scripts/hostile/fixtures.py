"""Django side of the hostile run: the project's URL patterns with real ids, tokens and slugs from the demo
data, two Open311 keys and the cross-unit objects the access matrix checks. Prints one JSON document.

Run with the run's environment (DATABASE_URL, SECRET_KEY…): ``python scripts/hostile/fixtures.py``."""

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402
from django.utils import timezone  # noqa: E402

from audits.models import Wave  # noqa: E402
from incidents.models import Attachment, Category, District, Report  # noqa: E402
from incidents.open311.services import api_key_create  # noqa: E402
from incidents.services import report_submit  # noqa: E402
from projects.models import Call, Meeting, Programme, Proposal, ProposalAttachment  # noqa: E402
from workshops import models as wm  # noqa: E402

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def first(qs, attr="pk"):
    obj = qs.order_by("pk").first()
    return str(getattr(obj, attr)) if obj is not None else None


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.name or ""


def main() -> None:
    district = District.objects.order_by("pk").first()
    category = Category.objects.filter(active=True, public=True).order_by("pk").first()
    # A fresh report whose tracking token we know (only hashes are stored)
    report, track_token = report_submit(
        category=category,
        point=district.area.point_on_surface,
        description="hostile fixture",
        ip="192.0.2.250",
    )
    registration = wm.Registration.objects.order_by("pk").first()
    reg_token = wm.registration_token(registration.cancel_nonce) if registration else "x" * 40
    proposal = Proposal.objects.order_by("pk").first()
    attachment = ProposalAttachment.objects.order_by("pk").first()
    output_kind, output_pk = "good-practice", first(wm.GoodPractice.objects)
    values = {
        "report": str(Report.objects.exclude(pk=report.pk).order_by("pk").first().pk),
        "reference": report.reference,
        "token": track_token,
        "service_request_id": report.reference,
        "service_code": category.code,
        "fmt": "json",
        "open311_format:fmt": "json",
        "str:fmt": "csv",
        "open311_any:path": "v2/nothing.json",
        "wave": first(Wave.objects.filter(status="open")) or first(Wave.objects),
        "number": "1",
        "workshop": first(wm.Workshop.objects),
        "registration": first(wm.Registration.objects),
        "reg_token": reg_token,
        "offer": first(wm.PresentationOffer.objects),
        "initiative": first(wm.Initiative.objects, "code"),
        "publication": first(wm.Publication.objects),
        "good_practice": first(wm.GoodPractice.objects),
        "recommendation": first(wm.Recommendation.objects),
        "programme": first(Programme.objects, "slug"),
        "call": first(Call.objects.filter(opens_at__lte=timezone.now(), closes_at__gte=timezone.now()))
        or first(Call.objects),
        "proposal": str(attachment.proposal_id if attachment else proposal.pk),
        "attachment_pk": str(attachment.pk) if attachment else "1",
        "meeting": first(Meeting.objects),
        "staff_attachment": first(Attachment.objects),
        "kind": output_kind,
        "output": output_pk,
    }
    paths = []
    for route, name in walk(get_resolver().url_patterns):
        if route.startswith("admin/") and PARAM.search(route):
            continue  # the admin's object pages: its index and lists below are enough
        path = route.replace("^", "").replace("$", "")
        if "(?P<key>" in path or "(?P<uidb36>" in path:
            path = PARAM.sub("0-x", path) if "uidb36" in path else PARAM.sub("nokey", path)
            paths.append({"path": "/" + path, "name": name})
            continue
        missing = False

        def fill(match, route=route):
            nonlocal missing
            conv, param = match.group(1), match.group(2)
            key = {
                ("reports/", "pk"): "staff_attachment" if "attachments" in route else "report",
                ("surveys/", "pk"): "wave",
                ("grants/", "pk"): "meeting"
                if "meetings" in route
                else ("call" if "calls" in route else "proposal"),
                ("grants/", "slug"): "programme",
                ("workshops/", "code"): "initiative",
                ("workshops/", "token"): "reg_token",
                ("workshops/", "kind"): "kind",
            }
            for (prefix, p), found in key.items():
                if route.startswith(prefix) and param == p:
                    value = found
                    break
            else:
                value = None
            if route.startswith("workshops/") and param == "pk":
                value = next(
                    (
                        k
                        for k in ("publication", "registration", "offer", "good_practice", "recommendation")
                        if f"/{k.replace('_', '-')}/" in route
                    ),
                    "output" if "/output/" in route else "workshop",
                )
            if value is None:
                value = f"{conv}:{param}" if f"{conv}:{param}" in values else param
            result = values.get(value)
            if result is None:
                missing = True
                return "0"
            return result

        path = PARAM.sub(fill, path)
        paths.append({"path": "/" + path, "name": name, "unfilled": missing})

    # Cross-unit objects: a report of a police unit other than the officer's, a proposal of another town.
    users = {
        u.email.split("@")[0]: u for u in get_user_model().objects.filter(email__endswith="@demo.okrsek.cz")
    }
    officer = users["officer"]
    unit = getattr(officer.profile, "police_unit", None) if hasattr(officer, "profile") else None
    cross = []
    if unit is not None:
        other = Report.objects.exclude(police_unit=unit).order_by("pk").first()
        if other:
            cross.append(
                {
                    "path": f"/reports/staff/{other.pk}/",
                    "roles": ["officer", "coordinator", "partner"],
                    "why": f"report of unit {other.police_unit_id}, officer's unit {unit.pk}",
                }
            )
    staff = users["staff"]
    town = getattr(staff.profile, "municipality", None) if hasattr(staff, "profile") else None
    if town is not None:
        other = Proposal.objects.exclude(municipality=town).exclude(status="draft").order_by("pk").first()
        draft = Proposal.objects.exclude(municipality=town).filter(status="draft").order_by("pk").first()
        for p in (other, draft):
            if p:
                cross.append(
                    {
                        "path": f"/grants/proposals/{p.pk}/edit/",
                        "roles": ["staff"],
                        "why": f"proposal of town {p.municipality_id}, staff's town {town.pk}",
                    }
                )
        if draft:
            cross.append(
                {
                    "path": f"/grants/proposals/{draft.pk}/",
                    "roles": ["staff", "commission"],
                    "why": f"draft proposal of town {draft.municipality_id}",
                }
            )
    _, key = api_key_create(name="hostile", rate_limit_per_hour=100000)
    _, staff_key = api_key_create(name="hostile-staff", staff=True, rate_limit_per_hour=100000)
    json.dump(
        {
            "paths": paths,
            "cross": cross,
            "open311_key": key,
            "open311_staff_key": staff_key,
            "category": category.code,
            "categories": list(Category.objects.filter(active=True).values_list("code", flat=True)),
            "point": [district.area.point_on_surface.y, district.area.point_on_surface.x],
            "wave": values["wave"],
            "workshop": values["workshop"],
            "initiative": values["initiative"],
            "call": values["call"],
        },
        sys.stdout,
        indent=1,
    )


if __name__ == "__main__":
    main()
