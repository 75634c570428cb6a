"""One way to name a download: the Content-Disposition header of RFC 6266.

Every download of the platform (revision texts, directory exports, hotline attachments, signed
records, check results) sets its header through ``content_disposition``. A name is built
from data people type (a revision label, an uploaded file's name), so it may hold a line
break (an invalid header: Django refuses it and the download answers 500), a ``"`` (which
would end the quoted name and let the rest add parameters of its own) or letters outside
ASCII (which a header cannot carry as they are). The header therefore carries the name twice:
``filename="..."``, an ASCII fallback with every other character replaced by ``_``, and
``filename*=UTF-8''...``, the exact name percent-encoded (RFC 8187), which browsers prefer.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

# RFC 8187 attr-char beyond letters and digits: what may stay unencoded in filename*.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"
_FALLBACK_KEEP = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$&'()+,-.@[]^_`{}~"
)
_MAX_NAME = 200  # characters; longer names are cut (keeping the extension)


def safe_filename(name: str) -> str:
    """The name a file is offered under: no directory part, no control characters, no line
    breaks, spaces collapsed, at most 200 characters with the extension kept; ``download``
    when nothing is left."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        " " if unicodedata.category(char)[0] in "CZ" else char for char in name
    )  # control, format, separator characters (line breaks included) become spaces
    cleaned = " ".join(cleaned.split()).strip(". ")
    if len(cleaned) > _MAX_NAME:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            cleaned = stem[: _MAX_NAME - len(extension) - 1].rstrip() + "." + extension
        else:
            cleaned = cleaned[:_MAX_NAME].rstrip()
    return cleaned or "download"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''exact`` (``inline`` to show it in the
    browser rather than save it)."""
    exact = safe_filename(name)
    fallback = "".join(
        char if char in _FALLBACK_KEEP else "_"
        for char in unicodedata.normalize("NFKD", exact)
        if not unicodedata.combining(char)
    )
    encoded = quote(exact, safe=_ATTR_CHAR_SAFE, encoding="utf-8")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def attachment_response(
    content: bytes | str, *, filename: str, content_type: str, inline: bool = False
) -> HttpResponse:
    """An ``HttpResponse`` with ``content`` offered for download under ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
