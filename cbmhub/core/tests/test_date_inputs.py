"""Date and time inputs carry ISO values in every UI language (issue 10, item 1): the browser's
pickers reject a localised value (26.08.2026) and show the field empty, so saving erased it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import translation

from cbmhub.directory.forms import MembershipForm, PointOfContactForm
from cbmhub.negotiations.forms import RevisionImportForm

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DAY = dt.date(2026, 8, 26)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_input_renders_its_value_in_iso(language):
    forms_and_fields = [
        (PointOfContactForm(initial={"last_verified": DAY}), "last_verified"),
        (MembershipForm(initial={"since": DAY, "until": DAY}), "since"),
        (MembershipForm(initial={"since": DAY, "until": DAY}), "until"),
        (RevisionImportForm(initial={"date": DAY}), "date"),
    ]
    with translation.override(language):
        for form, name in forms_and_fields:
            html = str(form[name])
            assert 'type="date"' in html, (name, html)
            assert 'value="2026-08-26"' in html, (language, name, html)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reply_deadline_renders_and_parses_iso_local_time(language, alice):
    from cbmhub.hotline.forms import ComposeForm

    moment = dt.datetime(2026, 8, 26, 14, 30, tzinfo=dt.UTC)
    with translation.override(language):
        html = str(ComposeForm(user=alice, initial={"reply_deadline": moment})["reply_deadline"])
        assert 'type="datetime-local"' in html
        assert 'value="2026-08-26T14:30"' in html, (language, html)
        field = ComposeForm(user=alice).fields["reply_deadline"]
        assert field.clean("2026-08-26T14:30") == moment
