"""Exercises: communication drills and tabletop exercises run over the real hotline
and exchange.

A *scenario* is a reusable plan (the library): who takes part, who controls, what is sent when,
and what each recipient is expected to do. A *run* is one execution of a scenario on a clock:
its injects go out through the hotline's own services, and what happened is read back from the
hotline's records (receipts' acknowledgements and replies), never from link clicks."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from cbmhub.core.models import TimeStampedModel
from cbmhub.directory.choices import Level
from cbmhub.exchange.choices import Tlp as ExchangeTlp

from . import choices


class Scenario(TimeStampedModel):
    """A reusable exercise plan: its title and objectives, the organisation it runs in, the
    participating states (whose points of contact play, by level), the control cell (the
    organisation's secretariat or a lead state), the state in whose name injects are sent (the
    lead state; with a secretariat control cell, the host state playing the counterpart), and
    whether exercise messages may be escalated above the exercise level (never by default)."""

    title = models.CharField(max_length=200)
    objectives = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, related_name="exercise_scenarios"
    )
    control_cell = models.CharField(
        max_length=16, choices=choices.ControlCell.choices, default=choices.ControlCell.SECRETARIAT
    )
    sender_state = models.ForeignKey(
        "directory.State",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The lead state, in whose name the injects are sent.",
    )
    states = models.ManyToManyField(
        "directory.State", related_name="exercise_scenarios", help_text="Participating states."
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.TECHNICAL)
    escalation_allowed = models.BooleanField(
        default=False,
        help_text="Exercise messages may be escalated to higher-level points of contact.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ScenarioMember(models.Model):
    """A person named in a scenario beside the players: a member of the control cell, an
    evaluator (who scores and comments), or an observer (who follows the run)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=choices.MemberRole.choices)

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "user"], name="exercises_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Inject(models.Model):
    """One step of a scenario's timeline, at ``offset`` from the start: a hotline message from
    a template, a communication check, a STIX incident in the run's exercise collection of the
    exchange, or a manual inject the control cell plays by hand. It may wait for an earlier
    inject to be acknowledged or answered (``after`` + ``wait_for``, by ``after_state`` or by every
    recipient), or be sent only on a condition (``condition``). ``translations`` holds the same
    text in other languages: ``{"ru": {"subject": …, "body": …}}``."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="injects")
    position = models.PositiveIntegerField(default=0)
    offset = models.DurationField(help_text="Time from the start of the run.")
    kind = models.CharField(max_length=32, choices=choices.InjectKind.choices)
    recipients = models.ManyToManyField(
        "directory.State", blank=True, related_name="+", help_text="Empty: every participant."
    )
    subject = models.CharField(max_length=180)
    body = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="en")
    translations = models.JSONField(default=dict, blank=True)
    after = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="dependents"
    )
    after_state = models.ForeignKey(
        "directory.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wait_for = models.CharField(
        max_length=16, choices=choices.WaitFor.choices, blank=True, default=""
    )
    condition = models.CharField(
        max_length=24, choices=choices.Condition.choices, default=choices.Condition.ALWAYS
    )
    tlp = models.CharField(
        max_length=16,
        choices=ExchangeTlp.choices,
        default=ExchangeTlp.GREEN,
        help_text="An exchange inject: the TLP level its STIX objects are shared under.",
    )
    check_deadline = models.DurationField(
        default=timedelta(hours=1), help_text="A communication check's deadline."
    )

    class Meta:
        ordering = ["scenario_id", "offset", "position", "id"]
        constraints = [
            models.CheckConstraint(
                name="exercises_inject_dependency",
                condition=(Q(wait_for="") & Q(condition="always")) | Q(after__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"+{self.offset} {self.subject}"


class Expectation(models.Model):
    """What each recipient state is expected to do after an inject, within a time: acknowledge
    or reply (decided from the hotline's records), share indicators or convene a consultation
    (judged by an evaluator, or by a checker another app registers)."""

    inject = models.ForeignKey(Inject, on_delete=models.CASCADE, related_name="expectations")
    kind = models.CharField(max_length=24, choices=choices.ExpectationKind.choices)
    within = models.DurationField()

    class Meta:
        ordering = ["inject_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["inject", "kind"], name="exercises_expectation_unique"),
            models.CheckConstraint(
                name="exercises_within_positive", condition=Q(within__gt=timedelta(0))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.within}"


class Run(TimeStampedModel):
    """One execution of a scenario. Its clock: an inject is due at ``started_at + offset /
    speed`` (``speed`` > 1 is an accelerated clock, for drills in a hurry and for tests),
    shifted by every pause. The report names respondents only when ``anonymise`` is off."""

    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, related_name="runs")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=8, choices=choices.RunStatus.choices, default=choices.RunStatus.READY
    )
    speed = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    paused_total = models.DurationField(default=timedelta(0))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymise = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "number"], name="exercises_run_number"),
            models.CheckConstraint(name="exercises_run_speed", condition=Q(speed__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} — run {self.number}"


class RunInject(models.Model):
    """An inject in one run: when it is due on the run's clock, and what became of it."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="run_injects")
    inject = models.ForeignKey(Inject, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=8, choices=choices.InjectStatus.choices, default=choices.InjectStatus.PENDING
    )
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run_id", "due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "inject"], name="exercises_run_inject_unique")
        ]

    def __str__(self) -> str:
        return f"{self.run} / {self.inject}"


class RunDelivery(models.Model):
    """What an inject became for one recipient state: the hotline message (on the exercise
    channel between the sending state and that state), the communication check, or the STIX
    report shared in the run's exercise collection of the exchange."""

    run_inject = models.ForeignKey(RunInject, on_delete=models.CASCADE, related_name="deliveries")
    state = models.ForeignKey("directory.State", on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(
        "hotline.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    communication_check = models.ForeignKey(
        "hotline.CommunicationCheck",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stix_collection = models.ForeignKey(
        "exchange.Collection",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="An exchange inject: the exercise collection it was shared in.",
    )
    stix_id = models.CharField(
        max_length=300, blank=True, help_text="An exchange inject: its STIX report's id."
    )

    class Meta:
        ordering = ["run_inject_id", "state__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["run_inject", "state"], name="exercises_run_delivery_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_inject} → {self.state}"


class Score(models.Model):
    """An evaluator's judgement of one state's handling of one inject: a score (0–5), a comment
    and, for an expectation no record decides (indicators shared, consultation convened),
    whether it was met."""

    run_inject = models.ForeignKey(RunInject, on_delete=models.CASCADE, related_name="scores")
    state = models.ForeignKey("directory.State", on_delete=models.PROTECT, related_name="+")
    expectation = models.ForeignKey(
        Expectation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    met = models.BooleanField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run_inject_id", "state_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run_inject", "state", "expectation"],
                condition=Q(expectation__isnull=False),
                name="exercises_score_unique",
            ),
            models.UniqueConstraint(
                fields=["run_inject", "state"],
                condition=Q(expectation__isnull=True),
                name="exercises_score_overall_unique",
            ),
            models.CheckConstraint(
                name="exercises_score_range", condition=Q(score__isnull=True) | Q(score__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_inject} {self.state}: {self.score}"


class Feedback(models.Model):
    """One participant's answers to the after-action questionnaire: what went well, what to
    improve (lessons learned) and a recommendation. Shown without name or state unless the
    run's report is not anonymised."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.ForeignKey(
        "directory.State", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    went_well = models.TextField(blank=True)
    to_improve = models.TextField(blank=True)
    recommendation = models.TextField(blank=True)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "user"], name="exercises_feedback_unique")
        ]

    def __str__(self) -> str:
        # Never the respondent's name: the questionnaire is anonymised by default.
        return f"{self.run}: answers #{self.pk}"
