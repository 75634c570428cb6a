"""Forms of the hotline pages: compose, reply, start a communication check.

The forms only parse; the rules (who may send where, deadlines, idempotency) are the services'.
A hidden ``idempotency_key``, fresh on every form shown, makes a double click or a resubmitted
page send once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cbmhub.core.forms import DateTimeInput, form_field
from cbmhub.directory.choices import Level
from cbmhub.directory.models import Organisation, State
from cbmhub.directory.names import state_name

from . import permissions, selectors
from .choices import KIND_TEMPLATES, MessageKind, Priority, Tlp
from .models import Channel
from .services import ATTACHMENT_MAX_COUNT


def template_body(kind: str) -> str:
    """The body a template starts with: its headings, each followed by an empty line."""
    return "\n\n".join(f"{heading}:\n" for heading in KIND_TEMPLATES.get(kind, []))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the services check the count and sizes again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > ATTACHMENT_MAX_COUNT:
            raise ValidationError(
                _("At most %(count)d attachments per message."),
                params={"count": ATTACHMENT_MAX_COUNT},
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def _key() -> str:
    return uuid.uuid4().hex


class ComposeForm(forms.Form):
    """A new message from a template, on a channel the user's state takes part in."""

    channel = forms.ModelChoiceField(queryset=Channel.objects.none(), label=_("Channel"))
    kind = forms.ChoiceField(choices=MessageKind.choices, label=_("Template"))
    priority = forms.ChoiceField(
        choices=Priority.choices, initial=Priority.URGENT, label=_("Priority")
    )
    tlp = forms.ChoiceField(choices=Tlp.choices, initial=Tlp.AMBER, label=_("TLP"))
    subject = forms.CharField(max_length=200, label=_("Subject"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), label=_("Message"))
    language = forms.CharField(max_length=10, initial="en", label=_("Language"))
    instrument = forms.CharField(
        max_length=120, required=False, label=_("Instrument invoked"), help_text=_("e.g. CBM 3")
    )
    reply_deadline = forms.DateTimeField(
        required=False,
        label=_("Reply deadline set by the instrument"),
        help_text=_("In your time zone; empty: the channel's deadline for this priority."),
        widget=DateTimeInput(),
    )
    attachments = MultipleFileField(label=_("Attachments"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [c.pk for c in permissions.channels_for_sending(user)]
        form_field(self, "channel", forms.ModelChoiceField).queryset = Channel.objects.filter(
            pk__in=allowed
        ).order_by("name")
        if len(allowed) == 1:
            self.initial.setdefault("channel", allowed[0])
        # Kinds that answer a message are sent with "Reply" on that message.
        form_field(self, "kind", forms.ChoiceField).choices = [
            c for c in MessageKind.choices if c[0] != MessageKind.RESPONSE
        ]
        if not self.is_bound:
            kind = self.initial.get("kind") or MessageKind.REQUEST_INFORMATION
            self.initial.setdefault("kind", kind)
            self.initial.setdefault("body", template_body(kind))
            self.initial.setdefault("idempotency_key", _key())


class ReplyForm(forms.Form):
    """A substantive response to a message, sent back to the state that sent it."""

    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label=_("Reply"))
    attachments = MultipleFileField(label=_("Attachments"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("body", template_body(MessageKind.RESPONSE))
            self.initial.setdefault("idempotency_key", _key())


class CheckStartForm(forms.Form):
    """A communication check of an organisation's points of contact, or of a subset. The form
    offers only the states a check can ask (``not_askable`` lists the others with the reason)
    and is confirmed in a second step that shows the scope before anyone is asked."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation"), empty_label=None
    )
    states = forms.ModelMultipleChoiceField(
        queryset=State.objects.none(),
        required=False,
        label=_("States"),
        help_text=_("None selected: every state listed here."),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checkbox-grid"}),
    )
    levels = forms.MultipleChoiceField(
        choices=Level.choices,
        required=False,
        label=_("Levels"),
        help_text=_("None selected: every level."),
        widget=forms.CheckboxSelectMultiple,
    )
    deadline_minutes = forms.IntegerField(
        min_value=1, max_value=7 * 24 * 60, initial=60, label=_("Deadline (minutes)")
    )
    note = forms.CharField(max_length=200, required=False, label=_("Note"))
    # Set by the confirmation step only: a first submission shows who would be asked.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("acronym")
        if not user.is_superuser:
            # None (no organisation) is IS NULL: no organisation to start a check for.
            organisations = organisations.filter(Q(pk=getattr(user, "organisation_id", None)))
        form_field(self, "organisation", forms.ModelChoiceField).queryset = organisations
        if organisations.count() == 1:
            self.initial.setdefault("organisation", organisations.first())
        candidates = selectors.check_candidates(list(organisations))
        self.not_askable = [c for c in candidates if c.reason]
        askable = sorted(
            (c.state for c in candidates if not c.reason), key=lambda s: str(state_name(s))
        )
        states = form_field(self, "states", forms.ModelMultipleChoiceField)
        states.queryset = State.objects.filter(pk__in=[s.pk for s in askable])
        # Listed in the reader's language and alphabet order, not by the stored English name.
        states.choices = [(s.pk, state_name(s)) for s in askable]

    def scope(self) -> list[Any]:
        """The points of contact this (valid) form would ask, for the confirmation step."""
        data = self.cleaned_data
        return selectors.check_scope(
            organisation=data["organisation"],
            state_ids={s.pk for s in data["states"]} or None,
            levels=list(data["levels"]) or None,
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "organisation": data["organisation"],
            "states": list(data["states"]) or None,
            "levels": list(data["levels"]) or None,
            "deadline": timedelta(minutes=data["deadline_minutes"]),
            "note": data["note"],
        }
