import datetime as dt

import pytest
from django.utils import translation

from cbmhub.core.templatetags.cbmhub_format import breakable, duration


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


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("duty@cert.example.org", "duty<wbr>@cert<wbr>.example<wbr>.org"),
        ("America/Argentina/Salta", "America/<wbr>Argentina/<wbr>Salta"),
        ("https://hook.example/", "https://<wbr>hook<wbr>.example/"),
        ("+7 717 000", "+7 717 000"),
        ('<b>"x"</b>', "&lt;b&gt;&quot;x&quot;&lt;/<wbr>b&gt;"),
    ],
)
def test_breakable_lets_addresses_wrap_at_their_separators_and_escapes(text, html):
    assert breakable(text) == html


def test_content_lang_gives_content_its_own_direction():
    from django.template import Context, Template

    def attrs(language):
        return Template("{% load cbmhub_format %}<p{% content_lang x %}>").render(
            Context({"x": language})
        )

    assert attrs("en") == '<p lang="en" dir="ltr">'
    assert attrs("ar") == '<p lang="ar" dir="rtl">'
    assert attrs("fa-IR") == '<p lang="fa-IR" dir="rtl">'
    assert attrs("") == '<p dir="auto">'
    assert attrs('"><script>') == '<p dir="auto">'
