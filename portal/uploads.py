"""Shared by every upload of photos and documents: only PDFs and JPEG/PNG photos are kept, and photos are
decoded and re-encoded, which drops EXIF (GPS included) and anything hidden in the file.

Decoding is the expensive part: a 300 KB PNG can declare 6 300 × 6 300 pixels of 16-bit RGBA, i.e. 317 MB
once decoded. So a request's files are handled in two passes: first every file's type and declared size are
read from its header (magic bytes, then Pillow's lazy ``Image.open``, which reads no pixel data) and the
memory its decoding would take is worked out and capped; only when every file passes is any of them decoded.
A refused request has cost a few header reads, whatever else it carries.

The name a file is stored under comes from its verified type (``.pdf``, ``.jpg``), never from the uploaded
name: an ``x.html`` that starts like a PDF is kept as ``x.pdf``.
"""

import io
import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 40_000_000  # 40 Mpx: any phone photo; refuses decompression bombs
# The memory one photo may take while it is decoded: the pixel buffer (Pillow keeps most modes at 4 bytes a
# pixel), the decoded stream at the file's own bit depth (16-bit PNGs: 8 bytes a pixel of RGBA) or a
# progressive JPEG's coefficients, whichever is largest. A 12 Mpx phone photo takes 48 MB.
MAX_DECODED_BYTES = 64 * 1024 * 1024
IMAGE_LONG_SIDE = 2560  # re-encoded photos are scaled down to this
# A JPEG is decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's scaling, in Pillow's ``draft``) when that still
# leaves a long side of this much: a 40 Mpx photo then takes 40 MB, not 160, and is kept 1920-2560 wide.
DRAFT_LONG_SIDE = 1920

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
# Bytes a pixel takes in Pillow's memory, by mode; every other mode takes 4 (RGB is kept as RGBX).
_PILLOW_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
# Channels of a PNG pixel by its IHDR colour type: grey, RGB, palette, grey + alpha, RGBA.
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PILLOW_ERRORS = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    SyntaxError,
    KeyError,
    IndexError,
    struct.error,
)


class UnacceptableFile(ValueError):
    """A file that is neither a PDF nor a JPEG/PNG photo we can decode, or a photo too large to decode.

    ``message`` (translated, naming the file) is set when the file is of an accepted type but too large;
    when it is empty the type is wrong, and the caller says which types it takes. Callers turn it into a
    field error."""

    def __init__(self, name: str, message: str = ""):
        super().__init__(name)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    """A file whose header passed: its verified type, and for a photo the scale to decode it at."""

    name: str
    data: bytes
    content_type: str
    draft_size: tuple[int, int] | None = None  # JPEG: decode at a reduced scale no smaller than this


def clean_documents_or_photos(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """(file name, content, content type) to store for each uploaded (name, content), in order; or
    UnacceptableFile for the first one refused. Every file's header is checked before any file is
    decoded."""
    checked = [check_document_or_photo(name, data) for name, data in files]
    return [_clean(item) for item in checked]


def clean_document_or_photo(name: str, data: bytes) -> tuple[str, bytes, str]:
    """(file name, content, content type) to store for one uploaded file, or UnacceptableFile."""
    (cleaned,) = clean_documents_or_photos([(name, data)])
    return cleaned


def check_document_or_photo(name: str, data: bytes) -> CheckedFile:
    """The file's real type from its first bytes, and for a photo its declared size and the memory decoding
    it would take, read from the header alone (no pixel is decoded). UnacceptableFile if any is refused."""
    content_type = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if content_type is None:
        logger.info("Refused upload %r: not a PDF, JPEG or PNG (starts %r)", name, data[:8])
        raise UnacceptableFile(name)
    if content_type == PDF:
        return CheckedFile(name, data, PDF)
    if content_type == PNG and data[12:16] != b"IHDR":  # the PNG standard puts it first; we read it below
        logger.info("Refused upload %r: a PNG without its IHDR first", name)
        raise UnacceptableFile(name)
    try:
        with Image.open(io.BytesIO(data), formats=("PNG" if content_type == PNG else "JPEG",)) as image:
            width, height = image.size
            draft_size = _draft_size(width, height) if content_type == JPEG else None
            cost = _decoding_cost(image, data, draft_size)
    except Image.DecompressionBombError:
        width = height = cost = None
    except _PILLOW_ERRORS as exc:
        logger.info("Refused upload %r: unreadable %s header (%s)", name, content_type, exc)
        raise UnacceptableFile(name) from None
    if cost is None or width * height > MAX_IMAGE_PIXELS or cost > MAX_DECODED_BYTES:
        logger.info("Refused upload %r: %sx%s pixels, %s bytes to decode", name, width, height, cost)
        raise UnacceptableFile(name, _too_large_message(name, width, height))
    return CheckedFile(name, data, content_type, draft_size)


def _too_large_message(name: str, width: int | None, height: int | None) -> str:
    if width is None:
        return _("“%(name)s” is too large a picture for us to accept. Please send a smaller photo.") % {
            "name": name
        }
    return _(
        "“%(name)s” is too large a picture for us to accept (%(width)d × %(height)d pixels). Please send a "
        "smaller photo."
    ) % {"name": name, "width": width, "height": height}


def _draft_size(width: int, height: int) -> tuple[int, int]:
    """The least size a JPEG is decoded at: the long side DRAFT_LONG_SIDE, the aspect kept."""
    scale = min(1.0, DRAFT_LONG_SIDE / max(width, height, 1))
    return max(1, int(width * scale)), max(1, int(height * scale))


def _decoding_cost(image: Image.Image, data: bytes, draft_size: tuple[int, int] | None) -> int:
    """Bytes decoding the (still lazy) image would hold at once, from its header. A JPEG is drafted first,
    which only changes the size and mode its header reports."""
    full_pixels = image.width * image.height
    costs = []
    if image.format == "PNG":
        depth, colour = data[24], data[25]  # IHDR: width, height, bit depth, colour type
        bits = _PNG_CHANNELS.get(colour, 4) * max(depth, 8)
        costs.append(full_pixels * bits // 8 + image.height)  # every scanline also has its filter byte
    else:
        if image.info.get("progressive"):
            # A progressive JPEG's coefficients (2 bytes a sample) stay in memory for the whole image,
            # at full size whatever the scale: the chroma channels are subsampled by their factors.
            layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * len(image.getbands())
            h_max, v_max = max(layer[1] for layer in layers), max(layer[2] for layer in layers)
            share = sum(layer[1] * layer[2] for layer in layers) / (h_max * v_max)
            costs.append(int(full_pixels * share * 2))
        if draft_size is not None:
            image.draft(image.mode, draft_size)
    costs.append(image.width * image.height * _PILLOW_BYTES.get(image.mode, 4))
    return max(costs)


def _clean(checked: CheckedFile) -> tuple[str, bytes, str]:
    stem = checked.name.rsplit(".", 1)[0] or "file"
    if checked.content_type == PDF:
        return f"{stem}.pdf", checked.data, PDF
    try:
        with Image.open(io.BytesIO(checked.data), formats=("PNG", "JPEG")) as image:
            if checked.draft_size is not None:
                image.draft(image.mode, checked.draft_size)
            image.load()
            image.thumbnail((IMAGE_LONG_SIDE, IMAGE_LONG_SIDE))  # first: the turns below work on less
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata is dropped
    except (*_PILLOW_ERRORS, Image.DecompressionBombError) as exc:
        logger.info("Refused upload %r: %s", checked.name, exc)
        raise UnacceptableFile(checked.name) from None
    return f"{stem}.jpg", out.getvalue(), JPEG


THUMBNAIL_LONG_SIDE = 320
THUMBNAIL_MAX_BYTES = 30 * 1024
_THUMBNAIL_QUALITIES = (70, 60, 50, 40, 30)


def photo_thumbnail(data: bytes) -> bytes | None:
    """A small JPEG of a photo already cleaned by ``clean_documents_or_photos`` (at most
    THUMBNAIL_LONG_SIDE pixels a side, at most THUMBNAIL_MAX_BYTES: the quality is lowered until it fits), or
    None when the data is no photo we can read."""
    try:
        with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
            image.draft("RGB", (THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE))  # JPEG: decode at 1/2 … 1/8
            image.thumbnail((THUMBNAIL_LONG_SIDE, THUMBNAIL_LONG_SIDE))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            for quality in _THUMBNAIL_QUALITIES:
                out = io.BytesIO()
                image.save(out, format="JPEG", quality=quality, optimize=True)
                if out.tell() <= THUMBNAIL_MAX_BYTES:
                    break
    except (*_PILLOW_ERRORS, Image.DecompressionBombError) as exc:
        logger.info("No thumbnail: %s", exc)
        return None
    return out.getvalue()
