"""PDF of a revision (the podium version) and of the comparison of two revisions.

    data = podium_pdf(doc, meta)                 # brackets shaded by depth, tags, labels
    data = comparison_pdf(old_analysis, new_analysis, meta)   # insertions and deletions marked

The page is HTML rendered by WeasyPrint (``cbmhub.core.publishing.html_to_pdf``) with the
DejaVu fonts, which cover Latin, Cyrillic (Kazakh letters included), Greek and Arabic; pages
are numbered "page / pages". No Django template: ``cbmhub text pdf`` runs with no database.
"""

from __future__ import annotations

import logging
import re
from html import escape

from cbmhub.negotiations.notation import Analysis, Document, Gap, Paragraph

from .docx import BRACKET_SHADES, DocMeta, Run, changed_runs, runs_of, sequence

RTL = frozenset({"ar", "fa", "he", "ur"})

_CSS = """
@page { size: A4; margin: 22mm 20mm 22mm 20mm;
  @bottom-center { content: counter(page) " / " counter(pages);
    font-family: "DejaVu Sans", sans-serif; font-size: 8.5pt; color: #555; }
  @top-right { content: "%(running)s"; font-family: "DejaVu Sans", sans-serif;
    font-size: 8pt; color: #777; } }
body { font-family: "DejaVu Serif", serif; font-size: 11pt; line-height: 1.45; }
header { border-bottom: 1px solid #999; margin-bottom: 14pt; padding-bottom: 6pt; }
header .symbol { font-family: "DejaVu Sans", sans-serif; text-align: right; font-size: 9.5pt; }
header h1 { font-size: 15pt; margin: 8pt 0 4pt; text-align: center; }
header .meta { text-align: center; font-size: 9.5pt; color: #333; }
.legend { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #333; margin: 0 0 10pt; }
.legend span { padding: 0 3pt; }
p { margin: 0 0 7pt; white-space: pre-wrap; overflow-wrap: anywhere; orphans: 2; widows: 2; }
p.blank { margin: 0; height: 0; }
.label { font-weight: bold; }
.d1 { background: #%(d1)s; } .d2 { background: #%(d2)s; } .d3 { background: #%(d3)s; }
.position { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; font-weight: bold;
  color: #1f4e79; white-space: nowrap; }
.note { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; font-style: italic;
  color: #7b3f00; }
.stray { color: #b00; font-weight: bold; }
.struck { text-decoration: line-through; }
em { font-style: italic; } strong { font-weight: bold; }
ins { text-decoration: underline; color: #0a5d00; background: #e6f4e1; }
del { text-decoration: line-through; color: #a00000; background: #fbe3e3; }
p.added { border-left: 3pt solid #0a5d00; padding-left: 5pt; }
p.removed { border-left: 3pt solid #a00000; padding-left: 5pt; }
p.changed { border-left: 3pt solid #c08000; padding-left: 5pt; }
"""


def _css(meta: DocMeta) -> str:
    running = meta.symbol.replace("\\", "").replace('"', "'")
    return _CSS % {
        "running": running,
        "d1": BRACKET_SHADES[0],
        "d2": BRACKET_SHADES[1],
        "d3": BRACKET_SHADES[2],
    }


def _classes(run: Run) -> tuple[str, ...]:
    classes = []
    if run.depth:
        classes.append(f"d{min(run.depth, 3)}")
    if run.kind in ("label", "position", "note", "stray"):
        classes.append(run.kind)
    if run.struck:
        classes.append("struck")
    return (*classes, "i" if run.italic else "", "b" if run.bold else "")


def _merged(runs: list[Run]) -> list[Run]:
    """Neighbouring runs that look the same as one: ``[]`` repeated is one shaded span, not
    two per bracket (WeasyPrint's time grows with the number of boxes)."""
    out: list[Run] = []
    for run in runs:
        if out and _classes(out[-1]) == _classes(run) and run.kind not in ("position", "note"):
            last = out[-1]
            out[-1] = Run(
                last.text + run.text, last.struck, last.italic, last.bold, last.depth, last.kind
            )
        else:
            out.append(run)
    return out


def _runs_html(runs: list[Run]) -> str:
    return "".join(_run_html(run) for run in _merged(runs))


# A break opportunity after every 60 characters without a space: a long unbroken string (a
# URL, a hostile text) wraps instead of running off the page, and WeasyPrint's line breaking
# of one very long word is quadratic.
_LONG_WORD = re.compile(r"\S{60}(?=\S)")


def _breakable(text: str) -> str:
    parts = []
    position = 0
    for match in _LONG_WORD.finditer(text):
        parts.append(escape(text[position : match.end()]))
        position = match.end()
    parts.append(escape(text[position:]))
    return "<wbr>".join(parts)


def _run_html(run: Run) -> str:
    classes = list(_classes(run)[:-2])
    html = _breakable(run.text)
    if run.italic:
        html = f"<em>{html}</em>"
    if run.bold:
        html = f"<strong>{html}</strong>"
    return f'<span class="{" ".join(classes)}">{html}</span>' if classes else html


def _page(meta: DocMeta, body: str, legend: str = "") -> str:
    lang = escape(meta.language or "en")
    direction = "rtl" if (meta.language or "en").split("-")[0].lower() in RTL else "ltr"
    header = ['<header><div class="symbol">', escape(meta.symbol), "</div>"]
    if meta.title:
        header.append(f"<h1>{escape(meta.title)}</h1>")
    line = " · ".join(escape(x) for x in (meta.revision, meta.date) if x)
    if line:
        header.append(f'<div class="meta">{line}</div>')
    header.append("</header>")
    return (
        f'<!DOCTYPE html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{escape(meta.title or meta.symbol)}</title><style>{_css(meta)}</style></head>"
        f"<body>{''.join(header)}{legend}{body}</body></html>"
    )


def podium_html(doc: Document, meta: DocMeta) -> str:
    """The podium version as an HTML page: every paragraph as written, labels in bold,
    bracketed text shaded by depth (darker deeper), position tags and notes set apart, struck
    text struck. Blank lines between paragraphs are kept as paragraph breaks."""
    parts: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Gap):
            continue
        parts.append(_paragraph_html(block))
    legend = (
        '<div class="legend"><span class="d1">[ ]</span> <span class="d2">[[ ]]</span>'
        ' <span class="d3">[[[ ]]]</span> <span class="position">(+ / −)</span></div>'
    )
    return _page(meta, "".join(parts), legend)


def _paragraph_html(paragraph: Paragraph) -> str:
    return "<p>" + _runs_html(runs_of(paragraph)) + "</p>"


def _to_pdf(html: str) -> bytes:
    from cbmhub.core.publishing import html_to_pdf  # noqa: PLC0415 - WeasyPrint is heavy

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # no progress lines on stdout
    return html_to_pdf(html)


def podium_pdf(doc: Document, meta: DocMeta) -> bytes:
    return _to_pdf(podium_html(doc, meta))


def comparison_html(
    old: Analysis,
    new: Analysis,
    meta: DocMeta,
    *,
    old_label: str = "",
    legend: tuple[str, str] = ("inserted", "deleted"),
) -> str:
    """The later revision with the changes from the earlier marked: inserted text underlined
    in green, deleted text struck in red, paragraphs added, removed or changed flagged in the
    margin."""
    parts: list[str] = []
    for kind, before, after in sequence(old, new):
        if kind == "delete":
            assert before is not None
            body = _runs_html(runs_of(before.node))
            parts.append(f'<p class="removed"><del>{body}</del></p>')
        elif kind == "insert":
            assert after is not None
            body = _runs_html(runs_of(after.node))
            parts.append(f'<p class="added"><ins>{body}</ins></p>')
        else:
            assert before is not None and after is not None
            ops = changed_runs(before, after)
            changed = any(op != "equal" for op, _ in ops)
            html = []
            for op, runs in ops:
                body = _runs_html(runs)
                html.append(body if op == "equal" else f"<{op[:3]}>{body}</{op[:3]}>")
            css = ' class="changed"' if changed else ""
            parts.append(f"<p{css}>{''.join(html)}</p>")
    against = f" ← {escape(old_label)}" if old_label else ""
    key = (
        f'<div class="legend"><ins>{escape(legend[0])}</ins> <del>{escape(legend[1])}</del>'
        f"{against}</div>"
    )
    return _page(meta, "".join(parts), key)


def comparison_pdf(
    old: Analysis,
    new: Analysis,
    meta: DocMeta,
    *,
    old_label: str = "",
    legend: tuple[str, str] = ("inserted", "deleted"),
) -> bytes:
    """``legend``: the words for inserted and deleted text, in the reader's language."""
    return _to_pdf(comparison_html(old, new, meta, old_label=old_label, legend=legend))
