"""How a recorded change reads on a history page, in the reader's language.

A ``ChangeRecord`` keeps what was stored: the model's key (``pointofcontact``), field names
(``person_name``) and raw values (``high_level``, ``True``, channel items ``kind:value``). The
labels come from the same places the edit forms take them, at display time, so a history entry
reads in the language of whoever reads it, not of whoever made the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import forms
from .choices import ChannelKind

MODEL_LABELS = {
    "pointofcontact": _("Point of contact"),
    "organisation": _("Organisation"),
    "body": _("Body"),
    "state": _("State"),
    "membership": _("Membership"),
    "statealias": _("Delegation code"),
}

# Field labels: the edit form's, so a field is called the same on the form and in its history.
_FORM_LABELS = {
    "pointofcontact": forms.PointOfContactForm.Meta.labels,
    "organisation": forms.OrganisationForm.Meta.labels,
    "body": forms.BodyForm.Meta.labels,
    "state": forms.StateForm.Meta.labels,
    "membership": forms.MembershipForm.Meta.labels,
}
_EXTRA_LABELS = {"channels": _("Contact channels"), "website": _("Website"), "state": _("State")}


@dataclass
class ChangeRow:
    """One changed field: old → new, or, for a list (contact channels), each item marked as
    kept, removed or added, so that changing one channel does not strike out the whole list."""

    label: str
    old: str = ""
    new: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, "" | "del" | "ins")


def model_label(model: str) -> str:
    return str(MODEL_LABELS.get(model, model))


def field_label(model: str, name: str) -> str:
    label = _FORM_LABELS.get(model, {}).get(name) or _EXTRA_LABELS.get(name)
    return str(label) if label else name


def _choices(model: str, name: str) -> dict[Any, Any]:
    try:
        model_class = apps.get_model("directory", model)
        return dict(model_class._meta.get_field(name).choices or [])
    except LookupError:  # a model or field since removed: the stored value is all there is
        return {}


def value_label(model: str, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True or value is False:
        return gettext("Yes") if value else gettext("No")
    return str(_choices(model, name).get(value, value))


def _channel_label(item: str) -> str:
    kind, _sep, value = str(item).partition(":")
    label = dict(ChannelKind.choices).get(kind)
    return f"{label}: {value}" if label else str(item)


def _list_items(old: list[Any], new: list[Any]) -> list[tuple[str, str]]:
    # Kept items in the new order, then removed ones; linear in the list lengths.
    old_set, new_set = set(old), set(new)
    items = [(_channel_label(i), "" if i in old_set else "ins") for i in new]
    items += [(_channel_label(i), "del") for i in old if i not in new_set]
    return items


def change_rows(model: str, changes: dict[str, list[Any]]) -> list[ChangeRow]:
    rows = []
    for name, (old, new) in (changes or {}).items():
        label = field_label(model, name)
        if isinstance(old, list) or isinstance(new, list):
            rows.append(ChangeRow(label=label, items=_list_items(old or [], new or [])))
        else:
            rows.append(
                ChangeRow(
                    label=label,
                    old=value_label(model, name, old),
                    new=value_label(model, name, new),
                )
            )
    return rows
