"""How the directory shows contact addresses: ``{{ channel.value|email_address }}``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def email_address(value: str) -> SafeString:
    """An e-mail address that may wrap only before its "@", never inside the domain: a reader
    copies "duty@cert.example.org" from a narrow column, and "cert." at a line's end reads as a
    full stop. A value without "@" is shown as it is (escaped)."""
    local, at, domain = str(value).rpartition("@")
    if not at or not local:
        return format_html("{}", value)
    return format_html('{}<wbr>@<span class="nowrap">{}</span>', local, domain)
