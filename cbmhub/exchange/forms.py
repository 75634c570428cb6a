"""Forms of the exchange pages. They check the shape of the input; the services decide what
is allowed and report problems that the forms then show beside the field concerned."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cbmhub.core.forms import DateInput
from cbmhub.directory.models import State

from .choices import ArrangementKind, Severity, Tlp
from .models import Collection

SECTORS = [
    ("energy", _("Energy")),
    ("finance", _("Finance")),
    ("government", _("Government")),
    ("health", _("Health")),
    ("telecommunications", _("Telecommunications")),
    ("transport", _("Transport")),
    ("water", _("Water")),
]
MAX_BUNDLE_BYTES = 20 * 1024 * 1024


def _collection_label(collection: Collection) -> str:
    return f"{collection.arrangement.name} — {collection.title}"


class CollectionChoiceForm(forms.Form):
    collection = forms.ModelChoiceField(queryset=Collection.objects.none(), label=_("Share in"))

    def __init__(self, *args: Any, collections: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["collection"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = collections
        field.empty_label = None  # a CERT shares in one of its collections, never in none
        field.label_from_instance = _collection_label  # type: ignore[method-assign,assignment]


class IncidentForm(CollectionChoiceForm):
    title = forms.CharField(max_length=200, label=_("What happened, in a few words"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("Details")
    )
    severity = forms.ChoiceField(
        choices=Severity.choices, initial=Severity.MEDIUM, label=_("Severity")
    )
    sectors = forms.MultipleChoiceField(
        choices=SECTORS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Sectors affected"),
    )
    indicators = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        required=False,
        label=_("Indicators"),
        help_text=_(
            "One a line: IP addresses, domain names, URLs, MD5, SHA-1 or SHA-256 file hashes."
        ),
    )
    tlp = forms.ChoiceField(choices=Tlp.choices, initial=Tlp.AMBER, label=_("Who may see it (TLP)"))


class BundleImportForm(CollectionChoiceForm):
    bundle = forms.FileField(label=_("STIX 2.1 bundle (JSON file)"))

    def clean_bundle(self) -> Any:
        upload = self.cleaned_data["bundle"]
        if upload.size > MAX_BUNDLE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class SearchForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    type = forms.MultipleChoiceField(required=False, label=_("Type"), choices=[])
    tlp = forms.MultipleChoiceField(
        required=False, label=_("TLP"), choices=Tlp.choices, widget=forms.CheckboxSelectMultiple
    )
    since = forms.DateField(required=False, label=_("Added from"), widget=DateInput())
    until = forms.DateField(required=False, label=_("Added until"), widget=DateInput())

    def __init__(self, *args: Any, types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(t, t) for t in types]


class ArrangementForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Name"))
    kind = forms.ChoiceField(choices=ArrangementKind.choices, label=_("Kind"))
    states: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=State.objects.none(), label=_("Participating states")
    )
    default_tlp = forms.ChoiceField(choices=Tlp.choices, initial=Tlp.AMBER, label=_("Default TLP"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Description")
    )

    def __init__(self, *args: Any, states: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["states"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = states


class HotlineNotifyForm(forms.Form):
    """A hotline message that references shared objects (incident notification or request for
    assistance)."""

    channel = forms.ChoiceField(label=_("Hotline channel"))
    kind = forms.ChoiceField(
        label=_("Message"),
        choices=[
            ("incident_notification", _("Incident notification")),
            ("request_assistance", _("Request for assistance")),
        ],
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=[("routine", _("Routine")), ("urgent", _("Urgent")), ("flash", _("Flash"))],
        initial="urgent",
    )
    subject = forms.CharField(max_length=200, label=_("Subject"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label=_("Message"))

    def __init__(self, *args: Any, channels: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channels = {str(c.pk): c for c in channels}
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(c.pk), c.name) for c in channels]
