"""Writes of the project results: the programme manager (checked here) records where, when and what a
supported project addresses, its control area, milestones with photos and progress, and publishes the effect
panel. Every write is one transaction and one activity-log entry."""

from datetime import date

from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPoint, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.selectors import priorities_of_town
from incidents.selectors.area_counts import districts_for_areas
from portal.services import activity_log
from portal.uploads import PDF, UnacceptableFile, clean_documents_or_photos

from ..models import Proposal
from ..models_results import BUFFER_METRES, RADIUS_METRES, Milestone, MilestonePhoto, ProjectResult
from ..rules import require
from ..workflow import SUPPORTED
from . import geometry

MAX_WKT = 200_000
MAX_POINTS = 50
MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 5 * 1024 * 1024
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 1, 1)


def result_ensure(*, proposal: Proposal, actor) -> ProjectResult:
    """The results record of a supported project, created on first use."""
    require(actor, "projects.manage_results")
    if proposal.status not in SUPPORTED:
        raise ValidationError(_("Only a supported project has results."))
    with transaction.atomic():
        result, created = ProjectResult.objects.get_or_create(
            proposal=proposal,
            defaults={
                "implementation_start": proposal.starts_on,
                "implementation_end": proposal.ends_on,
            },
        )
        if created:
            activity_log(actor=actor, verb="result.create", target=proposal)
    return result


def _points(text: str) -> MultiPoint:
    """ "lat, lon" per line (or ";"-separated) → MultiPoint (lon/lat)."""
    points = []
    for number, line in enumerate(text.replace(";", "\n").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        try:
            lat, lon = (float(part) for part in line.replace(" ", "").split(","))
        except ValueError:
            raise ValidationError(
                {"points": _("Line %(n)s is not “latitude, longitude”.") % {"n": number}}
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(
                {"points": _("Line %(n)s lies outside the Earth's coordinates.") % {"n": number}}
            )
        points.append(Point(lon, lat, srid=4326))
    if not points:
        raise ValidationError({"points": _("Give at least one point.")})
    if len(points) > MAX_POINTS:
        raise ValidationError({"points": _("At most %(n)s points.") % {"n": MAX_POINTS}})
    return MultiPoint(*points, srid=4326)


def _drawn(wkt: str):
    wkt = (wkt or "").strip()
    if not wkt:
        raise ValidationError({"wkt": _("Draw the area on the map or type it as WKT.")})
    if len(wkt) > MAX_WKT:
        raise ValidationError({"wkt": _("The area is too detailed.")})
    try:
        shape = GEOSGeometry(wkt, srid=4326)
    except (GEOSException, ValueError, TypeError):
        raise ValidationError({"wkt": _("This is not a polygon in WKT (longitude latitude).")}) from None
    area = geometry.as_multipolygon(shape)
    if area is None or not area.valid:
        raise ValidationError({"wkt": _("This is not a valid polygon in WKT (longitude latitude).")})
    area.srid = 4326
    minx, miny, maxx, maxy = area.extent
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError({"wkt": _("This is not a polygon in WKT (longitude latitude).")})
    return area


def result_area_set(
    *,
    result: ProjectResult,
    actor,
    kind: str,
    wkt: str = "",
    district_ids=(),
    points: str = "",
    radius_m: int = 200,
    buffer_m: int = 300,
) -> ProjectResult:
    """Set the target area: drawn (WKT, lon/lat), chosen districts, or points ("lat, lon" lines) with a
    radius; and the buffer ring's width."""
    require(actor, "projects.manage_results", result)
    errors = {}
    if not (BUFFER_METRES[0] <= (buffer_m or 0) <= BUFFER_METRES[1]):
        errors["buffer_m"] = _("The buffer ring is %(low)s–%(high)s m wide.") % {
            "low": BUFFER_METRES[0],
            "high": BUFFER_METRES[1],
        }
    if kind == ProjectResult.AreaKind.POINTS and not (
        RADIUS_METRES[0] <= (radius_m or 0) <= RADIUS_METRES[1]
    ):
        errors["radius_m"] = _("The radius is %(low)s–%(high)s m.") % {
            "low": RADIUS_METRES[0],
            "high": RADIUS_METRES[1],
        }
    if errors:
        raise ValidationError(errors)
    districts = []
    multipoint = None
    if kind == ProjectResult.AreaKind.DRAWN:
        area = _drawn(wkt)
    elif kind == ProjectResult.AreaKind.DISTRICTS:
        districts = list(districts_for_areas(ids=district_ids))
        if not districts:
            raise ValidationError({"districts": _("Choose at least one district.")})
        area = geometry.union(d.area for d in districts)
    elif kind == ProjectResult.AreaKind.POINTS:
        multipoint = _points(points)
        area = geometry.circles(multipoint, radius_m)
    else:
        raise ValidationError({"kind": _("Choose how the area is given.")})
    if area is None:
        raise ValidationError(_("The area is empty."))
    if geometry.area_km2(area) > geometry.MAX_AREA_KM2:
        raise ValidationError(
            _("The area is larger than %(km2)s km²: a sub-project acts locally.")
            % {"km2": geometry.MAX_AREA_KM2}
        )
    with transaction.atomic():
        result = ProjectResult.objects.select_for_update().get(pk=result.pk)
        result.area_kind, result.area = kind, area
        result.area_points = multipoint
        if kind == ProjectResult.AreaKind.POINTS:
            result.radius_m = radius_m
        result.buffer_m = buffer_m
        result.updated_at = timezone.now()
        result.full_clean()
        result.save()
        result.area_districts.set(districts)
        activity_log(actor=actor, verb="result.area", target=result.proposal, kind=kind, buffer_m=buffer_m)
    return result


EDITABLE = (
    "theme",
    "regional_project",
    "implementation_start",
    "implementation_end",
    "window_months",
    "target_residents",
    "control_residents",
    "progress",
    "emmie_mechanism",
    "emmie_moderators",
    "emmie_implementation",
    "emmie_cost",
)


UNCHANGED = object()


def result_update(
    *, result: ProjectResult, actor, fields: dict, category_ids=None, priority_id=UNCHANGED
) -> ProjectResult:
    """Dates, window, categories addressed, audit priority, theme, residents, progress, EMMIE. Fields not
    named, ``category_ids`` None and ``priority_id`` not given are left as they are."""
    require(actor, "projects.manage_results", result)
    start, end = fields.get("implementation_start"), fields.get("implementation_end")
    for name, value in (("implementation_start", start), ("implementation_end", end)):
        if value is not None and not (EARLIEST <= value < LATEST):
            raise ValidationError({name: _("Give a date between 2000 and 2099.")})
    if start and end and end < start:
        raise ValidationError({"implementation_end": _("The end cannot come before the start.")})
    priorities = priorities_of_town(municipality=result.proposal.municipality)
    if priority_id not in (UNCHANGED, None, "") and not priorities.filter(pk=priority_id).exists():
        raise ValidationError({"priority": _("Choose a priority of this town's audits.")})
    with transaction.atomic():
        locked = ProjectResult.objects.select_for_update().get(pk=result.pk)
        for name in EDITABLE:
            if name in fields:
                value = fields[name]
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if priority_id is not UNCHANGED:
            locked.priority_id = priority_id or None
        locked.updated_at = timezone.now()
        locked.full_clean()
        locked.save()
        if category_ids is not None:
            locked.categories.set(list(category_ids))
        activity_log(actor=actor, verb="result.update", target=locked.proposal)
    return locked


EMMIE = ("emmie_mechanism", "emmie_moderators", "emmie_implementation", "emmie_cost")


def result_emmie_save(*, result: ProjectResult, actor, fields: dict) -> ProjectResult:
    """The EMMIE part of the final report (mechanism, moderators, implementation, economic cost): written by
    the applicant town (or the programme manager)."""
    if not (
        actor.has_perm("projects.manage_results") or actor.has_perm("projects.edit_proposal", result.proposal)
    ):
        raise PermissionDenied(_("You may not do this with this proposal."))
    errors = {name: _("At most 3 000 characters.") for name in EMMIE if len(fields.get(name) or "") > 3000}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ProjectResult.objects.select_for_update().get(pk=result.pk)
        for name in EMMIE:
            if name in fields:
                setattr(locked, name, (fields[name] or "").strip())
        locked.updated_at = timezone.now()
        locked.full_clean()
        locked.save()
        activity_log(actor=actor, verb="result.emmie", target=locked.proposal)
    return locked


def result_control_set(*, result: ProjectResult, actor, district_ids) -> ProjectResult:
    """The control area: districts chosen by staff (the page suggests candidates). Empty: no control."""
    require(actor, "projects.manage_results", result)
    districts = list(districts_for_areas(ids=district_ids))
    with transaction.atomic():
        locked = ProjectResult.objects.select_for_update().get(pk=result.pk)
        locked.control_districts.set(districts)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])
        activity_log(
            actor=actor, verb="result.control", target=locked.proposal, districts=[d.pk for d in districts]
        )
    return locked


def milestone_add(
    *, result: ProjectResult, actor, on: date, status: str, text: str, photos=(), progress: int | None = None
) -> Milestone:
    """A milestone with up to four photos (JPEG/PNG, re-encoded without EXIF/GPS by ``portal.uploads``);
    optionally the project's progress (%) with it."""
    require(actor, "projects.manage_results", result)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Say what happened.")
    elif len(text) > 1000:
        errors["text"] = _("At most 1 000 characters.")
    if on is None or not (EARLIEST <= on < LATEST):
        errors["on"] = _("Give a date between 2000 and 2099.")
    if status not in Milestone.Status.values:
        errors["status"] = _("Choose a status.")
    if progress is not None and not (0 <= progress <= 100):
        errors["progress"] = _("Progress is 0–100 %.")
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = _("At most %(n)s photos.") % {"n": MAX_PHOTOS}
    elif any(len(data) > MAX_PHOTO_BYTES for _name, data in photos):
        errors["photos"] = _("Each photo may have at most 5 MB.")
    if errors:
        raise ValidationError(errors)
    try:
        cleaned = clean_documents_or_photos(photos)
    except UnacceptableFile as exc:
        raise ValidationError(
            {"photos": exc.message or _("“%(name)s” is not a JPEG or PNG photo.") % {"name": exc.name}}
        ) from None
    if any(content_type == PDF for _n, _d, content_type in cleaned):
        raise ValidationError({"photos": _("Only JPEG or PNG photos.")})
    with transaction.atomic():
        milestone = Milestone(result=result, on=on, status=status, text=text, created_by=actor)
        milestone.full_clean()
        milestone.save()
        for name, data, content_type in cleaned:
            photo = MilestonePhoto(
                milestone=milestone, content_type=content_type, size=len(data), original_name=name[:200]
            )
            photo.file.save(name, ContentFile(data), save=False)
            photo.save()
        if progress is not None:
            ProjectResult.objects.filter(pk=result.pk).update(progress=progress, updated_at=timezone.now())
        activity_log(
            actor=actor,
            verb="result.milestone",
            target=result.proposal,
            milestone=milestone.pk,
            photos=len(cleaned),
        )
    return milestone


def milestone_delete(*, result: ProjectResult, actor, milestone_id: int) -> None:
    """Remove a milestone recorded by mistake, with its photos (files too, once the transaction commits)."""
    require(actor, "projects.manage_results", result)
    with transaction.atomic():
        milestone = Milestone.objects.filter(pk=milestone_id, result=result).first()
        if milestone is None:
            raise ValidationError(_("This milestone no longer exists."))
        files = [photo.file for photo in milestone.photos.all()]
        text = milestone.text[:60]
        milestone.delete()
        activity_log(actor=actor, verb="result.milestone_delete", target=result.proposal, text=text)
        transaction.on_commit(lambda: [f.delete(save=False) for f in files])


def effect_publish(*, result: ProjectResult, actor, publish: bool = True) -> ProjectResult:
    """Publish (or withdraw) the effect panel: until then only staff see the draft."""
    require(actor, "projects.manage_results", result)
    with transaction.atomic():
        locked = ProjectResult.objects.select_for_update().get(pk=result.pk)
        if publish and locked.area is None:
            raise ValidationError(_("Give the project's area first."))
        if publish and locked.implementation_start is None:
            raise ValidationError(_("Give the implementation start first."))
        locked.effect_published_at = timezone.now() if publish else None
        locked.effect_published_by = actor if publish else None
        locked.save(update_fields=["effect_published_at", "effect_published_by"])
        activity_log(
            actor=actor, verb="result.publish" if publish else "result.unpublish", target=locked.proposal
        )
    return locked
