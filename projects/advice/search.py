"""Similar published answers: what the ask form shows before a question is sent, and the FAQ's search.

PostgreSQL: full-text search over the published question and answer with ``unaccent`` (the extension is
created by the migration) in the ``simple`` configuration, each word of the query as a prefix of its first
five letters (a crude stem that lets "psa", "psy", "psem" meet), ranked by ``ts_rank``. SpatiaLite: the same
prefixes matched in ``search_text`` (the published texts folded in Python: lower case, no accents), ranked
by how many of them match. Only published questions are ever searched.
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

PREFIX = 5  # letters of a word that count
MIN_WORD = 3
MAX_WORDS = 12
# Words too common to tell questions apart (Czech, Polish, English), folded
_STOP_WORDS = """
    a aby ale ani ano jak jako jen jsem jsme jste kde kdo kdy kdyz ktera ktere ktery mam mame muj moje muze
    muzeme nebo neni nas pro proc pri tak take tam ten tento toto uz jsou byl byla bylo bude chci chtel
    jest nie czy dla jak jaki jaka jakie ktory ktora przez sie tak tez moze mozna mam
    the and for are can how what who why when where with this that have does there about
"""
STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")
_EXTRA = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case without accents: "Žluťoučký kůň, łódź" → "zlutoucky kun, lodz" (what ``unaccent`` does)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def prefixes(query: str) -> list[str]:
    """The query's words that count, folded and cut to their first letters, each once, in order."""
    seen: list[str] = []
    for word in _WORD.findall(fold(query)):
        if len(word) < MIN_WORD or word in STOP:
            continue
        prefix = word[:PREFIX]
        if prefix not in seen:
            seen.append(prefix)
    return seen[:MAX_WORDS]


def search(queryset: QuerySet, query: str, *, limit: int = 5) -> list:
    """The rows of ``queryset`` (published questions) most similar to ``query``, best first."""
    words = prefixes(query)
    if not words:
        return []
    if connection.vendor == "postgresql":
        document = Func(
            Concat(F("published_question"), Value(" "), F("published_answer"), output_field=TextField()),
            function="unaccent",
            output_field=TextField(),
        )
        tsquery = SearchQuery(
            Func(
                Value(" | ".join(f"{word}:*" for word in words)),
                function="unaccent",
                output_field=TextField(),
            ),
            config="simple",
            search_type="raw",
        )
        return list(
            queryset.annotate(rank=SearchRank(SearchVector(document, config="simple"), tsquery))
            .filter(rank__gt=0)
            .order_by("-rank", "-published_at")[:limit]
        )
    match = Q()
    for word in words:
        match |= Q(search_text__contains=word)
    rows = list(queryset.filter(match).order_by("-published_at")[: limit * 20])
    scored = [(sum(_starts_word(row.search_text, word) for word in words), row) for row in rows]
    scored = [item for item in scored if item[0] > 0]
    scored.sort(key=lambda item: -item[0])  # stable: the newest first among equals
    return [row for _score, row in scored[:limit]]


def _starts_word(text: str, prefix: str) -> bool:
    return f" {prefix}" in f" {text}"


def search_text(question_text: str, answer_text: str) -> str:
    """What ``search_text`` keeps of a published question: its words folded, separated by single spaces."""
    return " ".join(_WORD.findall(fold(f"{question_text} {answer_text}")))
