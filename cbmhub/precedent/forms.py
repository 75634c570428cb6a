"""The precedent search form (page); the API checks the same fields with its serializer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import FILTER_KINDS, ParagraphKind
from .engine import MAX_QUERY_CHARS
from .selectors import SearchFilters

# A field that refuses a 1 MB query politely: the form accepts the text and the engine's
# QueryError says how long is too long (a max_length would only say "at most N characters").
QUERY_LIMIT = MAX_QUERY_CHARS * 200


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
