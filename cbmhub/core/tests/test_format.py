import datetime as dt

import pytest
from django.utils import translation

from cbmhub.core.templatetags.cbmhub_format import duration


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (dt.timedelta(minutes=15), "15 minutes"),
        (dt.timedelta(hours=1), "1 hour"),
        (dt.timedelta(hours=4, minutes=30), "4 hours 30 minutes"),
        (dt.timedelta(days=1), "1 day"),
        (dt.timedelta(days=7), "7 days"),
        (dt.timedelta(0), "0 minutes"),
        (None, ""),
    ],
)
def test_duration_in_english(span, text):
    with translation.override("en"):
        assert duration(span) == text


def test_duration_in_russian_uses_plural_forms():
    with translation.override("ru"):
        assert duration(dt.timedelta(hours=1)) == "1 час"
        assert duration(dt.timedelta(hours=4)) == "4 часа"
        assert duration(dt.timedelta(days=7)) == "7 дней"
        assert duration(dt.timedelta(minutes=21)) == "21 минута"
