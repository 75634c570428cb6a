"""The after-action report of a run, as one ``core.publishing.Publication`` (PDF and DOCX
carry the same text): per state and per level the time to acknowledge and to reply, the
expectations met, the unanswered injects, a timeline chart, the evaluators' scores, the
questionnaire's lessons learned (anonymised unless the run says otherwise), recommendations,
and the comparison with the scenario's earlier runs. Every figure comes from
``selectors.run_results`` (the hotline's records)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cbmhub.core.publishing import Heading, Paragraph, Publication, Table
from cbmhub.directory.choices import Level

from . import selectors
from .models import Feedback, Run
from .selectors import Figures, Outcome, Results

BAR_WIDTH = 30  # characters of the longest bar of the timeline chart


def duration(seconds: float | None) -> str:
    """h:mm:ss on the run's clock; "—" when it did not happen."""
    if seconds is None:
        return "—"
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def offset_text(outcome_or_seconds: float) -> str:
    return "+" + duration(outcome_or_seconds)


def _level(level: str) -> str:
    return str(Level(level).label) if level in Level.values else _("nobody acknowledged")


def _met(f: Figures) -> str:
    return f"{f.met} / {f.expected}"


def _figure_rows(f: Figures) -> list[list[str]]:
    return [
        [_("Injects sent to states"), str(f.injects)],
        [_("Acknowledged"), str(f.acknowledged)],
        [_("Median time to acknowledge"), duration(f.median_ack)],
        [_("Slowest acknowledgement"), duration(f.max_ack)],
        [_("Answered"), str(f.replied)],
        [_("Median time to reply"), duration(f.median_reply)],
        [_("Expectations met"), _met(f)],
        [_("Unanswered injects"), str(f.unanswered)],
    ]


def _state_table(results: Results) -> Table:
    return Table(
        columns=[
            _("State"),
            _("Injects"),
            _("Acknowledged"),
            _("Median time to acknowledge"),
            _("Answered"),
            _("Median time to reply"),
            _("Expectations met"),
            _("Unanswered"),
        ],
        rows=[
            [
                f"{state.name} ({state.iso3})",
                str(f.injects),
                str(f.acknowledged),
                duration(f.median_ack),
                str(f.replied),
                duration(f.median_reply),
                _met(f),
                str(f.unanswered),
            ]
            for state, f in results.by_state
        ],
    )


def _level_table(results: Results) -> Table:
    return Table(
        columns=[
            _("State"),
            _("Level"),
            _("Injects"),
            _("Acknowledged"),
            _("Median time to acknowledge"),
            _("Answered"),
            _("Median time to reply"),
        ],
        rows=[
            [
                state.iso3,
                _level(level),
                str(f.injects),
                str(f.acknowledged),
                duration(f.median_ack),
                str(f.replied),
                duration(f.median_reply),
            ]
            for state, level, f in results.by_state_level
        ],
    )


def _chart(results: Results) -> Table:
    """The timeline chart: one bar per inject and state, as long as the time to acknowledge
    (░ for an acknowledgement that never came)."""
    run = results.run
    times = [o.seconds(o.facts.acknowledged_at, run.speed) for o in results.outcomes]
    longest = max((t for t in times if t is not None), default=0.0) or 1.0
    rows = []
    for outcome, seconds in zip(results.outcomes, times, strict=True):
        if seconds is None:
            bar = "░" * BAR_WIDTH
        else:
            bar = "█" * max(1, round(BAR_WIDTH * seconds / longest))
        rows.append(
            [
                offset_text(outcome.item.inject.offset.total_seconds()),
                outcome.state.iso3,
                bar,
                duration(seconds),
            ]
        )
    return Table(columns=[_("Offset"), _("State"), _("Time to acknowledge"), ""], rows=rows)


def _unanswered(results: Results) -> list[Outcome]:
    return [o for o in results.outcomes if o.unanswered]


def _scores(results: Results) -> Table:
    rows = [
        [
            offset_text(o.item.inject.offset.total_seconds()),
            o.item.inject.subject,
            o.state.iso3,
            str(s.expectation) if s.expectation_id else _("overall"),
            "—" if s.score is None else str(s.score),
            s.comment,
        ]
        for o in results.outcomes
        for s in o.scores
    ]
    return Table(
        columns=[_("Offset"), _("Inject"), _("State"), _("Expectation"), _("Score"), _("Comment")],
        rows=rows,
    )


def _feedback(run: Run) -> list[Paragraph]:
    paragraphs = []
    for n, row in enumerate(Feedback.objects.filter(run=run).select_related("user", "state"), 1):
        who = (
            _("Respondent %d") % n
            if run.anonymise
            else f"{row.user.get_username()} ({row.state.iso3 if row.state else '—'})"
        )
        for label, text in (
            (_("Went well"), row.went_well),
            (_("To improve"), row.to_improve),
            (_("Recommendation"), row.recommendation),
        ):
            if text:
                paragraphs.append(Paragraph(f"{who} — {label}: {text}"))
    return paragraphs or [Paragraph(_("No questionnaire answers yet."), style="small")]


def recommendations(results: Results) -> list[str]:
    """What the figures suggest, state by state."""
    found = []
    for state, f in results.by_state:
        if f.unanswered:
            found.append(
                _(
                    "%(state)s left %(n)d inject(s) unanswered: check that its points of contact "
                    "at the exercise level are current and reachable."
                )
                % {"state": state.name, "n": f.unanswered}
            )
        if f.expected and f.met < f.expected:
            found.append(
                _("%(state)s met %(met)d of %(expected)d expectations: review its procedure.")
                % {"state": state.name, "met": f.met, "expected": f.expected}
            )
    return found or [_("Every expectation was met.")]


def _comparison(run: Run) -> Table:
    rows = []
    for past, f in [*selectors.earlier_runs(run), (run, selectors.run_results(run).overall)]:
        rate = f"{round(100 * f.acknowledged / f.injects)}%" if f.injects else "—"
        rows.append(
            [
                str(past.number),
                timezone.localtime(past.started_at).strftime("%Y-%m-%d")
                if past.started_at
                else "—",
                str(f.injects),
                rate,
                duration(f.median_ack),
                duration(f.median_reply),
                _met(f),
            ]
        )
    return Table(
        columns=[
            _("Run"),
            _("Started"),
            _("Injects"),
            _("Acknowledged"),
            _("Median time to acknowledge"),
            _("Median time to reply"),
            _("Expectations met"),
        ],
        rows=rows,
    )


def run_report(run: Run) -> Publication:
    results = selectors.run_results(run)
    scenario = run.scenario
    pub = Publication(
        title=_("After-action report: %(title)s, run %(number)d")
        % {"title": scenario.title, "number": run.number},
        language=get_language() or "en",
        subtitle=f"{scenario.organisation.acronym} · EXERCISE",
    )
    started = (
        timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M") if run.started_at else "—"
    )
    pub.add(
        Paragraph(
            _("Started %(started)s · status %(status)s · clock ×%(speed)d · lead state %(lead)s")
            % {
                "started": started,
                "status": run.get_status_display(),
                "speed": run.speed,
                "lead": scenario.sender_state.name,
            }
        ),
        Paragraph(_("Times are on the run's clock (h:mm:ss from the sending of each inject).")),
        Heading(_("Objectives")),
        Paragraph(scenario.objectives or "—"),
        Heading(_("Overall")),
        Table(columns=[_("Figure"), _("Value")], rows=_figure_rows(results.overall)),
        Heading(_("Per state")),
        _state_table(results),
        Heading(_("Per state and level")),
        _level_table(results),
        Heading(_("Unanswered injects")),
        Table(
            columns=[_("Offset"), _("Inject"), _("State")],
            rows=[
                [
                    offset_text(o.item.inject.offset.total_seconds()),
                    o.item.inject.subject,
                    o.state.iso3,
                ]
                for o in _unanswered(results)
            ],
        ),
        Heading(_("Timeline chart")),
        _chart(results),
        Heading(_("Evaluators' scores and comments")),
        _scores(results),
        Heading(_("Lessons learned")),
        *_feedback(run),
        Heading(_("Recommendations")),
        *[Paragraph(text) for text in recommendations(results)],
        Heading(_("Comparison with earlier runs")),
        _comparison(run),
    )
    return pub
