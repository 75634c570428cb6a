"""Form pieces every app shares."""

from __future__ import annotations

from typing import Any

from django import forms

# The browser's date and time pickers accept only the ISO forms (HTML's "valid date string" and
# "valid normalized local date and time string"). Django would otherwise render a value in the
# UI language's format (26.08.2026, 2026/08/26), which the browser rejects as invalid and shows
# empty, so saving the form erased the date. Parsing needs no change: Django always accepts the
# ISO input formats beside the language's own.
ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """``<input type=date>`` whose value is always ISO (2026-08-26), in every UI language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """``<input type=datetime-local>`` whose value is always ISO (2026-08-26T14:30)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATETIME_LOCAL)
