"""The publication: built by a Celery task (eager here) into a versioned A4 PDF with cover, foreword, table of
contents with page numbers, a chapter per theme, participating institutions, running headers; the HTML
preview shows the same content; the shell command does the same."""

import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse

from workshops import services
from workshops.models import GoodPractice, Publication, Recommendation

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def outputs(workshop, organiser, register):
    GoodPractice.objects.create(
        workshop=workshop,
        title="Společné hlídky ve Wrocławi",
        title_en="Joint patrols",
        town="Plzeň",
        description="Strážníci a okrskář: řeď, ďáblík, źdźbło, Łódź.",
        contact="mp@example.org",
    )
    Recommendation.objects.create(
        workshop=workshop,
        addressee="towns",
        priority=1,
        text="Uzavřít koordinační dohodu s policií.",
        text_en="Sign an agreement.",
    )
    register(workshop, "p@example.org", organisation="Městský úřad Domažlice")
    register(workshop, "ola@example.no", organisation="Oslo politidistrikt", kind="partner_country")


def pdf_text(path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _build(client, initiative, language, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workshops:publication_manage", args=[initiative.code]), {"language": language}
        )
    assert response.status_code == 302
    return Publication.objects.filter(language=language).latest("pk")


def test_build_keeps_an_edition_that_downloads_as_a_pdf(
    client, organiser, initiative, outputs, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    edition = _build(client, initiative, "cs", django_capture_on_commit_callbacks)
    assert edition.status == Publication.Status.DONE and edition.progress == 100
    assert edition.edition == 1 and edition.pages >= 5
    status = client.get(reverse("workshops:publication_status", args=[edition.pk])).json()
    assert status["done"] and status["progress"] == 100

    response = client.get(reverse("workshops:publication_download", args=[edition.pk]))
    data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and data.startswith(b"%PDF-")
    path = tmp_path / "edition.pdf"
    path.write_bytes(data)
    pages = pdf_text(path)
    cover, foreword, contents = pages[0], pages[1], pages[2]
    assert "Sdílení dobré praxe" in cover
    assert "žluťoučký kůň úpěl ďábelské ódy" in foreword
    # The table of contents has the page numbers of the chapters
    chapter_page = next(i for i, page in enumerate(pages) if "Společné hlídky ve Wrocławi" in page) + 1
    assert any(
        line.rstrip().endswith(str(chapter_page)) and "Local public order" not in line
        for line in contents.splitlines()
        if "Místní záležitosti" in line
    )
    assert "Łódź" in pages[chapter_page - 1] and "ďáblík" in pages[chapter_page - 1]
    assert f"{chapter_page}/{len(pages) - 1}" in pages[chapter_page - 1].replace(" ", "")  # "4 / 5"
    assert "Oslo politidistrikt" in pages[-2] and "Městský úřad Domažlice" in pages[-2]
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])  # all embedded

    # A second build is a new edition; the first one is kept
    second = _build(client, initiative, "cs", django_capture_on_commit_callbacks)
    assert second.edition == 2 and Publication.objects.filter(status="done").count() == 2


def test_english_edition_uses_the_english_texts(
    client, organiser, initiative, outputs, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    edition = _build(client, initiative, "en", django_capture_on_commit_callbacks)
    path = tmp_path / "en.pdf"
    path.write_bytes(edition.file.read())
    text = "".join(pdf_text(path))
    assert "Sharing good practice" in text and "Joint patrols" in text and "Sign an agreement." in text
    assert "Foreword in English." in text


def test_preview_shows_the_same_content(
    client, organiser, initiative, outputs, django_assert_max_num_queries
):
    client.force_login(organiser)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("workshops:publication_preview", args=[initiative.code])).content.decode()
    for text in [
        "Společné hlídky ve Wrocławi",
        "Uzavřít koordinační dohodu s policií.",
        "Oslo politidistrikt",
        "žluťoučký kůň",
    ]:
        assert text in html


def test_double_click_builds_once(initiative, organiser):
    first, created = services.publication_request(initiative=initiative, language="cs", actor=organiser)
    second, created_again = services.publication_request(
        initiative=initiative, language="cs", actor=organiser
    )
    assert created and not created_again and first == second
    assert services.publication_build(publication_id=first.pk) is True
    assert services.publication_build(publication_id=first.pk) is False  # a duplicate task does nothing


def test_failed_build_is_shown_and_a_new_one_can_start(initiative, organiser, monkeypatch):
    from workshops import publication

    def broken(**kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(publication, "render_pdf", broken)
    edition, _created = services.publication_request(initiative=initiative, language="cs", actor=organiser)
    assert services.publication_build(publication_id=edition.pk) is False
    edition.refresh_from_db()
    assert edition.status == Publication.Status.FAILED and "no fonts" in edition.error
    _again, created = services.publication_request(initiative=initiative, language="cs", actor=organiser)
    assert created


def test_published_edition_is_public(client, organiser, initiative, outputs):
    edition, _created = services.publication_request(initiative=initiative, language="cs", actor=organiser)
    url = reverse("workshops:publication_latest", args=[initiative.code])
    assert client.get(url).status_code == 404
    services.publication_build(publication_id=edition.pk)
    edition.refresh_from_db()
    services.publication_publish(publication=edition, actor=organiser)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert (
        client.get(reverse("workshops:publication_download", args=[edition.pk])).status_code == 302
    )  # login


def test_command_builds_from_the_shell(initiative, outputs, tmp_path):
    target = tmp_path / "out.pdf"
    call_command("build_publication", initiative.code, str(target), verbosity=0)
    assert target.read_bytes().startswith(b"%PDF-")
    assert Publication.objects.get().status == Publication.Status.DONE
    with pytest.raises(Exception, match="No initiative"):
        call_command("build_publication", "nope", str(target))
