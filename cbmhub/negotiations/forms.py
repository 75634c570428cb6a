"""Forms of the negotiations pages. They check the shape of the input; the services decide
what is allowed and report problems that forms then show next to the field concerned."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbmhub.core.forms import DateInput, form_field
from cbmhub.directory.models import Body, Organisation

from .choices import RevisionKind
from .services import MAX_SOURCE_BYTES


class NegotiationForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    body = forms.ModelChoiceField(
        queryset=Body.objects.select_related("organisation").order_by(
            "organisation__acronym", "name"
        ),
        required=False,
        label=_("Negotiating body"),
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organisation", forms.ModelChoiceField).queryset = organisations
        body = form_field(self, "body", forms.ModelChoiceField)
        if body.queryset is not None:
            body.queryset = body.queryset.filter(organisation__in=organisations)


class DocumentForm(forms.Form):
    symbol = forms.CharField(max_length=80, label=_("Symbol"), help_text=_("e.g. SWG/OI/1262"))
    title = forms.CharField(max_length=300, label=_("Title"))
    body = forms.ModelChoiceField(queryset=Body.objects.none(), required=False, label=_("Body"))
    language = forms.ChoiceField(choices=settings.LANGUAGES, initial="en", label=_("Language"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "body", forms.ModelChoiceField).queryset = Body.objects.filter(
            organisation=organisation
        )


class RevisionImportForm(forms.Form):
    file = forms.FileField(
        label=_("File: text (UTF-8), Word (.docx) or Akoma Ntoso (.xml)"),
        help_text=_(
            "Plain text in the bracket notation is kept exactly as uploaded; a Word file is "
            "read with its tracked changes accepted; an Akoma Ntoso file paragraph by paragraph."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.text,.docx,.xml,.akn,text/plain"}),
    )
    kind = forms.ChoiceField(
        choices=RevisionKind.choices, initial=RevisionKind.REV, label=_("Kind")
    )
    number = forms.IntegerField(
        min_value=1, required=False, label=_("Number"), help_text=_("N of Rev.N")
    )
    date = forms.DateField(initial=timezone.localdate, label=_("Date"), widget=DateInput())
    label = forms.CharField(
        max_length=80, required=False, label=_("Label"), help_text=_("Optional, e.g. Rev.3/Corr.1")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = MAX_SOURCE_BYTES * 16 if upload.name.lower().endswith(".docx") else MAX_SOURCE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file has %(size)s bytes; a revision may have at most %(max)s."),
                params={"size": upload.size, "max": limit},
            )
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, number = data.get("kind"), data.get("number")
        if kind == RevisionKind.REV and number is None:
            self.add_error("number", _("A revision (Rev.N) needs its number N."))
        elif kind and kind != RevisionKind.REV and number is not None:
            self.add_error("number", _("Only a revision (Rev.N) has a number; leave it empty."))
        return data


class RevisionVersionForm(forms.Form):
    """A language version of a revision: its language and its text file."""

    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language"))
    file = forms.FileField(label=_("Text file (UTF-8)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SOURCE_BYTES:
            raise forms.ValidationError(
                _("The file has %(size)s bytes; a revision may have at most %(max)s."),
                params={"size": upload.size, "max": MAX_SOURCE_BYTES},
            )
        return upload


class AlignmentCorrectionForm(forms.Form):
    """A person's correction: this version's paragraph ``right`` ↔ the revision's ``left``."""

    right = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    left = forms.IntegerField(min_value=0, required=False, label=_("Counterpart"))
