"""Exercises in the Django admin (operators): the library and the runs, read to support them.
Runs are driven through the console and the API (the services), never edited here: an edited
clock or status would disagree with what the hotline recorded."""

from django.contrib import admin

from .models import Expectation, Feedback, Inject, Run, RunInject, Scenario, ScenarioMember, Score


class MemberInline(admin.TabularInline):
    model = ScenarioMember
    extra = 0


class ExpectationInline(admin.TabularInline):
    model = Expectation
    extra = 0


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "control_cell", "sender_state", "created_at"]
    list_filter = ["organisation", "control_cell"]
    search_fields = ["title"]
    inlines = [MemberInline]
    filter_horizontal = ["states"]


@admin.register(Inject)
class InjectAdmin(admin.ModelAdmin):
    list_display = ["scenario", "offset", "kind", "subject"]
    list_filter = ["kind"]
    search_fields = ["subject", "scenario__title"]
    inlines = [ExpectationInline]


class RunInjectInline(admin.TabularInline):
    model = RunInject
    extra = 0
    fields = ["inject", "status", "due_at", "sent_at", "note"]
    readonly_fields = ["inject", "status", "due_at", "sent_at", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["scenario", "number", "status", "speed", "started_at", "ended_at"]
    list_filter = ["status"]
    inlines = [RunInjectInline]
    readonly_fields = [
        "scenario",
        "number",
        "status",
        "speed",
        "started_at",
        "paused_at",
        "ended_at",
        "paused_total",
        "started_by",
    ]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False  # runs are prepared through the service (console, API)


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["run_inject", "state", "expectation", "met", "score", "evaluator"]
    readonly_fields = ["run_inject", "state", "expectation", "evaluator"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    # Who answered is not shown: the questionnaire is anonymised by default.
    list_display = ["run", "submitted_at"]
    exclude = ["user", "state"]
    readonly_fields = ["run", "went_well", "to_improve", "recommendation"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False
