# ruff: noqa: E501  (the golden texts are kept whole, one per line, as in the programme)
"""The outline importer against the real extraction of the ADMM work programme (corpus 003)."""

from __future__ import annotations

from cbmhub.conftest import shared_path
from cbmhub.measures.outline import parse_outline

ADMM = "corpus/003_189b4ceabe74947f.txt"

# Every item of the programme: code → (parent, text), as the golden record.
GOLDEN: dict[str, tuple[str, str]] = {
    "1": ("", "PROMOTING REGIONAL DEFENSE AND SECURITY COOPERATION"),
    "1.1": (
        "1",
        "Promote understanding of defense and security policies, structures, systems and developments",
    ),
    "1.1.1": (
        "1.1",
        "Enhance transparency and openness through voluntary briefings on national defense and security policies, structures, systems and developments",
    ),
    "1.1.2": (
        "1.1",
        "Share information materials through voluntary briefings or exchanges of national defense and security policies, structures, systems and developments, including dissemination of such information to defense universities, military academies and staff colleges, think tanks and similar institutions",
    ),
    "1.1.3": (
        "1.1",
        "Support the holding of the Track-Two events, including the conduct of conferences, workshops and seminars on defense and security issues and challenges",
    ),
    "1.2": ("1", "Build upon existing and future defense and military interaction and cooperation"),
    "1.2.1": (
        "1.2",
        "Place under its purview and provide guidance to existing and future defense and military officials’ dialogue and cooperation in which ASEAN defense officials participate",
    ),
    "1.2.2": (
        "1.2",
        "Enhance consultation and cooperation on regional defense and security matters between ASEAN and its friends and Dialogue Partners",
    ),
    "1.2.3": (
        "1.2",
        "Promote an open and outward looking policy by engaging ASEAN friends and Dialogue Partners, through an ADMM Plus process, at a pace comfortable to all",
    ),
    "2": ("", "SHAPING AND SHARING OF NORMS"),
    "2.1": (
        "2",
        "Support the development and adoption of norms that promote regional peace and security",
    ),
    "2.1.1": ("2.1", "Support the development of an ASEAN Charter"),
    "2.1.2": (
        "2.1",
        "Support the accession to the Treaty of Amity and Cooperation by non-ASEAN countries",
    ),
    "2.1.3": (
        "2.1",
        "Contribute to the full implementation of the Declaration on the Conduct of Parties in the South China Sea and support the adoption of a regional code of conduct in the South China Sea",
    ),
    "2.1.4": (
        "2.1",
        "Support the resolution of outstanding issues to ensure the signing of Nuclear Weapons States to the Protocol to the South East Asian Nuclear Weapons Free Zone Treaty",
    ),
    "2.1.5": ("2.1", "Support the implementation of an ASEAN Convention on Counter-Terrorism"),
    "2.1.6": (
        "2.1",
        "Support the development and adoption of norms to promote ASEAN maritime security cooperation",
    ),
    "2.1.7": (
        "2.1",
        "Support the development and adoption of norms that promote cooperation on non-traditional security concerns, as well as transnational and transboundary security challenges",
    ),
    "2.2": (
        "2",
        "Promote the development of norms that enhance ASEAN defense and security cooperation",
    ),
    "2.2.1": (
        "2.2",
        "Contribute towards implementation of agreements on defense and security cooperation",
    ),
    "2.2.2": (
        "2.2",
        "Initiate preparatory work for the development of practical cooperation programs among the militaries of ASEAN Member Countries",
    ),
    "2.2.3": (
        "2.2",
        "Explore and promote agreements on the status of visiting forces between ASEAN Member Countries",
    ),
    "3": ("", "CONFLICT PREVENTION"),
    "3.1": (
        "3",
        "Promote mutual trust and confidence through greater understanding of defense and security issues and challenges",
    ),
    "3.1.1": (
        "3.1",
        "Exchange views on regional and international defense and security issues and challenges",
    ),
    "3.1.2": (
        "3.1",
        "Share information materials on perceptions of regional and international defense and security issues and challenges through the publication and exchange of national security outlooks, defense white papers and similar materials, with a view towards providing inputs for the publication of an annual ASEAN Security Outlook.",
    ),
    "3.1.3": (
        "3.1",
        "Provide relevant inputs towards the development of an ASEAN early warning system to prevent occurrence / escalation of conflicts",
    ),
    "3.2": ("3", "Strengthen confidence-building measures"),
    "3.2.1": ("3.2", "Promote transparency and openness"),
    "3.2.1.1": (
        "3.2.1",
        "Organize regional exchanges among ASEAN defense and military officials at all levels, including among ASEAN military academies and staff colleges",
    ),
    "3.2.1.2": (
        "3.2.1",
        "Promote the exchange of observers in military exercises, commensurate with the capability and condition of each ASEAN Member Country",
    ),
    "3.2.1.3": ("3.2.1", "Share information on submissions to the UN Arms Register"),
    "3.2.2": (
        "3.2",
        "Promote cooperation on disaster relief and emergency operations for humanitarian purposes",
    ),
    "3.2.2.1": (
        "3.2.2",
        "Share best practices and national Standard Operating Procedures (SOPs) in the conduct of disaster relief and emergency response operations that involve military participation",
    ),
    "3.2.2.2": (
        "3.2.2",
        "Promote voluntary inputs to a database that includes an inventory of military capabilities for the planning of disaster relief and emergency response operations in support of the ASEAN Stand-by Arrangement on Disaster Management and Emergency Response",
    ),
    "3.2.2.3": (
        "3.2.2",
        "Undertake a needs assessment to identify areas of cooperation for capacity building",
    ),
    "3.2.2.4": (
        "3.2.2",
        "Develop coordination mechanisms for military participation and consider the conduct of combined training and exercises in disaster relief and emergency response operations",
    ),
    "3.2.2.5": (
        "3.2.2",
        "Consider establishing more links and coordination mechanisms between the ASEAN member states to enable efficient and faster delivery of aid in times of emergency.",
    ),
    "3.2.3": ("3.2", "Promote cooperation on non-traditional security concerns"),
    "3.2.3.1": (
        "3.2.3",
        "Identify, prioritize and undertake practical cooperation on non-traditional security concerns, as well as transnational and transboundary security challenges",
    ),
    "3.2.3.2": ("3.2.3", "Promote maritime security cooperation"),
    "4": ("", "CONFLICT RESOLUTION"),
    "4.1": ("4", "Promote the development of mechanisms for the peaceful settlement of disputes"),
    "4.1.1": (
        "4.1",
        "Provide relevant inputs to the study and analysis of existing modes of dispute settlement and the development of additional mechanisms",
    ),
    "4.1.2": (
        "4.1",
        "Provide relevant inputs to the research and studies on conflict management and resolution",
    ),
    "4.2": ("4", "Develop regional cooperation for maintenance of peace and stability"),
    # "peace keeping": two words in the source, and both are words; not decidable, kept.
    "4.2.1": ("4.2", "Take stock of existing peace keeping capabilities of ASEAN Member Countries"),
    "4.2.2": (
        "4.2",
        "Undertake a needs assessment to identify areas of cooperation for capacity building",
    ),
    "4.2.3": (
        "4.2",
        "Establish a network among ASEAN peacekeeping centers to conduct joint planning, training and sharing of experiences with a view to establishing an ASEAN Arrangement for the maintenance of peace and stability.",
    ),
    "4.2.4": (
        "4.2",
        "Utilize existing and planned national peacekeeping centers in ASEAN Member Countries to establish regional arrangements for the maintenance of peace and stability",
    ),
    "4.2.5": (
        "4.2",
        "Exchange of experiences for peacekeeping operations with a view to developing a regional arrangement for the maintenance of peace and stability",
    ),
    "5": ("", "POST-CONFLICT PEACE BUILDING"),
    "5.1": ("5", "Strengthen rendition of humanitarian assistance in conflict areas"),
    "5.1.1": (
        "5.1",
        "Share best practices in such areas as the establishment of safe havens for displaced persons, and military participation in humanitarian crisis management and assistance and post-conflict resolution and rehabilitation",
    ),
    "5.1.2": (
        "5.1",
        "Support the development of coordination forms for military participation in humanitarian crisis management and assistance and post-conflict and rehabilitation",
    ),
}


def _admm():
    return parse_outline(shared_path(ADMM).read_text(encoding="utf-8"))


def test_every_item_with_its_code_parent_and_text():
    outline = _admm()
    assert [item.code for item in outline.items] == list(GOLDEN)
    for item in outline.items:
        assert (item.parent, item.text) == GOLDEN[item.code], item.code


def test_counts_per_level():
    # 5 chapters, 9 sections, 31 measures, 10 sub-measures: 55 items.
    assert _admm().counts_by_level() == {1: 5, 2: 9, 3: 31, 4: 10}
    assert len(_admm().items) == 55


def test_the_split_words_are_rejoined_and_reported_by_line():
    repairs = {(r.line, r.before, r.after) for r in _admm().repairs}
    assert repairs == {
        (1, "COOPERAT ION", "COOPERATION"),
        (28, "no rms", "norms"),
        (55, "gr eater", "greater"),
        (76, "emerge ncy", "emergency"),
        (92, "secur ity", "security"),
        (105, "maintena nce", "maintenance"),
        (121, "assistanc e", "assistance"),
    }


def test_the_real_file_places_every_line():
    assert _admm().diagnostics == []


def test_codes_without_period_and_lying_indentation():
    outline = parse_outline("1. A\n        1.1 B\n1.1.1 C\n   wrapped\n\n  over lines\n2 D\n")
    assert [(i.code, i.parent, i.text) for i in outline.items] == [
        ("1", "", "A"),
        ("1.1", "1", "B"),
        ("1.1.1", "1.1", "C wrapped over lines"),
        ("2", "", "D"),
    ]


def test_a_bare_number_that_is_not_the_next_item_is_text():
    outline = parse_outline("1. Workshops\nheld in\n2022 online\n")
    assert [(i.code, i.text) for i in outline.items] == [("1", "Workshops held in 2022 online")]


def test_lines_that_cannot_be_placed_are_diagnostics_with_lines():
    text = "Preamble text\n1. A\n1.1. B\n3.4.1. Orphan\n  its continuation\n1.1. Again\n1.2. C\n"
    outline = parse_outline(text)
    assert [i.code for i in outline.items] == ["1", "1.1", "1.2"]
    assert [(d.line, d.message) for d in outline.diagnostics] == [
        (1, "Text before the first numbered item; not placed."),
        (4, "The code 3.4.1 has no parent item 3.4; not placed."),
        (5, "Text after an item that could not be placed; not placed."),
        (6, "The code 1.1 appears a second time; not placed."),
    ]


def test_a_missing_sibling_is_a_warning_and_the_item_is_kept():
    outline = parse_outline("1. A\n1.1. B\n1.3. D\n")
    assert [i.code for i in outline.items] == ["1", "1.1", "1.3"]
    assert [(d.line, d.message) for d in outline.diagnostics] == [
        (3, "The item 1.2 is missing before 1.3.")
    ]


def test_the_json_shape():
    data = parse_outline("1. A\n1.1. B\n").as_json()
    assert data["items"] == [
        {"code": "1", "parent": None, "text": "A", "line": 1},
        {"code": "1.1", "parent": "1", "text": "B", "line": 2},
    ]
    assert data["diagnostics"] == [] and data["counts"] == {"1": 1, "2": 1}


def test_linear_on_a_large_outline():
    # 10 000 items parse (no quadratic step); a timing is for the benchmark, not here.
    text = "\n".join(f"1.{n}. Item {n}" for n in range(1, 10_000))
    outline = parse_outline("1. Root\n" + text)
    assert len(outline.items) == 10_000
