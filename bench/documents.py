"""Benchmark of the negotiation documents (cbmhub/negotiations/documents; no Django needed).

    .venv/bin/python bench/documents.py [--corpus PATH] [--repeat N] [--no-pdf]

The corpus text (by default ../shared/corpus/004_b9720b24e8ee2ca3.txt beside the repository,
16 pages as a podium PDF) is repeated to about 40 and about 400 pages (100 KB and 1 MB), and
each size is, with the parse and analysis done beforehand so that only the writer is timed:

- written as .docx (``export_docx``);
- compared with an edited copy as .docx with tracked changes (``compare_docx``: the paragraph
  alignment, a word diff of each changed paragraph, the OOXML): in every repetition of the
  corpus a tag added to PP4, PP5b's brackets removed, PP5e-alt deleted, a word changed in PP6,
  a paragraph inserted, PP7 moved and part of PP2 struck;
- written as Akoma Ntoso (``write_akn``) and, apart, validated against the strict XSD;
- rendered as the podium PDF (``podium_pdf``, WeasyPrint), with its page count.

It prints CPU seconds (process time: the machine is shared, so wall time measures the load
as much as the code) per size and the ratio of the large size to the small one: the text is
10 times longer, so a near-linear writer shows a ratio near 10 (target: at most 12).
Best of N runs (default 3; the PDF once at 400 pages).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cbmhub.negotiations.documents.akn import AknMeta, validate_akn, write_akn  # noqa: E402
from cbmhub.negotiations.documents.docx import DocMeta, compare_docx, export_docx  # noqa: E402
from cbmhub.negotiations.notation import analyse, parse  # noqa: E402
from cbmhub.negotiations.tests.docreaders import revised_copy  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/004_b9720b24e8ee2ca3.txt"
SIZES = [("40 pages", 104_000), ("400 pages", 1_040_000)]  # 16 pages = 41.9 KB
META = DocMeta(title="Draft statement", symbol="SWG/OI/1262", revision="Rev.3", date="2022-10-04")


def repeated(text: str, size: int) -> str:
    """The text repeated and cut at the paragraph break nearest below ``size`` characters."""
    long = "\n\n".join([text] * (size // max(1, len(text)) + 2))
    cut = long.rfind("\n\n", 0, size)
    return long[: cut if cut > 0 else size]


def best(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(repeat):
        start = time.process_time()
        result = run()
        times.append(time.process_time() - start)
    return min(times), result


def pdf_pages(data: bytes) -> int:
    """Pages, as pdfinfo (poppler) counts them; 0 when it is not installed."""
    try:
        done = subprocess.run(
            ["pdfinfo", "-"], input=data, capture_output=True, check=True, timeout=120
        )
    except (OSError, subprocess.SubprocessError):
        return 0
    for line in done.stdout.decode(errors="replace").splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def measure(doc: Any, old: Any, new: Any, repeat: int, *, pdf: bool) -> dict[str, Any]:
    akn = AknMeta(title="Draft statement", symbol="SWG/OI/1262", language="en")
    timings = {
        "docx export": best(lambda: export_docx(doc, META), repeat),
        "docx tracked compare": best(lambda: compare_docx(old, new, META), repeat),
        "AKN export": best(lambda: write_akn(doc, akn), repeat),
    }
    xml = timings["AKN export"][1]
    assert isinstance(xml, bytes)
    timings["AKN validate (XSD)"] = best(lambda: validate_akn(xml), 1)
    assert timings["AKN validate (XSD)"][1] == []
    if pdf:
        from cbmhub.negotiations.documents.pdf import podium_pdf  # noqa: PLC0415

        timings["PDF podium"] = best(lambda: podium_pdf(doc, META), 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true", help="leave the PDF out (slow)")
    args = parser.parse_args()
    base = args.corpus.read_text(encoding="utf-8")
    edited = revised_copy(base)
    print(f"corpus: {args.corpus} ({len(base.encode())} bytes), best of {args.repeat}")
    rows: dict[str, list[float]] = {}
    small = parse(base[:5000])  # warm up: imports, the XSD compiled once
    measure(small, analyse(small), analyse(small), 1, pdf=not args.no_pdf)
    for name, size in SIZES:
        text, other = repeated(edited, size), repeated(base, size)
        doc, new, old = parse(text), analyse(parse(text)), analyse(parse(other))
        timings = measure(doc, old, new, args.repeat, pdf=not args.no_pdf)
        print(f"\n{name}: {len(text.encode()):,} bytes, {len(new.paragraphs):,} paragraphs")
        for label, (seconds, result) in timings.items():
            extra = ""
            if isinstance(result, bytes):
                extra = f"{len(result):>12,} bytes"
                if label.startswith("PDF"):
                    extra += f", {pdf_pages(result)} pages"
            print(f"  {label:<22} {seconds:8.3f} s  {extra}")
            rows.setdefault(label, []).append(seconds)
    print("\nratio 400 pages / 40 pages (10x the text; target <= 12x)")
    for label, (small, large) in rows.items():
        print(f"  {label:<22} {large / small:6.1f}x")


if __name__ == "__main__":
    main()
