"""The translations are complete and in use.

Every string the code marks for translation is in the Czech, Polish, Norwegian and English catalogues; the
Czech, Polish and Norwegian ones translate every entry (all plural forms, nothing fuzzy, placeholders and HTML
kept); and the pages come out in the language the browser asks for.

An untranslated Polish or Norwegian string would not even show in English: Django falls back to the default
language, Czech. Hence the strictness here.

After changing a marked string: ``make makemessages`` (for one app only: ``make makemessages APP=workshops``),
translate what is new, and run these tests again. The project's catalogue is locale/; each feature app that
has its own <app>/locale/ keeps the strings of its files there.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import trans_real

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"
LANGUAGES = ["cs", "pl", "nb", "en"]
TRANSLATED = ["cs", "pl", "nb"]  # English is the source language: its msgstr stay empty
# Catalogues: the project's (locale/: portal and the shared templates) and each feature app's own
# (<app>/locale/, holding the strings of <app>/ including <app>/templates/), so that apps are translated
# independently. makemessages, run from the project root, fills each from the files below it.
FEATURE_APPS = ["incidents", "audits", "workshops", "projects"]
CATALOGUES = {"portal": LOCALE_DIR} | {
    app: ROOT / app / "locale" for app in FEATURE_APPS if (ROOT / app / "locale").is_dir()
}
# Test parameters: "catalogue:language"
ALL_SPECS = [f"{name}:{language}" for name in CATALOGUES for language in LANGUAGES]
TRANSLATED_SPECS = [f"{name}:{language}" for name in CATALOGUES for language in TRANSLATED]
PLURAL_FORMS = {
    "cs": "nplurals=3; plural=(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2;",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "nb": "nplurals=2; plural=(n != 1);",
}
# The same rules in Python, to check that Django picks the right form at run time.
PLURAL_RULES = {
    "cs": lambda n: 0 if n == 1 else 1 if 2 <= n <= 4 else 2,
    "pl": lambda n: 0 if n == 1 else 1 if 2 <= n % 10 <= 4 and (n % 100 < 10 or n % 100 >= 20) else 2,
    "nb": lambda n: 0 if n == 1 else 1,
}
HOME_HEADING = "Safety in your town, together"
# What makemessages is run with (see the module docstring); these directories are not copied either.
MAKEMESSAGES_IGNORE = [".venv", "var", "tests", "node_modules", "bench"]
NOT_COPIED = [
    *MAKEMESSAGES_IGNORE,
    ".git",
    "locale",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "test-results",
    "_build",
    ".env",
    "*.mo",
    "*.pyc",
    "*.sqlite3",
    "*.geojson",
]

PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]?\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[#0 +-]?\d*(?:\.\d+)?[dsfr]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # a plain msgstr is form 0
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") first. Obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    flags: set[str] = set()
    current: tuple[str, int] | None = None  # the field that continuation lines add to

    def finish():
        nonlocal entry, flags, current
        if entry is not None:
            entries.append(entry)
        entry, flags, current = None, set(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if entry is not None and current is not None and current[0] == "msgstr":
                finish()
            flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            if entry is not None and current is not None and current[0] == "msgstr":
                finish()
        else:
            match = re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")', line)
            if match:
                keyword, index, value = (
                    match.group(1),
                    int(match.group(2) or 0),
                    ast.literal_eval(match.group(3)),
                )
                if keyword in ("msgctxt", "msgid") and entry is not None and entry.msgstr:
                    finish()  # a new entry without a blank line in between
                if entry is None:
                    entry = Entry(msgid="", flags=flags, line=number)
                if keyword == "msgctxt":
                    entry.msgctxt = value
                elif keyword == "msgid":
                    entry.msgid, entry.line = value, number
                elif keyword == "msgid_plural":
                    entry.msgid_plural = value
                else:
                    entry.msgstr[index] = value
                current = (keyword, index)
            elif line.startswith('"') and entry is not None and current is not None:
                keyword, index = current
                value = ast.literal_eval(line)
                if keyword == "msgctxt":
                    entry.msgctxt = (entry.msgctxt or "") + value
                elif keyword == "msgid":
                    entry.msgid += value
                elif keyword == "msgid_plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + value
                else:
                    entry.msgstr[index] += value
            else:
                raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
    finish()
    return entries


def split_spec(spec: str) -> tuple[str, str]:
    """ "workshops:pl" -> ("workshops", "pl"); a bare language means the project's catalogue."""
    name, _, language = spec.rpartition(":")
    return name or "portal", language


def po_path(spec: str) -> Path:
    name, language = split_spec(spec)
    return CATALOGUES[name] / language / "LC_MESSAGES" / "django.po"


def catalogue(language: str) -> tuple[dict[str, str], list[Entry]]:
    """The header fields and the messages of a language's .po file."""
    entries = parse_po(po_path(language))
    assert entries, f"{po_path(language)} has no entries"
    header, messages = entries[0], entries[1:]
    assert header.msgid == "" and header.msgctxt is None, (
        f"{po_path(language)} does not start with its header"
    )
    fields = dict(line.split(":", 1) for line in header.msgstr.get(0, "").splitlines() if ":" in line)
    fields = {name.strip(): value.strip() for name, value in fields.items()}
    fields["#fuzzy"] = "yes" if "fuzzy" in header.flags else ""
    return fields, messages


def translations_of(language: str) -> dict[tuple[str | None, str, str | None], Entry]:
    return {entry.key: entry for entry in catalogue(language)[1]}


def _reset_translation_caches() -> None:
    """Make Django read the catalogues again (another test may have loaded them before they were rebuilt)."""
    trans_real._translations = {}
    trans_real._default = None
    catalogue_exists = getattr(trans_real, "translation_catalog_exists", None)  # Django 5.x caches this
    if hasattr(catalogue_exists, "cache_clear"):
        catalogue_exists.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> dict[str, str]:
    """Compile each .po whose .mo is missing or older, as ``make messages`` does before the tests run.
    Returns msgfmt's complaints per language (see test_catalogue_compiles)."""
    errors: dict[str, str] = {}
    rebuilt = False
    for language in ALL_SPECS:
        po = po_path(language)
        if not po.is_file():
            continue  # reported by test_catalogue_exists
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        msgfmt = shutil.which("msgfmt")
        if msgfmt is None:
            errors[language] = "msgfmt is missing: install gettext (`make system` does)"
            continue
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        result = subprocess.run(
            [msgfmt, "--check-format", "-o", str(partial), str(po)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            partial.unlink(missing_ok=True)
            errors[language] = result.stderr
            continue
        partial.replace(mo)  # atomic: a concurrent reader sees the old or the new catalogue
        rebuilt = True
    if rebuilt:
        _reset_translation_caches()
    return errors


@pytest.fixture(scope="module")
def extracted_today(tmp_path_factory) -> dict[str, set[tuple[str | None, str, str | None]]]:
    """The messages makemessages extracts from the current source tree, read from a fresh catalogue that it
    writes into a copy of the project (so the real locale/ directory is left alone)."""
    copy = tmp_path_factory.mktemp("makemessages") / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    for name in CATALOGUES:  # empty locale/ folders, so makemessages fills each catalogue as in the real tree
        (copy / (CATALOGUES[name].relative_to(ROOT))).mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "OKRSEK_IGNORE_DOTENV": "1",
        "OKRSEK_VAR_DIR": str(copy / "var"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("PYTHONPATH", None)  # the copy's apps, not the real ones, must be imported
    command = [sys.executable, "manage.py", "makemessages", "-l", "cs", "--no-obsolete", "-v", "0"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE]
    result = subprocess.run(
        command, cwd=copy, env=env, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    extracted = {}
    for name, folder in CATALOGUES.items():
        fresh = copy / folder.relative_to(ROOT) / "cs" / "LC_MESSAGES" / "django.po"
        extracted[name] = {entry.key for entry in parse_po(fresh)[1:]} if fresh.is_file() else set()
    assert extracted["portal"], f"makemessages wrote no catalogue:\n{result.stdout}\n{result.stderr}"
    return extracted


@pytest.mark.parametrize("language", ALL_SPECS)
def test_catalogue_exists(language):
    assert po_path(language).is_file(), (
        f"{po_path(language)} is missing: run makemessages (see module docstring)"
    )


@pytest.mark.parametrize("language", ALL_SPECS)
def test_catalogue_compiles(language, compiled_catalogues):
    assert language not in compiled_catalogues, (
        f"msgfmt --check-format {po_path(language)} failed:\n{compiled_catalogues[language]}"
    )


@pytest.mark.parametrize("language", ALL_SPECS)
def test_catalogue_has_every_message_the_code_marks(language, extracted_today):
    committed = set(translations_of(language))
    missing = sorted(
        extracted_today[split_spec(language)[0]] - committed,
        key=lambda key: (key[1], key[0] or "", key[2] or ""),
    )
    assert not missing, (
        f"{po_path(language)} lacks {len(missing)} message(s) that makemessages extracts today; "
        "run makemessages and translate them:\n"
        + "\n".join(f"  {msgid!r}" + (f" ({ctx})" if ctx else "") for ctx, msgid, _ in missing)
    )


@pytest.mark.parametrize("language", TRANSLATED_SPECS)
def test_header(language):
    fields, _ = catalogue(language)
    assert fields["#fuzzy"] == "", f"the header of {po_path(language)} is marked fuzzy"
    assert fields.get("Language") == split_spec(language)[1]
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    plural_forms = " ".join(fields.get("Plural-Forms", "").split())
    assert plural_forms == PLURAL_FORMS[split_spec(language)[1]]


@pytest.mark.parametrize("language", TRANSLATED_SPECS)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    fields, messages = catalogue(language)
    nplurals = int(re.search(r"nplurals\s*=\s*(\d+)", fields.get("Plural-Forms", "nplurals=0")).group(1))
    problems = []
    for entry in messages:
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry}")
        if entry.msgid_plural is None:
            if not entry.msgstr.get(0):
                problems.append(f"empty msgstr: {entry}")
        else:
            forms = [entry.msgstr.get(index, "") for index in range(max(nplurals, len(entry.msgstr)))]
            if len(entry.msgstr) != nplurals:
                problems.append(f"{len(entry.msgstr)} plural forms instead of {nplurals}: {entry}")
            empty = [index for index, text in enumerate(forms) if not text]
            if empty:
                problems.append(f"empty msgstr{empty}: {entry}")
    assert not problems, f"{po_path(language)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED_SPECS)
def test_translations_keep_placeholders_and_html(language):
    problems = []
    for entry in catalogue(language)[1]:
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural is not None else [])
        allowed = {p for source in sources for p in PLACEHOLDER.findall(source.replace("%%", ""))}
        for index, text in sorted(entry.msgstr.items()):
            if not text:
                continue  # reported by test_every_entry_is_translated_and_none_is_fuzzy
            found = PLACEHOLDER.findall(text.replace("%%", ""))
            if entry.msgid_plural is None:
                if sorted(found) != sorted(PLACEHOLDER.findall(entry.msgid.replace("%%", ""))):
                    problems.append(f"placeholders {sorted(found)} differ from the source's: {entry}")
            elif not set(found) <= allowed:
                problems.append(
                    f"msgstr[{index}] has unknown placeholders {sorted(set(found) - allowed)}: {entry}"
                )
            tags = sorted(HTML_TAG.findall(text))
            if tags != sorted(HTML_TAG.findall(sources[min(index, len(sources) - 1)])):
                problems.append(f"HTML tags {tags} differ from the source's: {entry}")
    assert not problems, f"{po_path(language)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED_SPECS)
def test_django_serves_the_catalogue(language):
    """The compiled catalogue is the one in use: each message comes out as the .po says."""
    problems = []
    with translation.override(split_spec(language)[1]):
        for entry in catalogue(language)[1]:
            if not entry.msgstr.get(0):
                continue
            if entry.msgid_plural is None:
                if entry.msgctxt is None:
                    got = translation.gettext(entry.msgid)
                else:
                    got = translation.pgettext(entry.msgctxt, entry.msgid)
            elif entry.msgctxt is None:
                got = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
            else:
                got = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 1)
            if got != entry.msgstr[0]:
                problems.append(f"{entry}: Django gives {got!r}, the .po says {entry.msgstr[0]!r}")
    assert not problems, "stale or shadowed catalogue:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED_SPECS)
def test_plural_forms_are_chosen_right(language):
    plurals = [entry for entry in catalogue(language)[1] if entry.msgid_plural and entry.msgctxt is None]
    if not plurals:
        pytest.skip("no plural messages")
    entry = plurals[0]
    with translation.override(split_spec(language)[1]):
        for n in (0, 1, 2, 3, 4, 5, 11, 12, 14, 21, 22, 25, 101, 102, 112, 122):
            expected = entry.msgstr[PLURAL_RULES[split_spec(language)[1]](n)]
            assert translation.ngettext(entry.msgid, entry.msgid_plural, n) == expected, f"n={n}: {entry}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_home_page_in_the_browsers_language(client, language):
    heading = translations_of(language)[(None, HOME_HEADING, None)].msgstr[0]
    report = translations_of(language)[(None, "Report a hazard", None)].msgstr[0]
    assert heading and report and heading != HOME_HEADING

    response = client.get("/", HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{escape(heading)}</h1>" in html
    assert escape(report) in html
    assert HOME_HEADING not in html


@pytest.mark.django_db
def test_home_page_in_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert f"<h1>{HOME_HEADING}</h1>" in html
