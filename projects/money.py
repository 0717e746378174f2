"""Amounts as the projects app writes them in messages and emails: "1 234 567" (the templates format them
per language with the ``money`` filter)."""

from decimal import Decimal

ZERO = Decimal("0")


def money_text(value) -> str:
    return f"{Decimal(value):,.2f}".replace(",", " ").replace(".00", "")


def plain_number(value) -> str:
    """10.00 -> "10", 12.50 -> "12.5" (no exponent notation)."""
    return f"{Decimal(value).normalize():f}"
