"""Exercises pages: the scenario library, a scenario's plan and import, the control console of
a run (start, pause, resume, inject now, skip, end; a live timeline refreshed by htmx), the
player's view of their own injects and the questionnaire, scores, and the after-action report
as PDF or DOCX in one click.

Reads go through the selectors (a scenario or run outside the user's view is a 404); writes
through the services, which check the actor again."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cbmhub.core import publishing
from cbmhub.core.errors import DomainError, Forbidden
from cbmhub.core.forms import add_domain_error
from cbmhub.core.htmx import is_partial
from cbmhub.core.http import attachment_response, safe_filename
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import State

from . import permissions, plan, report, selectors, services
from .forms import FeedbackForm, ImportForm, RunForm, ScenarioForm, ScoreForm
from .models import Expectation, Run

RUN_ACTIONS = {
    "start": services.run_start,
    "pause": services.run_pause,
    "resume": services.run_resume,
    "end": services.run_end,
}
INJECT_ACTIONS = {"now": services.run_inject_now, "skip": services.run_inject_skip}
POLL_SECONDS = 5


@login_required
@require_GET
def scenario_list(request: HttpRequest) -> HttpResponse:
    scenarios = list(selectors.scenario_list(request.user).order_by("title"))
    runs = selectors.run_list(request.user).order_by("-created_at")[:50]
    can_create = selectors.organisations_for_scenarios(request.user).exists()
    return render(
        request,
        "exercises/list.html",
        {"scenarios": scenarios, "runs": runs, "can_create": can_create},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest) -> HttpResponse:
    """A new scenario in the library; its injects are then imported or added through the API."""
    organisations = selectors.organisations_for_scenarios(request.user)
    if not organisations.exists():
        raise Forbidden(_("Only the secretariat or a lead state's focal point may do this."))
    form = ScenarioForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_create(actor=request.user, **form.cleaned_data)
        except Forbidden:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("exercises:scenario", scenario_id=scenario.pk)
    status = 400 if form.errors else 200
    return render(request, "exercises/scenario_form.html", {"form": form}, status=status)


def _scenario_context(request: HttpRequest, scenario: Any, **extra: Any) -> dict[str, Any]:
    user = request.user
    plan_visible = permissions.sees_plan(user, scenario)
    return {
        "scenario": scenario,
        "control": permissions.is_control(user, scenario),
        "sees_plan": plan_visible,
        "injects": selectors.scenario_injects(scenario) if plan_visible else [],
        "players": selectors.scenario_players(scenario)
        if permissions.sees_results(user, scenario)
        else [],
        "runs": selectors.run_list(user, scenario).order_by("-number"),
        "import_form": ImportForm(),
        "run_form": RunForm(),
        **extra,
    }


@login_required
@require_GET
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.access_scenario(request.user, scenario_id)
    return render(request, "exercises/scenario.html", _scenario_context(request, scenario))


@login_required
@require_POST
def scenario_import(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.access_scenario(request.user, scenario_id)
    if not permissions.is_control(request.user, scenario):
        raise Forbidden(_("Only the control cell of this exercise may do this."))
    form = ImportForm(request.POST, request.FILES)
    problems: list[dict[str, Any]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = plan.read_file(upload.read(), upload.name)
            injects = services.scenario_import(actor=request.user, scenario=scenario, rows=rows)
        except plan.PlanError as error:
            form.add_error("file", str(error))
        except DomainError as error:
            add_domain_error(form, error)
            problems = error.details
        else:
            flash.success(request, _("%d injects imported.") % len(injects))
            return redirect("exercises:scenario", scenario_id=scenario.pk)
    context = _scenario_context(request, scenario, import_form=form, problems=problems)
    return render(request, "exercises/scenario.html", context, status=400)


@login_required
@require_POST
def scenario_copy(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.access_scenario(request.user, scenario_id)
    copy = services.scenario_copy(actor=request.user, scenario=scenario)
    flash.success(request, _("Copied: change the plan of the copy."))
    return redirect("exercises:scenario", scenario_id=copy.pk)


@login_required
@require_POST
def run_create(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.access_scenario(request.user, scenario_id)
    form = RunForm(request.POST)
    if form.is_valid():
        try:
            run = services.run_create(actor=request.user, scenario=scenario, **form.cleaned_data)
        except Forbidden:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("exercises:run", run_id=run.pk)
    context = _scenario_context(request, scenario, run_form=form)
    return render(request, "exercises/scenario.html", context, status=400)


def _console_context(request: HttpRequest, run: Run) -> dict[str, Any]:
    user = request.user
    scenario = run.scenario
    context: dict[str, Any] = {
        "run": run,
        "scenario": scenario,
        "control": permissions.is_control(user, scenario),
        "may_score": permissions.may_score(user, scenario),
        "sees_plan": permissions.sees_plan(user, scenario),
        "poll_seconds": POLL_SECONDS if run.status in ("running", "paused") else 0,
    }
    if permissions.sees_results(user, scenario):
        context["timeline"] = selectors.run_timeline(run)
        context["console"] = True
    else:
        context["timeline"] = selectors.player_injects(user, run)
        context["console"] = False
    return context


@login_required
@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.access_run(request.user, run_id)
    context = _console_context(request, run)
    if context["may_score"]:
        context["outcomes"] = selectors.run_outcomes(run)
        context["score_form"] = ScoreForm()
    context["feedback_form"] = FeedbackForm()
    return render(request, "exercises/run.html", context)


@login_required
@require_GET
def run_timeline(request: HttpRequest, run_id: int) -> HttpResponse:
    """The live timeline alone (htmx polls it; the whole page otherwise)."""
    run = selectors.access_run(request.user, run_id)
    if not is_partial(request):
        return redirect("exercises:run", run_id=run.pk)
    return render(request, "exercises/_timeline.html", _console_context(request, run))


def _done(request: HttpRequest, run: Run) -> HttpResponse:
    if is_partial(request):
        return render(request, "exercises/_timeline.html", _console_context(request, run))
    return redirect("exercises:run", run_id=run.pk)


@login_required
@require_POST
def run_action(request: HttpRequest, run_id: int, action: str) -> HttpResponse:
    run = selectors.access_run(request.user, run_id)
    service = RUN_ACTIONS.get(action)
    if service is None:
        raise Http404("No such action.")
    try:
        run = service(actor=request.user, run=run)
    except Forbidden:
        raise
    except DomainError as error:
        flash.error(request, error.message)
    return _done(request, selectors.access_run(request.user, run.pk))


@login_required
@require_POST
def run_inject_action(request: HttpRequest, run_id: int, item_id: int, action: str) -> HttpResponse:
    run = selectors.access_run(request.user, run_id)
    item = selectors.access_run_inject(request.user, run, item_id)
    service = INJECT_ACTIONS.get(action)
    if service is None:
        raise Http404("No such action.")
    try:
        service(actor=request.user, run_inject=item)
    except Forbidden:
        raise
    except DomainError as error:
        flash.error(request, error.message)
    return _done(request, run)


@login_required
@require_POST
def run_score(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.access_run(request.user, run_id)
    if not permissions.may_score(request.user, run.scenario):
        raise Forbidden(_("Only an evaluator of this exercise may score it."))
    form = ScoreForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("The score was not saved: %s") % form.errors.as_text())
        return redirect("exercises:run", run_id=run.pk)
    data = form.cleaned_data
    item = selectors.access_run_inject(request.user, run, data["item"])
    state = State.objects.filter(pk=data["state"]).first()
    expectation = (
        Expectation.objects.filter(pk=data["expectation"], inject_id=item.inject_id).first()
        if data["expectation"]
        else None
    )
    if state is None or (data["expectation"] and expectation is None):
        raise Http404("No such state or expectation.")
    try:
        services.score_set(
            actor=request.user,
            run_inject=item,
            state=state,
            expectation=expectation,
            met=data["met"],
            score=data["score"],
            comment=data["comment"],
        )
    except Forbidden:
        raise
    except DomainError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("Score saved."))
    return redirect("exercises:run", run_id=run.pk)


@login_required
@require_POST
def run_feedback(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.access_run(request.user, run_id)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_submit(actor=request.user, run=run, **form.cleaned_data)
        except Forbidden:
            raise
        except DomainError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, _("Thank you: your answers are saved."))
    return redirect("exercises:run", run_id=run.pk)


@login_required
@require_GET
def run_report(request: HttpRequest, run_id: int, fmt: str) -> HttpResponse:
    """The after-action report in one click, as PDF or DOCX."""
    if fmt not in ("pdf", "docx"):
        raise Http404("No such format.")
    run = selectors.access_run(request.user, int_or_404(run_id))
    if not permissions.sees_results(request.user, run.scenario):
        raise Http404("No such report.")
    pub = report.run_report(run)
    name = safe_filename(f"after-action-{run.scenario.title}-run-{run.number}")
    if fmt == "pdf":
        return attachment_response(
            publishing.render_pdf(pub), filename=f"{name}.pdf", content_type="application/pdf"
        )
    return attachment_response(
        publishing.render_docx(pub),
        filename=f"{name}.docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
