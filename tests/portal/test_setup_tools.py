"""The set-up installs every program the code and the tests run (scripts/check-system-tools.py): a fresh
machine must not fail on a tool that a developer once installed by hand (it did: pdfinfo)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check-system-tools.py"


def _check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CHECK), *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_every_program_the_code_and_tests_run_is_installed_by_the_makefile():
    result = _check()
    assert result.returncode == 0, result.stdout + result.stderr
    # The ones a fresh machine lacked or might lack are among those found and checked.
    for program in ("pdfinfo", "pdftotext", "ogr2ogr", "msgfmt", "chromium"):
        assert program in result.stdout


def _project(tmp_path: Path, code: str, packages: str) -> tuple[Path, Path]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pdf.py").write_text(code)
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"print-system-packages:\n\t@echo {packages}\n")
    return makefile, tmp_path / "app"


def test_a_program_whose_package_the_makefile_forgets_is_reported(tmp_path):
    makefile, app = _project(
        tmp_path,
        'import subprocess\nsubprocess.run(["pdfinfo", "out.pdf"], check=True)\n',
        "gdal-bin gettext 'chromium|chromium-browser'",
    )
    result = _check("--makefile", str(makefile), str(app))
    assert result.returncode == 1
    assert "'pdfinfo' (run in app/pdf.py) comes from poppler-utils, which the Makefile does not install" in (
        result.stdout
    )
    makefile.write_text("print-system-packages:\n\t@echo gdal-bin poppler-utils\n")
    assert _check("--makefile", str(makefile), str(app)).returncode == 0


def test_a_program_nobody_has_mapped_to_a_package_is_reported(tmp_path):
    makefile, app = _project(
        tmp_path, "import shutil\nTOOL = shutil.which(" + '"qpdf")\n', "gdal-bin poppler-utils"
    )  # (split, or the check would find this very line)
    result = _check("--makefile", str(makefile), str(app))
    assert result.returncode == 1
    assert "'qpdf' (run in app/pdf.py) is not in scripts/check-system-tools.py's table" in result.stdout


def test_make_messages_compiles_every_catalogue_also_of_an_app_added_later(tmp_path):
    """`make messages` is what the Makefile and the Dockerfile both run: it must pick up every catalogue,
    the project's and each app's, without being told about a new app."""
    (tmp_path / "Makefile").write_text((ROOT / "Makefile").read_text())
    catalogue = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Report"\nmsgstr "Hlášení"\n'
    )
    for folder in ("locale", "incidents/locale", "audits/locale"):
        po = tmp_path / folder / "cs" / "LC_MESSAGES" / "django.po"
        po.parent.mkdir(parents=True)
        po.write_text(catalogue)
    result = subprocess.run(
        ["make", "-s", "messages"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for folder in ("locale", "incidents/locale", "audits/locale"):
        assert (tmp_path / folder / "cs" / "LC_MESSAGES" / "django.mo").stat().st_size > 0
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "\nRUN make messages" in dockerfile and "msgfmt" not in dockerfile  # the same rule, no copy of it
