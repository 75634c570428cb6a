"""Forms of the directory pages. They parse and validate input; the services decide and write."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cbmhub.core.forms import DateInput, form_field

from . import choices, importexport, validators
from .models import Body, Membership, Organisation, PointOfContact, State
from .names import language_choices, state_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SearchForm(forms.Form):
    """The directory search: free text (a state, code, office or person) and three filters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("acronym"),
        to_field_name="acronym",
        required=False,
        empty_label=_("All organisations"),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("All levels")), *choices.Level.choices],
        required=False,
    )
    language = forms.CharField(label=_("Language"), required=False, max_length=12)

    def clean_language(self) -> str:
        return self.cleaned_data["language"].strip().lower()


class PointOfContactForm(forms.ModelForm):
    class Meta:
        model = PointOfContact
        fields = [
            "level",
            "organisation",
            "office",
            "function",
            "person_name",
            "languages",
            "time_zone",
            "available_24_7",
            "pgp_fingerprint",
            "last_verified",
            "is_active",
            "notes",
        ]
        # Explicit labels: the model's field names are not in the translation catalogues.
        labels = {
            "level": _("Level"),
            "organisation": _("Organisation"),
            "office": _("Office"),
            "function": _("Function"),
            "person_name": _("Name of the person"),
            "languages": _("Languages"),
            "time_zone": _("Time zone"),
            "available_24_7": _("Available 24/7"),
            "pgp_fingerprint": _("OpenPGP fingerprint"),
            "last_verified": _("Last verified"),
            "is_active": _("Active"),
            "notes": _("Notes"),
        }
        help_texts = {
            "organisation": _("Empty: for every organisation."),
            "office": _("Ministry, agency or CERT."),
            "function": _("Position or role."),
        }
        widgets = {
            "last_verified": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    # Pickers instead of free text: a time zone from the IANA list, languages as checkboxes.
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        error_messages={
            "invalid_choice": _("“%(value)s” is not an IANA time zone (for example Asia/Almaty).")
        },
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-grid"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organisation", forms.ModelChoiceField).empty_label = _(
            "Every organisation"
        )
        # required: no "---------" line
        form_field(self, "level", forms.ChoiceField).choices = choices.Level.choices
        zones = sorted(validators.time_zones())
        form_field(self, "time_zone", forms.ChoiceField).choices = [
            ("", "—"),
            *((z, z) for z in zones),
        ]
        # The stored codes come first, in their order, so that saving keeps that order and
        # keeps a code the list does not know (en-GB): nothing stored is lost by the picker.
        stored = [c for c in (self.initial.get("languages") or "").split(",") if c]
        languages = form_field(self, "languages", forms.MultipleChoiceField)
        posted = (
            languages.widget.value_from_datadict(
                self.data, self.files, self.add_prefix("languages")
            )
            if self.is_bound
            else []
        )
        known = language_choices(get_language() or "en")
        labels = dict(known)
        first = list(dict.fromkeys([*stored, *posted]))
        languages.choices = [
            *((c, labels.get(c, c)) for c in first),
            *(c for c in known if c[0] not in first),
        ]
        self.initial["languages"] = stored

    # Normalised before the model's validators run, so that "kk, RU" is accepted as kk,ru.
    def clean_languages(self) -> str:
        # Joined and split again: a client that posts one "kk, RU" string is still understood.
        return validators.normalise_languages(",".join(self.cleaned_data["languages"]))

    def clean_pgp_fingerprint(self) -> str:
        return validators.normalise_fingerprint(self.cleaned_data["pgp_fingerprint"])


class ContactChannelForm(forms.Form):
    """One row of the repeated channel rows under a point of contact."""

    # A blank first choice, so that an untouched extra row is "unchanged" and not an error.
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *choices.ChannelKind.choices])
    value = forms.CharField(label=_("Address or number"), max_length=255)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


ContactChannelFormSet = forms.formset_factory(ContactChannelForm, extra=2, can_delete=True)


def channel_formset(
    *, data: Any = None, point_of_contact: PointOfContact | None = None
) -> forms.BaseFormSet:
    initial = []
    if point_of_contact is not None and point_of_contact.pk:
        initial = [
            {"kind": c.kind, "value": c.value, "is_primary": c.is_primary, "note": c.note}
            for c in point_of_contact.channels.all()
        ]
    return ContactChannelFormSet(data=data, initial=initial, prefix="channels")


def channels_from(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The channels a valid formset describes, in order; blank and deleted rows dropped."""
    return [
        {key: form.cleaned_data[key] for key in ("kind", "value", "is_primary", "note")}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["acronym", "name", "kind", "description", "website", "headquarters"]
        labels = {
            "acronym": _("Acronym"),
            "name": _("Name"),
            "kind": _("Kind"),
            "description": _("Description"),
            "headquarters": _("Headquarters"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class BodyForm(forms.ModelForm):
    class Meta:
        model = Body
        fields = ["name", "acronym", "kind", "parent", "description"]
        labels = {
            "name": _("Name"),
            "acronym": _("Acronym"),
            "kind": _("Kind"),
            "parent": _("Parent body"),
            "description": _("Description"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only bodies of the same organisation can be a parent; a body is never its own parent.
        parents = Body.objects.filter(organisation=organisation)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        form_field(self, "parent", forms.ModelChoiceField).queryset = parents.order_by("name")


class StateChoiceField(forms.ModelChoiceField):
    """A state picked by its name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return state_name(obj)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["state", "status", "since", "until"]
        field_classes = {"state": StateChoiceField}
        labels = {
            "state": _("State"),
            "status": _("Status"),
            "since": _("Since"),
            "until": _("Until"),
        }
        widgets = {
            "since": DateInput(),
            "until": DateInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A membership belongs to one state; end it and add another instead of moving it.
            self.fields["state"].disabled = True


class StateForm(forms.ModelForm):
    class Meta:
        model = State
        fields = ["name", "official_name", "iso2", "iso3"]
        labels = {
            "name": _("Name"),
            "official_name": _("Official name"),
            "iso2": _("ISO 3166-1 alpha-2 code"),
            "iso3": _("ISO 3166-1 alpha-3 code"),
        }

    def clean_iso2(self) -> str:
        return self.cleaned_data["iso2"].strip().upper()

    def clean_iso3(self) -> str:
        return self.cleaned_data["iso3"].strip().upper()


class StateAliasForm(forms.Form):
    code = forms.CharField(
        label=_("Delegation code"),
        max_length=40,
        help_text=_("As written in negotiation texts, e.g. IRAN, PAL."),
    )
    note = forms.CharField(label=_("Where it is used"), max_length=120, required=False)


# --- import and export pages ---------------------------------------------------------------------

# What an import accepts (the same limit for the page, the API and the command line). The checked
# file travels back with the "Apply" button in a hidden field (base64, so the bytes come back
# exactly); importexport.schema says why 1 MB.
IMPORT_MAX_BYTES = importexport.IMPORT_MAX_BYTES
_FORMAT_CHOICES = [("csv", "CSV"), ("json", "JSON")]


def _kind_choices() -> list[tuple[str, Any]]:
    labels = {
        "organisations": _("Organisations"),
        "states": _("States"),
        "bodies": _("Bodies"),
        "memberships": _("Memberships"),
        "points_of_contact": _("Points of contact"),
    }
    return [(kind, labels[kind]) for kind in importexport.KINDS]


class ExportForm(forms.Form):
    """What to export: JSON holds every kind or one; a CSV file holds one kind."""

    format = forms.ChoiceField(label=_("Format"), choices=_FORMAT_CHOICES, initial="json")
    kind = forms.ChoiceField(
        label=_("Records"),
        choices=[("all", _("Everything (JSON only)")), *_kind_choices()],
        initial="all",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("format") == "csv" and data.get("kind") == "all":
            self.add_error("kind", _("A CSV file holds one kind of record; choose which."))
        return data


def _detected_format(name: str) -> str | None:
    lowered = name.lower()
    return next((fmt for fmt in importexport.FORMATS if lowered.endswith(f".{fmt}")), None)


def _detected_kind(name: str) -> str | None:
    # Exported files are named after their kind (cbmhub-directory-points-of-contact-….csv).
    lowered = name.lower().replace("-", "_")
    found = [kind for kind in importexport.KINDS if kind in lowered]
    return found[0] if len(found) == 1 else None


def _decoded(raw: bytes, field: str, what: StrOrPromise) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationError(
            {
                field: _(
                    "%(what)s is not UTF-8 text: byte 0x%(byte)02x on line %(line)d (byte "
                    "%(offset)d of the file) cannot be read. Save it as “CSV UTF-8” or UTF-8 "
                    "JSON and upload it again."
                )
                % {
                    "what": what,
                    "byte": raw[exc.start],
                    "line": line,
                    "offset": exc.start + 1,
                }
            }
        ) from None


class ImportForm(forms.Form):
    """A directory import in two steps: *check* an uploaded file (a dry run), then *apply* the
    same content, which comes back from the check page in ``content``. Applying runs every
    check again, so a changed hidden field can do no more than a new upload could."""

    step = forms.ChoiceField(
        choices=[("check", _("Check")), ("apply", _("Apply"))],
        initial="check",
        widget=forms.HiddenInput,
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("CSV (one kind of record) or JSON, UTF-8, at most 1 MB."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("From the file name")), *_FORMAT_CHOICES],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Records in a CSV file"),
        choices=[("", _("From the file name")), *_kind_choices()],
        required=False,
    )
    content = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    filename = forms.CharField(required=False, widget=forms.HiddenInput, max_length=255)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        if data["step"] == "check":
            raw, name = self._uploaded(data.get("file"))
        else:
            raw, name = self._carried(data.get("content", "")), data.get("filename", "")
        data["filename"] = name
        data["text"] = _decoded(raw, "file", f"“{name}”" if name else _("The file"))
        data["content"] = base64.b64encode(raw).decode("ascii")
        data["fmt"] = data.get("format") or _detected_format(name)
        if data["fmt"] is None:
            raise ValidationError(
                {
                    "format": _("“%(name)s” does not end in .csv or .json; choose the format.")
                    % {"name": name}
                }
            )
        data["kind"] = data.get("kind") or _detected_kind(name)
        if data["fmt"] == "csv" and data["kind"] is None:
            raise ValidationError(
                {"kind": _("Choose what the rows of this CSV file are; its name does not say.")}
            )
        return data

    def _uploaded(self, upload: Any) -> tuple[bytes, str]:
        if upload is None:
            raise ValidationError({"file": _("Choose a file to check.")})
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(
                {
                    "file": _("“%(name)s” is %(size)d bytes; the limit is %(limit)d.")
                    % {"name": upload.name, "size": upload.size, "limit": IMPORT_MAX_BYTES}
                }
            )
        return upload.read(), upload.name

    def _carried(self, content: str) -> bytes:
        try:
            raw = base64.b64decode(content, validate=True)
        except (ValueError, binascii.Error):
            raw = b""
        if not raw or len(raw) > IMPORT_MAX_BYTES:
            raise ValidationError(
                _("The checked file did not come back with the form; upload it again.")
            )
        return raw
