"""The precedent search form (page); the API checks the same fields with its serializer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cbmhub.core.forms import DateInput

from .choices import FILTER_KINDS, ParagraphKind
from .engine import MAX_QUERY_CHARS
from .selectors import SearchFilters

# A field that refuses a 1 MB query politely: the form accepts the text and the engine's
# QueryError says how long is too long (a max_length would only say "at most N characters").
QUERY_LIMIT = MAX_QUERY_CHARS * 200
MAX_UPLOAD_BYTES = 4 * 1024 * 1024


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=QUERY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A phrase, a sentence or a paragraph."),
    )
    phrase = forms.BooleanField(label=_("Exact phrase"), required=False)
    lang = forms.ChoiceField(label=_("Language"), required=False)
    body = forms.ChoiceField(label=_("Body"), required=False)
    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=1945, max_value=2100
    )
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1945, max_value=2100)
    kind = forms.ChoiceField(label=_("Paragraphs"), required=False)

    def __init__(self, *args: Any, languages: list[str], bodies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("any"))]
        self.fields["lang"].choices = anything + [(code, code) for code in languages]  # type: ignore[attr-defined]
        self.fields["body"].choices = anything + [(name, name) for name in bodies]  # type: ignore[attr-defined]
        self.fields["kind"].choices = anything + [  # type: ignore[attr-defined]
            (kind.value, ParagraphKind(kind).label) for kind in FILTER_KINDS
        ]

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        return SearchFilters(
            language=data.get("lang") or "",
            body=data.get("body") or "",
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            kind=data.get("kind") or "",
        )


class UploadForm(forms.Form):
    """A text to add to the precedent index: Akoma Ntoso (.xml) or the notation (.txt)."""

    file = forms.FileField(label=_("File (Akoma Ntoso or text in the notation)"))
    date = forms.DateField(label=_("Date of adoption"), widget=DateInput())
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    body = forms.CharField(label=_("Body"), max_length=120, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file has %(size)s bytes; at most %(max)s are accepted."),
                params={"size": upload.size, "max": MAX_UPLOAD_BYTES},
            )
        return upload
