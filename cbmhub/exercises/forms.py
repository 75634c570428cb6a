"""Forms of the exercises pages: they check the shape of the input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cbmhub.directory.choices import Level
from cbmhub.directory.models import Organisation, State

from .choices import ControlCell
from .plan import MAX_FILE_BYTES


class ScenarioForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    objectives = forms.CharField(
        label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    control_cell = forms.ChoiceField(choices=ControlCell.choices, label=_("Control cell"))
    sender_state = forms.ModelChoiceField(
        queryset=State.objects.order_by("name"), label=_("Lead state")
    )
    states = forms.ModelMultipleChoiceField(
        queryset=State.objects.order_by("name"),
        label=_("Participating states"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    level = forms.ChoiceField(choices=Level.choices, label=_("Level"))
    escalation_allowed = forms.BooleanField(
        label=_("Exercise messages may be escalated to higher levels"), required=False
    )

    def __init__(self, *args, organisations, **kwargs) -> None:  # noqa: ANN001
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("Columns: offset, kind, recipients, text, expectation."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MiB."))
        return upload


class RunForm(forms.Form):
    speed = forms.IntegerField(
        label=_("Clock speed"),
        min_value=1,
        max_value=3600,
        initial=1,
        help_text=_("1: real time; 60: one minute of the scenario per second."),
    )
    anonymise = forms.BooleanField(
        label=_("Anonymise the questionnaire in the report"), required=False, initial=True
    )


class ScoreForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    state = forms.IntegerField(widget=forms.HiddenInput)
    expectation = forms.IntegerField(widget=forms.HiddenInput, required=False)
    met = forms.TypedChoiceField(
        label=_("Met"),
        choices=[("", _("not judged")), ("yes", _("met")), ("no", _("missed"))],
        required=False,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    score = forms.IntegerField(label=_("Score (0–5)"), min_value=0, max_value=5, required=False)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class FeedbackForm(forms.Form):
    went_well = forms.CharField(
        label=_("What went well?"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    to_improve = forms.CharField(
        label=_("What should be improved? (lessons learned)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    recommendation = forms.CharField(
        label=_("Your recommendation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
