"""One-click outputs, built as ``core.publishing.Publication`` and rendered as PDF or DOCX in the
reader's UI language:

- the compiled publication of a cycle (e.g. an annual security outlook): a contents page, then
  per measure the submissions that may be published (visibility *public*, submitted or
  acknowledged), each under its state's heading; nil returns listed as such;
- the progress report of a plan: initiatives held vs planned, participation (states that took
  part in a held initiative, of the members), and a roll-up over the tree (held and planned
  initiatives per item from the top of the plan's branch down to its measure and below it,
  counting every plan under each item).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from cbmhub.core.publishing import Contents, Heading, PageBreak, Paragraph, Publication, Table

from . import selectors
from .choices import InitiativeStatus, SubmissionKind, SubmissionStatus, Visibility
from .models import Initiative, Measure, Plan, ReportingCycle, Submission


def publishable(cycle: ReportingCycle) -> list[Submission]:
    """The submissions of a cycle that may be published: public, and submitted (or
    acknowledged). Drafts and anything of narrower visibility never appear."""
    return list(
        Submission.objects.filter(
            cycle=cycle,
            visibility=Visibility.PUBLIC,
            status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACKNOWLEDGED],
        )
        .select_related("measure", "state")
        .order_by("measure__sort_key", "state__name")
    )


def cycle_publication(cycle: ReportingCycle, *, language: str) -> Publication:
    with translation.override(language):
        submissions = publishable(cycle)
        pub = Publication(
            title=f"{cycle.instrument} {cycle.year}",
            subtitle=_("Compiled national submissions — %(catalogue)s")
            % {"catalogue": cycle.catalogue.title},
            language=language,
        )
        pub.add(Contents(title=_("Contents")), PageBreak())
        by_measure: dict[int, list[Submission]] = defaultdict(list)
        measures: dict[int, Measure] = {}
        for submission in submissions:
            by_measure[submission.measure_id].append(submission)
            measures[submission.measure_id] = submission.measure
        if not submissions:
            pub.add(Paragraph(_("No submission of this cycle may be published yet.")))
        for measure_id, entries in by_measure.items():
            measure = measures[measure_id]
            pub.add(Heading(f"{measure.code} {measure.text[:150]}", 1))
            for submission in entries:
                pub.add(Heading(submission.state.name, 2))
                pub.add(*_submission_blocks(submission))
        pub.add(
            Heading(_("Participation"), 1),
            Paragraph(
                _("%(count)d publishable submission(s) from %(states)d state(s).")
                % {"count": len(submissions), "states": len({s.state_id for s in submissions})}
            ),
        )
        return pub


def _submission_blocks(submission: Submission) -> list[Any]:
    if submission.kind == SubmissionKind.NIL_RETURN:
        return [Paragraph(_("Nothing new since %(year)s.") % {"year": submission.nil_since_year})]
    blocks: list[Any] = []
    if submission.title:
        blocks.append(Paragraph(submission.title, style="center"))
    blocks.extend(Paragraph(part) for part in submission.text.split("\n\n") if part.strip())
    return blocks


def _in_rollup(code: str, plan_code: str) -> bool:
    """Rows of a plan's roll-up: the items above its measure and the measure's own subtree."""
    return plan_code.startswith(code + ".") or code == plan_code or code.startswith(plan_code + ".")


def _rollup(plan: Plan) -> list[list[str]]:
    """Held / planned initiatives of every plan under each item from the top of the plan's
    branch down to its measure and below it (a parent's figures include its children's). Only
    the branch is read, so the report does not grow with the rest of the catalogue."""
    top = plan.measure.code.split(".")[0]
    branch = Measure.objects.filter(catalogue_id=plan.measure.catalogue_id).filter(
        Q(code=top) | Q(code__startswith=top + ".")
    )
    codes = dict(branch.values_list("pk", "code"))
    texts = dict(branch.values_list("code", "text"))
    counts: dict[str, Counter] = defaultdict(Counter)
    rows = Initiative.objects.filter(plan__measure__in=branch).values_list(
        "plan__measure_id", "status"
    )
    for measure_id, status in rows:
        parts = codes[measure_id].split(".")
        for depth in range(1, len(parts) + 1):
            counts[".".join(parts[:depth])][status] += 1
    shown = [code for code in counts if _in_rollup(code, plan.measure.code)]
    shown.sort(key=lambda c: [int(p) if p.isdigit() else 0 for p in c.split(".")])
    return [
        [
            code,
            texts.get(code, "")[:80],
            str(counts[code][InitiativeStatus.HELD]),
            str(sum(counts[code].values())),
        ]
        for code in shown
    ]


def plan_figures(plan: Plan) -> dict[str, Any]:
    initiatives = list(plan.initiatives.all())
    held = [i for i in initiatives if i.status == InitiativeStatus.HELD]
    participants = {p.pk for i in held for p in i.participants.all()}
    members = len(selectors.participating_states(plan.measure.catalogue.organisation_id))
    return {
        "initiatives": initiatives,
        "planned": len(initiatives),
        "held": len(held),
        "by_status": Counter(i.status for i in initiatives),
        "participants": len(participants),
        "members": members,
    }


def plan_report(plan: Plan, *, language: str) -> Publication:
    with translation.override(language):
        figures = plan_figures(plan)
        pub = Publication(
            title=_("Progress report: %(plan)s") % {"plan": plan.title},
            subtitle=f"{plan.measure.code} · {plan.from_year}–{plan.to_year}",
            language=language,
        )
        pub.add(Contents(title=_("Contents")))
        pub.add(Heading(_("Summary"), 1))
        pub.add(
            Paragraph(
                _("Initiatives held: %(held)d of %(planned)d planned.")
                % {"held": figures["held"], "planned": figures["planned"]}
            ),
            Paragraph(
                _("Participation: %(count)d of %(members)d member states took part.")
                % {"count": figures["participants"], "members": figures["members"]}
            ),
        )
        if plan.objectives:
            pub.add(Heading(_("Objectives"), 1), Paragraph(plan.objectives))
        pub.add(Heading(_("Initiatives"), 1), _initiative_table(figures["initiatives"]))
        pub.add(
            Heading(_("Roll-up over the catalogue"), 1),
            Table(
                columns=[_("Code"), _("Measure"), _("Held"), _("Planned")],
                rows=_rollup(plan),
            ),
        )
        return pub


def _initiative_table(initiatives: list[Initiative]) -> Table:
    return Table(
        columns=[_("Year"), _("Initiative"), _("Kind"), _("Lead state"), _("Status"), _("Outcome")],
        rows=[
            [
                str(i.year),
                i.title,
                str(i.get_kind_display()),
                i.lead_state.name if i.lead_state else "",
                str(i.get_status_display()),
                i.outcome,
            ]
            for i in initiatives
        ],
    )
