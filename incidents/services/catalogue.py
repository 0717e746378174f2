"""Writes of the incidents app's reference data and files: categories, districts, attachment thumbnails."""

from django.contrib.gis.geos import MultiPolygon
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q

from portal.services import row_upsert
from portal.uploads import PDF, photo_thumbnail

from .. import selectors
from ..models import Attachment, Category, District

# --- categories -----------------------------------------------------------------------------------------


@transaction.atomic
def category_upsert(*, code: str, **fields) -> tuple[Category, bool]:
    """Create the category ``code`` or update its fields. Returns (category, created)."""
    return row_upsert(Category, lookup={"code": code}, fields=fields)


# --- districts ------------------------------------------------------------------------------------------


@transaction.atomic
def district_upsert(
    *, code: str, name: str, area: MultiPolygon, police_unit, municipality=None
) -> tuple[District, bool]:
    """Create or update the district ``code`` (imports are idempotent by code)."""
    fields = {"name": name, "area": area, "police_unit": police_unit}
    if municipality is not None:
        fields["municipality"] = municipality
    result = row_upsert(District, lookup={"code": code}, fields=fields)
    cache.delete(selectors.report_area_cache_key())  # the report form's choice of towns and districts
    return result


# --- attachments ----------------------------------------------------------------------------------------


def attachment_thumbnail_ensure(*, attachment: Attachment) -> bool:
    """Make the small JPEG of a photo stored before thumbnails were made at upload. True when the attachment
    has a thumbnail now. A PDF, a missing or unreadable file has none; two requests at once may both make
    one, the last one written is kept (the other file is removed)."""
    if attachment.thumbnail:
        return True
    if attachment.content_type == PDF:
        return False
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return False
    thumbnail = photo_thumbnail(data)
    if thumbnail is None:
        return False
    attachment.thumbnail.save("thumb.jpg", ContentFile(thumbnail), save=False)
    missing = Q(thumbnail__isnull=True) | Q(thumbnail="")
    if Attachment.objects.filter(missing, pk=attachment.pk).update(thumbnail=attachment.thumbnail.name) != 1:
        attachment.thumbnail.delete(save=False)  # another request made it first
        attachment.refresh_from_db(fields=["thumbnail"])
    return bool(attachment.thumbnail)
