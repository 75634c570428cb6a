"""Precedent fixtures: three UN resolutions of 2023 (English and Russian) indexed, a CICA
negotiation with an adopted text (indexed: only CICA readers may see it) and a draft that
reuses its language and the UN's."""

from __future__ import annotations

import pytest

from cbmhub.conftest import SHARED_DIR
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services as negotiations
from cbmhub.precedent import services

UNSC = SHARED_DIR / "data/unsc"
UN_FILES = [
    "2023/English/S_RES_2672_E.xml",
    "2023/English/S_RES_2673_E.xml",
    "2023/English/S_RES_2677_E.xml",
    "2023/Russian/S_RES_2672_R.xml",
    "2023/Russian/S_RES_2677_R.xml",
]

ADOPTED = (
    "PP1. Recalling the commitment of member states to build trust through the exchange of "
    "information on cyber incidents of common concern;\n\n"
    "OP1. Agree to designate national points of contact for the security of and in the use of "
    "information and communications technologies;\n\n"
    "OP2. Decide to review the implementation of these measures at the next meeting of the "
    "Special Working Group.\n"
)
DRAFT = (
    "PP1. Recalling the commitment of member states to build trust through the exchange of "
    "information on serious cyber incidents of common concern;\n\n"
    "OP1. Agree to designate national points of contact for the security of and in the use of "
    "information and communications technologies;\n\n"
    "OP2. Invite the Chair to convene a workshop on [quantum computing] in the spring;\n\n"
    "OP3. Decides to remain actively seized of the matter.\n"
)
DRAFT_RU = (
    "PP1. ссылаясь на обязательство государств-членов укреплять доверие путем обмена "
    "информацией о серьезных киберинцидентах, представляющих общий интерес;\n\n"
    "OP1. соглашаются назначить национальные контактные пункты по вопросам безопасности "
    "информационно-коммуникационных технологий и их использования;\n\n"
    "OP3. постановляет продолжать активно заниматься этим вопросом.\n"
)


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    """Each test saves the search index in its own folder, and no process index is carried
    over from an earlier test."""
    from cbmhub.precedent import selectors

    # (cbmhub/conftest.py has already pointed the index at this test's own folder)
    yield settings.PRECEDENT_INDEX_DIR
    selectors._cache.update(stamp=None, index=None, versions=None, database=None)


@pytest.fixture
def un_texts(db):
    options = services.FileOptions(
        services.source_ensure(actor=SYSTEM, **services.UPLOADS_SOURCE), "", "en", ""
    )

    def un_source():
        return services.source_ensure(actor=SYSTEM, **services.UN_SOURCE)

    for name in UN_FILES:
        path = UNSC / name
        if not path.is_file():
            pytest.fail(f"UN resolution missing: {path} (expected ../shared/data/unsc)")
        services.file_index(actor=SYSTEM, path=path, options=options, un_source=un_source)


@pytest.fixture
def cica_negotiation(cica, swg, state_a, state_b, state_c):
    return negotiations.negotiation_create(
        actor=SYSTEM, organisation=cica, body=swg, title="ICT confidence-building measures"
    )


@pytest.fixture
def adopted(cica_negotiation):
    document = negotiations.document_create(
        actor=SYSTEM, negotiation=cica_negotiation, symbol="SWG/ICT/1", title="Adopted measures"
    )
    return negotiations.revision_import(
        actor=SYSTEM, document=document, data=ADOPTED.encode(), kind="adopted", number=None
    ).revision


@pytest.fixture
def draft(cica_negotiation, adopted, un_texts):
    document = negotiations.document_create(
        actor=SYSTEM, negotiation=cica_negotiation, symbol="SWG/ICT/2", title="Draft statement"
    )
    return negotiations.revision_import(
        actor=SYSTEM, document=document, data=DRAFT.encode(), kind="draft", number=None
    ).revision


ASEAN_ADOPTED = (
    "OP1. Encourage participating states to share national strategies on the resilience of "
    "submarine communication cables;\n"
)


@pytest.fixture
def asean_adopted(asean, state_a, state_b, state_c):
    """An adopted text of ASEAN, whose negotiations only state B takes part in."""
    from cbmhub.directory.models import Membership

    Membership.objects.create(state=state_b, organisation=asean, status="member")
    negotiation = negotiations.negotiation_create(
        actor=SYSTEM, organisation=asean, title="ARF work plan"
    )
    document = negotiations.document_create(
        actor=SYSTEM, negotiation=negotiation, symbol="ARF/ISM/7", title="Work plan"
    )
    return negotiations.revision_import(
        actor=SYSTEM, document=document, data=ASEAN_ADOPTED.encode(), kind="adopted", number=None
    ).revision
