"""Negotiations fixtures: a CICA negotiation with one document, a short text in the notation,
and a document of another organisation (ASEAN) that only state B takes part in."""

from __future__ import annotations

import pytest

from cbmhub.conftest import SHARED_DIR
from cbmhub.core.roles import SYSTEM
from cbmhub.negotiations import services

# The seed text beside the repository (../shared/corpus); tests that need it fail clearly
# when it is missing rather than being skipped.
CORPUS_004 = SHARED_DIR / "corpus/004_b9720b24e8ee2ca3.txt"

SHORT_TEXT = (
    "PP1. Recalling our shared commitments;\n"
    "\n"
    "PP2. Stressing the [importance [of timely] (+KAZ) replies] (-MNG) (+CHAIR) to requests;"
    " (THA: consider PP1)\n"
    "\n"
    "OP1. Agree to confirm contacts [twice a year] (+KAZ, -MNG with reservation) (+XYZ);\n"
    "\n"
    "OP2. Decide to meet again.] \n"
)


@pytest.fixture
def corpus_004() -> bytes:
    if not CORPUS_004.is_file():
        pytest.fail(
            f"corpus text missing: {CORPUS_004} (expected ../shared/corpus beside the repo)"
        )
    return CORPUS_004.read_bytes()


@pytest.fixture
def negotiation(cica, swg):
    return services.negotiation_create(
        actor=SYSTEM, organisation=cica, body=swg, title="Statement on ICT confidence"
    )


@pytest.fixture
def document(negotiation, state_a, state_b, state_c):
    return services.document_create(
        actor=SYSTEM, negotiation=negotiation, symbol="SWG/OI/9001", title="Draft statement"
    )


@pytest.fixture
def revision(document, sam):
    return services.revision_import(
        actor=sam, document=document, data=SHORT_TEXT.encode(), kind="rev", number=1
    ).revision


@pytest.fixture
def asean_document(asean, state_b):
    """A document of an organisation that state B takes part in and states A and C do not."""
    from cbmhub.directory.models import Membership

    Membership.objects.create(state=state_b, organisation=asean, status="member")
    negotiation = services.negotiation_create(
        actor=SYSTEM, organisation=asean, title="ASEAN work plan"
    )
    document = services.document_create(
        actor=SYSTEM, negotiation=negotiation, symbol="ARF/ISM/1", title="Work plan"
    )
    services.revision_import(
        actor=SYSTEM, document=document, data=SHORT_TEXT, kind="draft", number=None
    )
    return document
