"""Cells of a CSV file that people open in a spreadsheet, made safe to open (every export).

A cell starting with = + - @ (or a tab or carriage return) runs as a formula when a spreadsheet
opens the file (CSV injection: a point of contact's notes set to =HYPERLINK(...) by one state
would run on the secretariat's computer). Such a cell is written with a leading apostrophe,
which spreadsheets show as text; ``spreadsheet_unquote`` removes it again on import, so a round
trip keeps every value (a value that itself starts with apostrophes before one of these gets
one more).
"""

from __future__ import annotations

FORMULA_START = frozenset("=+-@\t\r")


def needs_quote(text: str) -> bool:
    """Whether ``text`` would start a formula, or is such a text already quoted by hand
    (apostrophes before it). Linear, whatever the number of apostrophes."""
    return text.lstrip("'")[:1] in FORMULA_START


def spreadsheet_safe(text: str) -> str:
    """``text`` as a cell that a spreadsheet shows and never runs."""
    return "'" + text if needs_quote(text) else text


def spreadsheet_unquote(text: str) -> str:
    """The value ``spreadsheet_safe`` was given (one apostrophe it added removed)."""
    return text[1:] if text[:1] == "'" and needs_quote(text[1:]) else text
