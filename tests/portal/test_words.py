"""Words that must not mean two things.

In Czech "Stáhnout" is both *withdraw* (a proposal, a nomination, an offer) and *download* (a PDF, a CSV): a
button "Stáhnout" next to an offer could be either. So in every catalogue and language, *withdraw* and
*download* are different words: Czech "vzít zpět" / "stáhnout", Polish "wycofać" / "pobrać", Norwegian
"trekke tilbake" / "laste ned". And a receipt says *received*, not *accepted*: "Vaši nabídku jsme přijali"
reads as "we accepted your offer" before the organisers have decided anything.
"""

import re

import pytest

from tests.portal.test_translations import CATALOGUES, TRANSLATED, parse_po

SPECS = [f"{name}:{language}" for name in CATALOGUES for language in TRANSLATED]

WITHDRAW_MSGID = re.compile(r"withdr[ae]w", re.IGNORECASE)  # withdraw, withdrawn, withdrawal, withdrew
DOWNLOAD_MSGID = re.compile(r"download", re.IGNORECASE)
RECEIVED_MSGID = re.compile(r"\breceived\b", re.IGNORECASE)

# Per language: the word for withdrawing, the word for downloading (any form of each).
WITHDRAW_WORD = {
    "cs": re.compile(r"\bzpět\b", re.IGNORECASE),  # vzít zpět, vzato zpět, vezmete zpět
    "pl": re.compile(r"wycof", re.IGNORECASE),  # wycofaj, wycofane, wycofała
    "nb": re.compile(r"\btilbake\b", re.IGNORECASE),  # trekk tilbake, trukket tilbake
}
DOWNLOAD_WORD = {
    "cs": re.compile(r"st[áa]h|staž|stahov", re.IGNORECASE),  # stáhnout, stažena, nestaženo
    "pl": re.compile(r"\b(nie)?pob(ier|ra|ór)", re.IGNORECASE),  # pobierz, pobrano, pobrać
    "nb": re.compile(r"\blast\w*(?: \w+)? ned\b", re.IGNORECASE),  # last ned, lastet ned, last det ned
}
# A receipt: what it must say, and the "accepted" it must not say.
RECEIVED_WORD = {
    "cs": re.compile(r"obdrž", re.IGNORECASE),  # obdrželi jsme; a status: obdrženo
    "pl": re.compile(r"otrzyma", re.IGNORECASE),
    "nb": re.compile(r"mottatt", re.IGNORECASE),
}
ACCEPTED_WORD = {
    "cs": re.compile(r"přij[aá]l|přijat|přijm", re.IGNORECASE),
    "pl": re.compile(r"przyję|odebra|zaakcept", re.IGNORECASE),
    "nb": re.compile(r"godt[ao]|godkj|tatt imot", re.IGNORECASE),
}


def entries(spec: str):
    name, _, language = spec.partition(":")
    path = CATALOGUES[name] / language / "LC_MESSAGES" / "django.po"
    for entry in parse_po(path)[1:]:
        english = f"{entry.msgid} {entry.msgid_plural or ''}"
        for translation in entry.msgstr.values():
            if translation:
                yield entry, english, translation


def _problems(spec, select, check) -> list[str]:
    return [
        f"{entry} → {translation!r}"
        for entry, english, translation in entries(spec)
        if select.search(english) and check(translation)
    ]


@pytest.mark.parametrize("spec", SPECS)
def test_withdraw_is_never_the_download_word(spec):
    language = spec.partition(":")[2]
    problems = _problems(spec, WITHDRAW_MSGID, DOWNLOAD_WORD[language].search)
    assert not problems, f"{spec}: 'withdraw' uses the download word:\n" + "\n".join(problems)
    missing = _problems(spec, WITHDRAW_MSGID, lambda text: not WITHDRAW_WORD[language].search(text))
    assert not missing, f"{spec}: 'withdraw' not translated with the withdraw word:\n" + "\n".join(missing)


@pytest.mark.parametrize("spec", SPECS)
def test_download_is_never_the_withdraw_word(spec):
    language = spec.partition(":")[2]
    problems = _problems(spec, DOWNLOAD_MSGID, WITHDRAW_WORD[language].search)
    assert not problems, f"{spec}: 'download' uses the withdraw word:\n" + "\n".join(problems)
    missing = _problems(spec, DOWNLOAD_MSGID, lambda text: not DOWNLOAD_WORD[language].search(text))
    assert not missing, f"{spec}: 'download' not translated with the download word:\n" + "\n".join(missing)


@pytest.mark.parametrize("spec", SPECS)
def test_receipts_say_received_not_accepted(spec):
    language = spec.partition(":")[2]
    wrong = _problems(
        spec,
        RECEIVED_MSGID,
        lambda text: ACCEPTED_WORD[language].search(text) or not RECEIVED_WORD[language].search(text),
    )
    assert not wrong, f"{spec}: a receipt does not say 'received':\n" + "\n".join(wrong)
    # Nor does any other message say "we accepted" unless the English says accepted.
    we_accepted = re.compile(r"jsme přijal|przyjęliśmy", re.IGNORECASE)
    stray = [
        f"{entry} → {translation!r}"
        for entry, english, translation in entries(spec)
        if we_accepted.search(translation) and "accept" not in english.lower()
    ]
    assert not stray, f"{spec}: 'we accepted' where the English does not say so:\n" + "\n".join(stray)


def test_the_english_keeps_the_two_apart():
    """The source texts themselves: no message both withdraws and downloads, and the screens that withdraw
    say withdraw (the catalogues are searched for these words above, so at least one of each exists)."""
    english = [entry for name in CATALOGUES for entry, _english, _translation in entries(f"{name}:cs")]
    both = [str(e) for e in english if WITHDRAW_MSGID.search(e.msgid) and DOWNLOAD_MSGID.search(e.msgid)]
    assert not both
    assert any(WITHDRAW_MSGID.search(e.msgid) for e in english)
    assert any(DOWNLOAD_MSGID.search(e.msgid) for e in english)
    assert any(RECEIVED_MSGID.search(e.msgid) for e in english)
