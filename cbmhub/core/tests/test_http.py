"""The one Content-Disposition builder (RFC 6266 with RFC 8187 ``filename*``) that every
download uses (issue 8, item 13)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from cbmhub.core.http import attachment_response, content_disposition, safe_filename

# The whole header: a disposition type, a quoted ASCII name with no quote or backslash inside,
# and the exact name percent-encoded; nothing before, between or after.
HEADER = re.compile(
    r'(attachment|inline); filename="[^"\\\x00-\x1f\x7f]*"; '
    r"filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]+"
)


def exact_name(header: str) -> str:
    found = re.findall(r"filename\*=UTF-8''([^;\s]*)", header)
    assert len(found) == 1, header
    return unquote(found[0], encoding="utf-8", errors="strict")


@pytest.mark.parametrize(
    ("name", "exact"),
    [
        ("SWG_OI_1262-Rev.3-source.txt", "SWG_OI_1262-Rev.3-source.txt"),
        ("Rev.3\nsecond line.txt", "Rev.3 second line.txt"),
        ("Rev.3\r\nX-Injected: yes.txt", "Rev.3 X-Injected: yes.txt"),
        ("Rev.3\"; filename*=UTF-8''evil.exe", "Rev.3\"; filename*=UTF-8''evil.exe"),
        ("Ред.3 — источник.txt", "Ред.3 — источник.txt"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\a\\report.csv", "report.csv"),
        ("\u202egpj.exe", "gpj.exe"),
        ("", "download"),
    ],
)
def test_header_is_valid_and_carries_the_exact_name_once(name, exact):
    header = content_disposition(name)
    assert header.startswith('attachment; filename="')
    assert header.isascii() and header.isprintable()  # no line break, nothing to MIME-encode
    assert exact_name(header) == exact
    # One quoted fallback and one filename*: a quote in the name cannot add parameters.
    assert HEADER.fullmatch(header), header


def test_inline_and_long_names():
    assert content_disposition("a.txt", inline=True).startswith('inline; filename="a.txt"')
    long = safe_filename("x" * 500 + ".txt")
    assert len(long) == 200 and long.endswith(".txt")


def test_attachment_response_sets_type_and_header():
    response = attachment_response(b"abc", filename="Ред.3.txt", content_type="text/plain")
    assert response["Content-Type"] == "text/plain"
    assert exact_name(response["Content-Disposition"]) == "Ред.3.txt"
    assert response.content == b"abc"


def test_every_download_uses_the_builder():
    # A header written by hand (f'attachment; filename="{name}"') or Django's FileResponse
    # naming the file itself would bypass the builder: none is left in the code.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "http.py":
            continue
        source = path.read_text(encoding="utf-8")
        for pattern in (r"filename=\"", r"filename=\{", r"as_attachment\s*=", r"filename\*="):
            if re.search(pattern, source):
                offenders.append(f"{path.relative_to(root)}: {pattern}")
    assert not offenders
