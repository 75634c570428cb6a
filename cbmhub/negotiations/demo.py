# ruff: noqa: E501 - each paragraph of the demo text is one line, as in circulated texts
"""Demo negotiation: a CICA draft ministerial statement on confidence in the use of ICTs, in
two revisions, so that the document view and the comparison have something to show. The text
is invented for CBM Hub (not taken from any real document); it uses the demo directory's
delegation codes, one code the directory does not know (GCC) and one unmatched ']' in Rev.1,
so that every panel of the revision page has content. Idempotent: nothing is added when the
demo document exists. Runs after the directory and accounts demos, through the services."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from cbmhub.accounts.models import User
from cbmhub.core.roles import SYSTEM
from cbmhub.directory.models import Body
from cbmhub.directory.selectors import organisation_detail

from . import services
from .choices import RevisionKind
from .models import Document, Negotiation

SYMBOL = "SWG/DEMO/2026/7"
TITLE = "Draft Ministerial Statement on Confidence and Cooperation in the Use of ICTs"
NEGOTIATION = "Ministerial Statement on ICT confidence building (demo)"

_HEAD = """DRAFT STATEMENT OF THE MINISTERS OF FOREIGN AFFAIRS OF THE CICA MEMBER STATES ON CONFIDENCE AND COOPERATION IN THE USE OF INFORMATION AND COMMUNICATIONS TECHNOLOGIES

{rev} (demonstration text written for CBM Hub)

We, the Ministers of Foreign Affairs of the Member States of the Conference on Interaction and Confidence-Building Measures in Asia,

PP1. Recalling the commitments our States have made to build trust through practical, voluntary and transparent measures;

"""

REV_1 = (
    _HEAD.format(rev="Rev.1")
    + """\
PP2. Noting with concern that incidents involving information and communications technologies can [spread across borders within minutes and] (+KAZ) (+MGL) lead to misperception [and unintended escalation] (-CHN) between States;

PP3. [Emphasising the [central] (+RUS) (-ISR) role of [national computer emergency response teams] (+THA, +VIE) in preventing the escalation of incidents,] (+IND) (-PAL) (CHAIR: merge with PP2?)

PP4. Welcoming the list of national points of contact at technical, diplomatic and high levels kept by the Secretariat;] (TURKEY: add "updated twice a year")

OP1. Agree to keep our national points of contact current and to confirm them [at least twice a year] (+KAZ) (-IRAN with reservation) through communication checks organised by the Secretariat;

OP2. Decide to answer a request for information received through the contact network [within 72 hours] (+MGL, +THA, -CHN) [~~within a reasonable time~~] and to acknowledge its receipt without delay;

OP3. [Encourage Member States to share, on a voluntary basis, [national policies,] (+ROK) [white papers] (-PAK) and [best practices] on the security of and in the use of ICTs;] (+BANGL), (+QATAR)

OP4. Request the Secretariat to [prepare an annual report on the implementation of this Statement] (+UAE) (-IND) (+GCC);

OP4 altern. Request the Secretariat to inform the Senior Officials Committee of the implementation of this Statement when the Committee so requests; (IND, PAK: prefer this text)

OP5. Decide to remain seized of the matter.
"""
)

REV_2 = (
    _HEAD.format(rev="Rev.2")
    + """\
PP2. Noting with concern that incidents involving information and communications technologies can spread across borders within minutes and lead to misperception [and unintended escalation] (-CHN) (+RUS) between States;

PP3. [Emphasising the [central [and indispensable] (-ISR) (+IRAN)] (+RUS) role of national computer emergency response teams in preventing the escalation of incidents,] (+IND) (-PAL)

PP4. Welcoming the list of national points of contact at technical, diplomatic and high levels, updated twice a year by the Secretariat;

PP5. Mindful of the diversity of national legal systems and of the voluntary nature of confidence-building measures;

OP1. Agree to keep our national points of contact current and to confirm them [at least [twice] (+KAZ) [once] (+IRAN with reservation) a year] through communication checks organised by the Secretariat;

OP2. Decide to answer a request for information received through the contact network [within three working days] (+CHN, +MGL) (-THA) and to acknowledge its receipt without delay;

OP3. Encourage Member States to share, on a voluntary basis, national policies, white papers and best practices on the security of and in the use of ICTs;

OP4. Request the Secretariat to [prepare an annual report on the implementation of this Statement] (+UAE) (-IND) (IND, PAK: prefer a report on request);

OP5. [Decide to hold a tabletop exercise on the contact network in [2027] (+KAZ) [2028] (+CHN);] (-ISR) (+TURKEY)

OP6. Decide to remain seized of the matter.
"""
)


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def load(*, stdout=None) -> dict[str, int]:
    cica = organisation_detail(acronym="CICA")
    if cica is None:
        _say(stdout, "negotiations demo: skipped (directory demo data missing)")
        return {}
    if Document.objects.filter(organisation=cica, symbol=SYMBOL).exists():
        _say(stdout, "negotiations demo: already loaded")
        return {}
    # The demo's secretariat officer does the work when it exists (its name shows as the
    # importer); otherwise the demo is the system acting, explicitly (never an unchecked None).
    officer = User.objects.filter(username="secretariat", organisation=cica).first()
    actor = officer or SYSTEM
    swg = Body.objects.filter(organisation=cica, acronym="SWG").first()
    negotiation = Negotiation.objects.filter(organisation=cica, title=NEGOTIATION).first()
    if negotiation is None:
        negotiation = services.negotiation_create(
            actor=actor,
            organisation=cica,
            body=swg,
            title=NEGOTIATION,
            description="Invented for the demonstration: two revisions of a draft statement.",
        )
    document = services.document_create(
        actor=actor, negotiation=negotiation, symbol=SYMBOL, title=TITLE, language="en"
    )
    for number, text, date in ((1, REV_1, dt.date(2026, 3, 2)), (2, REV_2, dt.date(2026, 4, 14))):
        services.revision_import(
            actor=actor,
            document=document,
            data=text.encode("utf-8"),
            kind=RevisionKind.REV,
            number=number,
            date=date,
            source_name=f"demo-rev{number}.txt",
        )
    _say(stdout, f"negotiations demo: {SYMBOL} with Rev.1 and Rev.2")
    return {"documents": 1, "revisions": 2}
