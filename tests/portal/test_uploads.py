"""Uploads cannot tie up a worker (issue 12, items 2 and 10): a request body over MAX_REQUEST_BODY is refused
with a 413 page before it is read; every file's type and declared size are checked from its header before any
file is decoded, and a photo that would take too much memory to decode is refused by name; a file is stored
under the extension of its verified type, never the one it was uploaded with (portal/uploads.py,
portal/middleware.py)."""

import io
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from incidents.models import Attachment, Report
from portal import uploads
from tests.incidents.citizen_helpers import (  # noqa: F401  (citizen_fixture: the fixture "citizen")
    citizen_fixture,
    form_data,
    jpeg,
    post,
    upload,
)

ROOT = Path(__file__).resolve().parents[2]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    """The sanitiser's messages are read in English, whatever language an earlier test left active (the pages
    below choose theirs from the visitor's cookie)."""
    with translation.override("en"):
        yield


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_of_zeros(width: int, height: int, *, bit_depth: int = 16, colour_type: int = 6) -> bytes:
    """A valid PNG of black transparent pixels (16-bit RGBA by default). Its pixel data is all zeros, so it
    deflates about 1000:1: a 6 300 × 6 300 one is 314 KB on disk and 317 MB decoded. The zlib stream is
    built from one compressed megabyte repeated (each ends with a full flush, which resets the compressor),
    so making it takes milliseconds instead of deflating 317 MB."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    raw_length = (width * channels * bit_depth // 8 + 1) * height  # each scanline starts with its filter
    block = 1 << 20
    repeated, rest = divmod(raw_length, block)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    full_block = compressor.compress(bytes(block)) + compressor.flush(zlib.Z_FULL_FLUSH)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = compressor.compress(bytes(rest)) + compressor.flush()
    adler32 = (raw_length % 65521) << 16 | 1  # of raw_length zero bytes
    stream = b"\x78\xda" + full_block * repeated + last + struct.pack(">I", adler32)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", stream) + _chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def png_bomb() -> bytes:
    """The PNG of the issue: under the 40 Mpx cap, 16-bit RGBA, 317 MB decoded."""
    data = png_of_zeros(6300, 6300)
    assert len(data) < 320_000
    return data


def test_the_test_png_is_a_real_png():
    """The builder makes PNGs Pillow decodes, so the refusals below are not of a broken file."""
    with Image.open(io.BytesIO(png_of_zeros(64, 48))) as image:
        image.load()
        assert image.size == (64, 48) and image.getextrema()[3] == (0, 0)


# --- the sanitiser ----------------------------------------------------------------------------------------


def test_a_16_bit_png_bomb_is_refused_from_its_header_in_under_100_ms(png_bomb):
    # A worker loads the translation catalogue and Pillow's plugins once, not per request
    translation.gettext("Home page")
    Image.preinit()
    started = time.perf_counter()
    with pytest.raises(uploads.UnacceptableFile) as refused:
        uploads.clean_documents_or_photos([("noc.png", png_bomb)])
    elapsed = time.perf_counter() - started
    assert elapsed < 0.1, f"{elapsed * 1000:.0f} ms"
    assert refused.value.message == (
        "“noc.png” is too large a picture for us to accept (6300 × 6300 pixels). Please send a smaller photo."
    )


def test_a_16_bit_png_bomb_is_refused_in_under_50_mb_of_memory(png_bomb, tmp_path):
    """Measured in a fresh interpreter, whose peak is not some earlier test's: the Python allocations
    (tracemalloc's peak) and the growth of the process's peak resident size, which also counts Pillow's pixel
    buffers (tracemalloc does not see them)."""
    bomb = tmp_path / "noc.png"
    bomb.write_bytes(png_bomb)
    script = textwrap.dedent(
        """
        import resource, sys, tracemalloc
        from django.conf import settings
        settings.configure(USE_I18N=False)
        from portal import uploads
        data = open(sys.argv[1], "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        try:
            uploads.clean_documents_or_photos([("noc.png", data), ("plan.svg", b"<svg/>")])
        except uploads.UnacceptableFile as refused:
            assert refused.name == "noc.png", refused.name
        else:
            raise SystemExit("accepted")
        python_peak = tracemalloc.get_traced_memory()[1]
        print(python_peak // 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(bomb)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    python_peak_kb, process_grown_kb = map(int, done.stdout.split()[-2:])
    assert python_peak_kb < 50 * 1024, f"Python allocations: {python_peak_kb / 1024:.0f} MB"
    assert process_grown_kb < 50 * 1024, f"process grown by {process_grown_kb / 1024:.0f} MB"


def test_every_file_is_checked_before_any_is_decoded(png_bomb):
    """A PNG whose header is fine but whose pixels are broken only fails when decoded; listed first, it is
    still not what the refusal names: the SVG after it is refused from its first bytes before any decoding,
    and so is the bomb."""
    header_only = png_of_zeros(64, 48, bit_depth=8, colour_type=2)
    broken = header_only.replace(b"IDAT", b"IDAT\xff\xff\xff\xff", 1)
    with pytest.raises(uploads.UnacceptableFile) as refused:
        uploads.clean_document_or_photo("broken.png", broken)
    assert refused.value.name == "broken.png" and not refused.value.message  # refused when decoded
    for second, message in (("plan.svg", SVG), ("noc.png", png_bomb)):
        with pytest.raises(uploads.UnacceptableFile) as refused:
            uploads.clean_documents_or_photos([("broken.png", broken), (second, message)])
        assert refused.value.name == second


@pytest.mark.parametrize(
    "size, mode, bit_depth",
    [
        ((4100, 4100), "RGB", 8),  # 16.8 Mpx at 4 bytes a pixel: 67 MB
        ((3000, 3000), "RGBA", 16),  # 9 Mpx, but 8 bytes a pixel in the file: 72 MB
    ],
)
def test_photos_are_capped_by_decoded_bytes_not_only_by_pixels(size, mode, bit_depth):
    colour_type = {"RGB": 2, "RGBA": 6}[mode]
    data = png_of_zeros(*size, bit_depth=bit_depth, colour_type=colour_type)
    assert size[0] * size[1] < uploads.MAX_IMAGE_PIXELS
    with pytest.raises(uploads.UnacceptableFile) as refused:
        uploads.check_document_or_photo("big.png", data)
    assert "is too large a picture" in refused.value.message


def test_a_large_jpeg_photo_is_decoded_at_a_reduced_scale_and_kept():
    """4 800 × 3 600 would take 69 MB at full size; libjpeg decodes it at half size (17 MB) instead."""
    photo = io.BytesIO()
    Image.new("RGB", (4800, 3600), (20, 90, 160)).save(photo, format="JPEG")
    name, content, content_type = uploads.clean_document_or_photo("IMG_2001.JPG", photo.getvalue())
    assert (name, content_type) == ("IMG_2001.jpg", "image/jpeg")
    with Image.open(io.BytesIO(content)) as image:
        assert image.size == (2400, 1800)


@pytest.mark.parametrize("name", ["plan.svg", "plan.png", "plan"])
def test_svg_is_refused_whatever_its_name(name):
    with pytest.raises(uploads.UnacceptableFile) as refused:
        uploads.clean_document_or_photo(name, SVG)
    assert refused.value.name == name and not refused.value.message


@pytest.mark.parametrize(
    "uploaded, stored",
    [("x.html", "x.pdf"), ("dopis.PDF", "dopis.pdf"), ("scan", "scan.pdf"), ("a.b.svg", "a.b.pdf")],
)
def test_a_pdf_is_named_by_its_verified_type_not_by_its_uploaded_name(uploaded, stored):
    assert uploads.clean_document_or_photo(uploaded, PDF) == (stored, PDF, "application/pdf")


# --- through the citizen's report form ---------------------------------------------------------------------


@pytest.mark.django_db
def test_report_form_refuses_the_png_bomb_with_an_svg_naming_the_photo(client, citizen, png_bomb):
    data = form_data(client)
    data["attachments"] = [upload("noc.png", png_bomb, "image/png"), upload("plan.svg", SVG, "image/svg+xml")]
    response = post(client, data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["attachments"])
    assert "“noc.png” is too large a picture for us to accept (6300 × 6300 pixels)." in errors
    assert not Report.objects.exists() and not Attachment.objects.exists()


@pytest.mark.django_db
def test_report_form_refuses_an_svg_by_name(client, citizen):
    data = form_data(client)
    data["attachments"] = [upload("photo.jpg", jpeg()), upload("plan.svg", SVG, "image/svg+xml")]
    errors = " ".join(post(client, data).context["form"].errors["attachments"])
    assert "“plan.svg” is not a photo (JPEG, PNG) or a PDF document we can accept." in errors
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_fake_pdf_uploaded_as_html_is_stored_as_pdf(client, citizen):
    data = form_data(client)
    data["attachments"] = [upload("x.html", PDF + b"<script>alert(1)</script>", "text/html")]
    assert post(client, data).status_code == 302
    stored = Attachment.objects.get()
    assert stored.content_type == "application/pdf" and stored.original_name == "x.pdf"
    assert stored.file.name.endswith(".pdf"), stored.file.name


# --- the request body cap -------------------------------------------------------------------------------


class UnreadableBody:
    """A request body the test fails on if anything reads it."""

    def read(self, *args):
        raise AssertionError("the request body was read")

    readline = read


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["cs", "en"])
def test_a_60_mb_body_is_refused_with_413_before_it_is_read(client, language):
    client.cookies["django_language"] = language
    response = client.generic(
        "POST",
        "/reports/new/",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html and 'class="site-header"' in html  # the site's layout
    assert {"cs": "větší než 12,0\xa0MB", "en": "larger than 12.0\xa0MB"}[
        language
    ] in html and 'href="/reports/new/"' in html
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_cap_is_the_setting_and_counts_the_files(client, citizen, settings):
    data = form_data(client)
    photo = io.BytesIO()
    Image.effect_noise((200, 150), 60).convert("RGB").save(photo, format="JPEG")  # noise: 10 KB or so
    settings.MAX_REQUEST_BODY = 4096
    response = post(client, {**data, "attachments": [upload("photo.jpg", photo.getvalue())]})
    assert response.status_code == 413 and "larger than 4.0\xa0KB" in response.content.decode()
    settings.MAX_REQUEST_BODY = 12 * 1024 * 1024
    assert post(client, {**data, "attachments": [upload("photo.jpg", photo.getvalue())]}).status_code == 302


@pytest.mark.django_db
def test_a_body_without_content_length_is_never_read(client, citizen):
    """A chunked body comes without Content-Length; Django then reads none of it (its LimitedStream stops
    at 0), so the cap cannot be passed that way: the form is shown again as if nothing was sent."""
    response = client.generic(
        "POST",
        "/reports/new/",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": UnreadableBody()},
    )
    assert "CONTENT_LENGTH" not in response.wsgi_request.META
    assert response.status_code == 200 and not Report.objects.exists()
