"""Shared by every CSV/XLSX export: spreadsheets must never run a cell as a formula (CSV injection)."""

# A spreadsheet runs text starting with one of these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def formula_safe(value):
    """Text a spreadsheet would run as a formula, with a leading apostrophe so it stays text; anything else
    (numbers, dates, safe text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
