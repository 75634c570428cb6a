"""Form pieces every app shares."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .errors import DomainError

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


_Field = TypeVar("_Field", bound=forms.Field)


def form_field(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """``form.fields[name]`` as the kind of field it is, checked, so that a form's ``__init__``
    sets a ``ModelChoiceField``'s ``queryset`` or a ``ChoiceField``'s ``choices`` typed."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}")
    return field


def _error_pairs(error: DomainError | ValidationError) -> list[tuple[str, str]]:
    """(field path, message) for each thing the error names ("" for the whole form)."""
    if isinstance(error, DomainError):
        return [
            (str(detail.get("field", "")), str(detail.get("message") or error.message))
            for detail in error.details
        ]
    if hasattr(error, "error_dict"):
        return [
            ("" if field == NON_FIELD_ERRORS else field, str(message))
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [("", str(message)) for message in error.messages]


def add_domain_error(form: forms.BaseForm, error: DomainError | ValidationError) -> None:
    """Show what a service refused on the form, so the user sees what is wrong and where: each
    message beside the field it names (``channels[0].value`` → ``channels``) when the form has
    that field, otherwise at the top with its field's path; a domain error that puts nothing
    beside a field of the form shows its own message at the top."""
    placed = False
    for path, message in _error_pairs(error):
        name = path.split("[", 1)[0].split(".", 1)[0]
        if name in form.fields:
            form.add_error(name, message)
            placed = True
        elif isinstance(error, DomainError) and message == error.message:
            continue  # shown once, at the top, below
        else:
            form.add_error(None, f"{path}: {message}" if path else message)
    if isinstance(error, DomainError) and not placed:
        form.add_error(None, error.message)
