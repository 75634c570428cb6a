"""Forms of the measures pages. They parse input; the services decide and refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cbmhub.core.forms import DateInput
from cbmhub.directory.models import State
from cbmhub.directory.names import state_name

from .choices import (
    AlertStatus,
    InitiativeKind,
    InitiativeStatus,
    Readiness,
    Signal,
    SubmissionKind,
    Visibility,
)
from .models import Measure

IMPORT_FORMATS = [
    ("outline", _("Numbered outline (text)")),
    ("csv", _("CSV")),
    ("json", _("JSON")),
]


class ImportForm(forms.Form):
    """Step 1: a file; step 2 (preview shown): the same text posted back to apply."""

    format = forms.ChoiceField(label=_("Format"), choices=IMPORT_FORMATS)
    file = forms.FileField(label=_("File"), required=False)
    text = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("text"):
            self.add_error("file", _("Choose a file."))
        return data


class SubmissionForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("Measure"), queryset=Measure.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=SubmissionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    nil_since_year = forms.IntegerField(
        label=_("Nothing new since (year)"), required=False, min_value=1900, max_value=2100
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    named_states = forms.ModelMultipleChoiceField(
        label=_("Named states"), queryset=State.objects.none(), required=False
    )
    file = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: Any, measures: Any, states: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures  # type: ignore[attr-defined]
        self.fields["named_states"].queryset = states  # type: ignore[attr-defined]
        self.fields["named_states"].label_from_instance = state_name  # type: ignore[attr-defined]
        self.fields["measure"].label_from_instance = lambda m: f"{m.code} {m.text[:80]}"  # type: ignore[attr-defined]


class CapabilityForm(forms.Form):
    kind = forms.CharField(label=_("Capability"), max_length=120)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=1_000_000)
    readiness = forms.ChoiceField(label=_("Readiness"), choices=Readiness.choices)
    contact = forms.CharField(label=_("Contact"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    named_states = forms.ModelMultipleChoiceField(
        label=_("Named states"), queryset=State.objects.none(), required=False
    )

    def __init__(self, *args: Any, states: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["named_states"].queryset = states  # type: ignore[attr-defined]
        self.fields["named_states"].label_from_instance = state_name  # type: ignore[attr-defined]


class InitiativeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InitiativeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    lead_state = forms.ModelChoiceField(
        label=_("Lead state"), queryset=State.objects.none(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=InitiativeStatus.choices)
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"), queryset=State.objects.none(), required=False
    )

    def __init__(self, *args: Any, states: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_state"].queryset = states  # type: ignore[attr-defined]
        self.fields["participants"].queryset = states  # type: ignore[attr-defined]
        for name in ("lead_state", "participants"):
            self.fields[name].label_from_instance = state_name  # type: ignore[attr-defined]


class ThresholdForm(forms.Form):
    signal = forms.ChoiceField(label=_("Signal"), choices=Signal.choices)
    value = forms.IntegerField(label=_("Threshold"), min_value=0, max_value=1_000_000)


class AlertForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AlertStatus.choices)
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    take = forms.BooleanField(label=_("I own it"), required=False)


class CatalogueForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60, help_text=_("e.g. admm-wp-2008"))
    title = forms.CharField(label=_("Title"), max_length=300)
    version = forms.CharField(label=_("Version"), max_length=40, required=False)
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DateInput())


class CycleForm(forms.Form):
    instrument = forms.CharField(
        label=_("Instrument"), max_length=120, help_text=_("e.g. ASEAN Security Outlook")
    )
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput())


class PlanForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("Measure"), queryset=Measure.objects.none())
    title = forms.CharField(label=_("Title"), max_length=300)
    from_year = forms.IntegerField(label=_("From (year)"), min_value=1900, max_value=2100)
    to_year = forms.IntegerField(label=_("To (year)"), min_value=1900, max_value=2100)
    objectives = forms.CharField(
        label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures  # type: ignore[attr-defined]
        self.fields["measure"].label_from_instance = lambda m: f"{m.code} {m.text[:80]}"  # type: ignore[attr-defined]
