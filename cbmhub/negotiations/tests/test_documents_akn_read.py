"""read_akn: the public Akoma Ntoso reader (the precedent index builds on it)."""

from __future__ import annotations

import pytest

from cbmhub.conftest import shared_path
from cbmhub.negotiations.documents.akn import AknError, read_akn

RES_2722_EN = "unsc/2024/English/S_RES_2722-2400437E.xml"
RES_2722_RU = "unsc/2024/Russian/S_RES_2722-2400437R.xml"


def _data(name: str) -> bytes:
    return shared_path(f"data/{name}").read_bytes()


def test_reads_metadata_and_paragraphs_in_order():
    doc = read_akn(_data(RES_2722_EN))
    assert doc.work_uri == "/akn/un/statement/deliberation/unsc/2024-01-10/2722-2024/"
    assert doc.expression_uri.endswith("/2722-2024/eng@/")
    assert doc.symbol == "S/RES/2722 (2024)"
    assert doc.date == "2024-01-10"
    assert doc.language == "eng"
    assert doc.title == "Resolution 2722 (2024)"
    assert doc.doc_type == "statement" and doc.name == "resolution"
    assert doc.formula == "The Security Council,"
    assert [p.eid for p in doc.preamble][:2] == ["container_2", "container_3"]
    assert doc.preamble[0].text.startswith("Reaffirming its primary responsibility")
    first = doc.operative[0]
    assert (first.kind, first.num, first.eid) == ("operative", "1.", "para_10")
    assert first.text.startswith("Condemns in the strongest terms")
    # whitespace collapsed, no tabs or line breaks left
    assert all(
        "\t" not in p.text and "\n" not in p.text and p.text == p.text.strip()
        for p in doc.paragraphs
    )
    nums = [p.num for p in doc.operative if p.level == 0]
    assert nums[:5] == ["1.", "2.", "3.", "4.", "5."]
    kinds = [p.kind for p in doc.paragraphs]
    assert kinds.index("operative") == len(doc.preamble)  # preamble first, then operative


def test_russian_version_reads_its_language_and_skips_an_empty_title():
    doc = read_akn(_data(RES_2722_RU))
    assert doc.language == "rus"
    assert doc.symbol == "S/RES/2722 (2024)"
    assert doc.title.startswith("принятая Советом Безопасности")
    assert doc.operative[0].text.startswith("самым решительным образом осуждает")


def test_points_of_a_list_are_paragraphs_of_their_own():
    data = _data(RES_2722_EN)
    doc = read_akn(data)
    # every <num> of the file is read, each once
    assert sum(1 for p in doc.paragraphs if p.num) == data.count(b"<num>")
    xml = (
        b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
        b'<statement name="resolution"><mainBody>'
        b'<paragraph eId="para_1"><num>1.</num><list><intro><p>Decides:</p></intro>'
        b'<point eId="para_1__point_a"><num>(a)</num><content><p>to  meet;</p></content></point>'
        b"<sublist><point><num>(i)</num><content><p>soon</p></content></point></sublist>"
        b"</list></paragraph></mainBody></statement></akomaNtoso>"
    )
    got = [(p.num, p.text, p.level, p.eid) for p in read_akn(xml).paragraphs]
    assert got == [
        ("1.", "Decides:", 0, "para_1"),
        ("(a)", "to meet;", 1, "para_1__point_a"),
        ("(i)", "soon", 2, ""),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<akomaNtoso><statement>", "not well-formed XML"),
        (b"\x00\x01binary", "not well-formed XML"),
        (b"<html><body/></html>", "not an Akoma Ntoso 3.0 document: the root element is <html>"),
        (
            b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"/>',
            "holds no document element",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(data, message):
    with pytest.raises(AknError, match=message):
        read_akn(data)


def test_truncated_un_file_names_line_and_column():
    data = _data(RES_2722_EN)
    with pytest.raises(AknError) as info:
        read_akn(data[: len(data) // 2])
    assert "not well-formed XML" in str(info.value)
    assert "(line " in str(info.value) and ", column " in str(info.value)


def test_entities_are_not_expanded():
    data = (
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
        b'<statement><preamble><container eId="c"><p>&x;</p></container></preamble>'
        b"</statement></akomaNtoso>"
    )
    doc = read_akn(data)
    assert "root:" not in "".join(p.text for p in doc.paragraphs)
