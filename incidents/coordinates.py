"""Reading coordinates as people type or paste them: "49,7380" (the Czech decimal comma), "49.7380",
"49.7475, 13.3776" (a pair copied from a map application), "49.7475N, 13.3776E" (Mapy.cz),
"N 49.7475 E 13.3776".

Pure functions, no Django: the report form turns their ``ValueError`` into its translated messages.
"""

import math
import re

# A number with a decimal point or comma, an optional degree sign and a hemisphere letter: either every
# letter follows its number ("49.7475N, 13.3776E") or every letter precedes it ("N 49.7475, E 13.3776").
_VALUE = r"(?P<value>[-+−]?\d+(?:[.,]\d+)?)(?:\s*°)?"
_STYLES = (
    re.compile(_VALUE + r"(?:\s*(?P<letter>[NSEW]))?", re.IGNORECASE),
    re.compile(r"(?:(?P<letter>[NSEW])\s*)?" + _VALUE, re.IGNORECASE),
)
_SEPARATORS = re.compile(r"[\s,;/]*")


def _numbers(text: str) -> list[tuple[float, str]]:
    """The numbers in ``text`` with their hemisphere letter ("" if none); ValueError if anything else is in
    it (words, degrees-minutes-seconds, letters on both sides)."""
    text = (text or "").strip()
    for style in _STYLES:
        try:
            return _read(text, style)
        except ValueError:
            continue
    raise ValueError(text)


def _read(text: str, style: re.Pattern) -> list[tuple[float, str]]:
    found, position = [], 0
    while position < len(text):
        gap = _SEPARATORS.match(text, position)
        position = gap.end()
        if position >= len(text):
            break
        if found and gap.group() == "":
            raise ValueError(text)  # two numbers need something between them
        match = style.match(text, position)
        if match is None:
            raise ValueError(text)
        value = float(match.group("value").replace(",", ".").replace("−", "-"))
        letter = (match.group("letter") or "").upper()
        if letter and value < 0:
            raise ValueError(text)  # "-49N": which one is meant?
        if letter in ("S", "W"):
            value = -value
        if not math.isfinite(value):
            raise ValueError(text)
        found.append((value, letter))
        position = match.end()
    return found


def parse_coordinate(text: str) -> float | None:
    """One coordinate ("49,7380", "49.7380", "49.7380N"); None if empty. ValueError if not a number."""
    numbers = _numbers(text or "")
    if not numbers:
        return None
    if len(numbers) != 1:
        raise ValueError(text)
    return numbers[0][0]


def parse_pair(text: str) -> tuple[float, float] | None:
    """(latitude, longitude) from a pasted pair, in this order unless the hemisphere letters say otherwise
    ("13.3776E, 49.7475N"); None if ``text`` holds one number or none. ValueError for anything else."""
    numbers = _numbers(text or "")
    if len(numbers) < 2:
        return None
    if len(numbers) > 2:
        raise ValueError(text)
    (first, first_letter), (second, second_letter) = numbers
    if first_letter in ("E", "W") and second_letter in ("N", "S", ""):
        return second, first
    if first_letter in ("N", "S", "") and second_letter in ("E", "W", ""):
        return first, second
    raise ValueError(text)  # "49N 13N"
