"""Shared by every upload of photos and documents: only PDFs and JPEG/PNG photos are kept, and photos are
decoded and re-encoded, which drops EXIF (GPS included) and anything hidden in the file."""

import io
import logging

from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_IMAGE_PIXELS = 40_000_000  # 40 Mpx: any phone photo; refuses decompression bombs
IMAGE_LONG_SIDE = 2560  # re-encoded photos are scaled down to this


class UnacceptableFile(ValueError):
    """Neither a PDF nor a JPEG/PNG photo that can be decoded. Callers turn it into a field error."""


def clean_document_or_photo(name: str, data: bytes) -> tuple[str, bytes, str]:
    """(file name, content, content type) to store for an uploaded file, or UnacceptableFile."""
    if data.startswith(b"%PDF-"):
        return name, data, "application/pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG"):
                raise UnidentifiedImageError(image.format)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise UnidentifiedImageError("too many pixels")
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((IMAGE_LONG_SIDE, IMAGE_LONG_SIDE))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata is dropped
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        logger.info("Refused upload %r: %s", name, exc)
        raise UnacceptableFile(name) from None
    return f"{name.rsplit('.', 1)[0]}.jpg", out.getvalue(), "image/jpeg"
