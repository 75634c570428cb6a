"""Forms of the meetings pages. Times of a meeting's parts are entered in the meeting's own
time zone (the form says which) and stored as instants."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cbmhub.core.forms import DateInput, DateTimeInput
from cbmhub.directory.models import Body, State
from cbmhub.measures.models import Measure, Plan
from cbmhub.negotiations.models import Document

from .choices import (
    Addressees,
    DelegationKind,
    Effect,
    MeetingKind,
    MeetingStatus,
    OutcomeKind,
    VersionStatus,
)
from .models import Note, NoteSeries
from .services import MemberInput, PartInput

PART_ROWS = 3
MEMBER_ROWS = 6
LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


def _aware(value: datetime, zone: str) -> datetime:
    return value.replace(tzinfo=None).replace(tzinfo=zoneinfo.ZoneInfo(zone))


class MeetingForm(forms.Form):
    body = forms.ModelChoiceField(queryset=Body.objects.none(), label=_("Body"))
    title = forms.CharField(max_length=300, label=_("Title"))
    kind = forms.ChoiceField(choices=MeetingKind.choices, label=_("Kind"))
    time_zone = forms.CharField(
        max_length=64,
        initial="Asia/Almaty",
        label=_("Time zone"),
        help_text=_("The times below are in this time zone, e.g. Asia/Almaty."),
    )
    states = forms.ModelMultipleChoiceField(
        queryset=State.objects.order_by("name"),
        required=False,
        label=_("Only these states (a bilateral meeting)"),
    )

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        for n in range(1, PART_ROWS + 1):
            required = n == 1
            self.fields[f"part{n}_start"] = forms.DateTimeField(
                required=required, widget=DateTimeInput(), label=_("Part %(n)d starts") % {"n": n}
            )
            self.fields[f"part{n}_end"] = forms.DateTimeField(
                required=required, widget=DateTimeInput(), label=_("Part %(n)d ends") % {"n": n}
            )
            self.fields[f"part{n}_venue"] = forms.CharField(
                required=False, max_length=300, label=_("Part %(n)d venue") % {"n": n}
            )
            self.fields[f"part{n}_url"] = forms.URLField(
                required=False,
                assume_scheme="https",
                label=_("Part %(n)d online link") % {"n": n},
            )

    def parts(self) -> list[PartInput]:
        data, zone = self.cleaned_data, self.cleaned_data["time_zone"]
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return []  # the service names the time zone
        parts = []
        for n in range(1, PART_ROWS + 1):
            start, end = data.get(f"part{n}_start"), data.get(f"part{n}_end")
            if start and end:
                parts.append(
                    PartInput(
                        _aware(start, zone),
                        _aware(end, zone),
                        venue=data.get(f"part{n}_venue") or "",
                        online_url=data.get(f"part{n}_url") or "",
                    )
                )
        return parts


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=MeetingStatus.choices, label=_("Status"))


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300, label=_("Item"))
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(), required=False, label=_("Document")
    )
    measure = forms.ModelChoiceField(
        queryset=Measure.objects.none(), required=False, label=_("Measure")
    )
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), required=False, label=_("Plan"))
    note = forms.ModelChoiceField(
        queryset=Note.objects.none(), required=False, label=pgettext_lazy("note verbale", "Note")
    )

    def __init__(
        self,
        *args: Any,
        documents: Any = None,
        notes: Any = None,
        measures: Any = None,
        plans: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if documents is not None:
            self.fields["document"].queryset = documents  # type: ignore[attr-defined]
        if notes is not None:
            self.fields["note"].queryset = notes  # type: ignore[attr-defined]
        if measures is not None:
            self.fields["measure"].queryset = measures  # type: ignore[attr-defined]
        if plans is not None:
            self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["measure"].label_from_instance = measure_label  # type: ignore[attr-defined]
        self.fields["plan"].label_from_instance = plan_label  # type: ignore[attr-defined]


def measure_label(measure: Measure) -> str:
    """A measure in a choice: its catalogue, its code and the start of its text."""
    return f"{measure.catalogue.code} {measure.code} {measure.text[:60]}"


def plan_label(plan: Plan) -> str:
    return f"{plan.measure.code} {plan.title} ({plan.from_year}–{plan.to_year})"


class MoveForm(forms.Form):
    position = forms.IntegerField(min_value=1, label=_("Position"))


class DelegationForm(forms.Form):
    """A delegation: the head on the first row, members after it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MEMBER_ROWS + 1):
            self.fields[f"name{n}"] = forms.CharField(
                required=n == 1,
                max_length=200,
                label=_("Head of delegation") if n == 1 else _("Member %(n)d") % {"n": n - 1},
            )
            self.fields[f"function{n}"] = forms.CharField(
                required=False, max_length=200, label=_("Function")
            )
            self.fields[f"email{n}"] = forms.EmailField(required=False, label=_("E-mail"))

    def members(self) -> list[MemberInput]:
        data = self.cleaned_data
        return [
            MemberInput(
                data[f"name{n}"],
                data.get(f"function{n}") or "",
                data.get(f"email{n}") or "",
                is_head=n == 1,
            )
            for n in range(1, MEMBER_ROWS + 1)
            if data.get(f"name{n}")
        ]


class GuestForm(DelegationForm):
    kind = forms.ChoiceField(
        choices=[c for c in DelegationKind.choices if c[0] != DelegationKind.MEMBER],
        label=_("Kind"),
    )
    name = forms.CharField(max_length=200, label=_("Observer or guest"))


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(choices=OutcomeKind.choices, label=_("Kind"))
    wording = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Wording"))
    effect = forms.ChoiceField(choices=Effect.choices, label=_("Effect on the document"))
    target_body = forms.ModelChoiceField(
        queryset=Body.objects.none(), required=False, label=_("To body")
    )

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.fields["target_body"].queryset = bodies  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("Summary record"))


class ActionPointForm(forms.Form):
    text = forms.CharField(max_length=1000, label=_("Action"))
    owner = forms.CharField(max_length=200, label=_("Owner"))
    due = forms.DateField(required=False, widget=DateInput(), label=_("Due"))


class NoteForm(forms.Form):
    series = forms.ModelChoiceField(queryset=NoteSeries.objects.none(), label=_("Series"))
    subject = forms.CharField(max_length=300, label=_("Subject"))
    place = forms.CharField(max_length=120, initial="Astana", label=_("Place"))
    date = forms.DateField(widget=DateInput(), label=_("Date"))
    addressees = forms.ChoiceField(
        choices=Addressees.choices,
        initial=Addressees.MEMBER_STATES,
        required=False,
        label=_("Addressees"),
    )
    states = forms.ModelMultipleChoiceField(
        queryset=State.objects.order_by("name"), required=False, label=_("Named states")
    )
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en", label=_("Language"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("Text"))

    def __init__(self, *args: Any, series: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = series  # type: ignore[attr-defined]


class VersionForm(forms.Form):
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, label=_("Language"))
    status = forms.ChoiceField(
        choices=VersionStatus.choices, initial=VersionStatus.TRANSLATION, label=_("Status")
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label=_("Text"))


class EnclosureForm(forms.Form):
    title = forms.CharField(max_length=300, required=False, label=_("Title"))
    document = forms.ModelChoiceField(
        queryset=Document.objects.none(), required=False, label=_("Document")
    )
    pages = forms.IntegerField(min_value=1, max_value=10000, initial=1, label=_("Pages"))
    file = forms.FileField(required=False, label=_("File"))

    def __init__(self, *args: Any, documents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if documents is not None:
            self.fields["document"].queryset = documents  # type: ignore[attr-defined]


class PackageForm(forms.Form):
    file = forms.FileField(label=_("Package (UTF-8 text)"))


class FormulaForm(forms.Form):
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, label=_("Language"))
    sender = forms.CharField(max_length=300, label=_("Sender"))
    opening = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Opening"))
    closing = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Closing"))
    addressees_members = forms.CharField(max_length=300, label=_("All member states, as written"))
