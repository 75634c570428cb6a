"""Measures pages: catalogues (tree, import with preview, export), plans (initiatives, progress
report), the implementation matrix (heat map, trend, compiled publication), submissions (file,
acknowledge), state profiles, the capability inventory and the early-warning dashboard.

Reads go through the selectors (a record outside the user's view is a 404, a page the user may
not use a 403); writes through the services, which check the actor again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cbmhub.core import roles
from cbmhub.core.errors import Forbidden
from cbmhub.core.forms import add_domain_error
from cbmhub.core.htmx import is_partial
from cbmhub.core.http import attachment_response
from cbmhub.core.publishing import Publication, render_docx, render_pdf
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Organisation, State

from . import importexport, outline, outputs, permissions, selectors, services, warning
from .choices import CellStatus, Dimension
from .forms import (
    AlertForm,
    CapabilityForm,
    CatalogueForm,
    CycleForm,
    ImportForm,
    InitiativeForm,
    PlanForm,
    SubmissionForm,
    ThresholdForm,
)
from .models import Alert, Measure, ReportingCycle, SubmissionAttachment
from .services import MeasuresError

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _download(pub: Publication, fmt: str, name: str) -> HttpResponse:
    if fmt not in DOCUMENT_TYPES:
        raise Http404("Unknown format.")
    content = render_pdf(pub) if fmt == "pdf" else render_docx(pub)
    return attachment_response(content, filename=f"{name}.{fmt}", content_type=DOCUMENT_TYPES[fmt])


def _language() -> str:
    return get_language() or "en"


# --- catalogues -------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    catalogues = selectors.catalogue_list(request.user)
    cycles = selectors.cycle_list(request.user).order_by("-year")[:20]
    state = None
    if (state_id := roles.state_id_of(request.user)) is not None:
        state = State.objects.filter(pk=state_id).first()
    return render(
        request,
        "measures/index.html",
        {
            "catalogues": catalogues,
            "cycles": cycles,
            "own_state": state,
            "may_use": permissions.may_use_measures(request.user),
            "catalogue_form": CatalogueForm()
            if roles.organisation_id_of(request.user) is not None
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def catalogue(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.catalogue_detail(request.user, code=code)
    can_manage = permissions.can_manage(request.user, found.organisation_id)
    cycle_form = CycleForm(request.POST if request.POST.get("form") == "cycle" else None)
    plan_form = PlanForm(
        request.POST if request.POST.get("form") == "plan" else None,
        measures=Measure.objects.filter(catalogue=found),
    )
    if request.method == "POST":
        if not can_manage:
            raise Forbidden(_("Only the secretariat of the organisation may do this."))
        if _catalogue_post(request, found, cycle_form, plan_form):
            return redirect("measures:catalogue", code=found.code)
    dimension = request.GET.get("dimension", "")
    dimension = dimension if dimension in Dimension.values else ""
    measures = selectors.measure_list(found, dimension=dimension)
    return render(
        request,
        "measures/catalogue.html",
        {
            "catalogue": found,
            "measures": measures.prefetch_related("coordinators__state", "plans"),
            "dimensions": Dimension.choices,
            "dimension": dimension,
            "can_manage": can_manage,
            "cycles": selectors.cycle_list(request.user, catalogue=found),
            "cycle_form": cycle_form if can_manage else None,
            "plan_form": plan_form if can_manage else None,
        },
    )


def _catalogue_post(
    request: HttpRequest, found: Any, cycle_form: CycleForm, plan_form: PlanForm
) -> bool:
    """Open a cycle or add a plan from the catalogue page; True when it was saved."""
    form: Any = cycle_form if request.POST.get("form") == "cycle" else plan_form
    if not form.is_valid():
        return False
    try:
        if form is cycle_form:
            services.cycle_create(actor=request.user, catalogue=found, **form.cleaned_data)
            flash.success(request, _("Reporting cycle opened."))
        else:
            services.plan_create(actor=request.user, **form.cleaned_data)
            flash.success(request, _("Plan added."))
    except MeasuresError as error:
        add_domain_error(form, error)
        return False
    return True


@login_required
@require_POST
def catalogue_create(request: HttpRequest) -> HttpResponse:
    organisation = selectors.default_organisation(request.user)
    if organisation is None or not permissions.can_manage(request.user, organisation.pk):
        raise Forbidden(_("Only the secretariat of the organisation may do this."))
    form = CatalogueForm(request.POST)
    if form.is_valid():
        try:
            made = services.catalogue_create(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except MeasuresError as error:
            add_domain_error(form, error)
        else:
            flash.success(request, _("Catalogue created."))
            return redirect("measures:catalogue_import", code=made.code)
    for field, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        flash.error(request, text if field == "__all__" else f"{field}: {text}")
    return redirect("measures:index")


@login_required
@require_GET
def catalogue_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    found = selectors.catalogue_detail(request.user, code=code)
    if fmt == "csv":
        return attachment_response(
            importexport.export_csv(found), filename=f"{found.code}.csv", content_type="text/csv"
        )
    if fmt == "json":
        return attachment_response(
            importexport.export_json(found),
            filename=f"{found.code}.json",
            content_type="application/json",
        )
    raise Http404("Unknown format.")


def _import_preview(form: ImportForm, text: str, fmt: str) -> dict[str, Any]:
    """Items and diagnostics of the text, for the preview (nothing written)."""
    diagnostics: list[outline.Diagnostic] = []
    if fmt == "outline":
        items, parsed = importexport.parse_outline_items(text)
        diagnostics = parsed.diagnostics
    else:
        items = importexport.parse(text.encode(), fmt=fmt)
    return {"items": items, "diagnostics": diagnostics, "text": text, "format": fmt}


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.catalogue_detail(request.user, code=code)
    if not permissions.can_manage(request.user, found.organisation_id):
        raise Forbidden(_("Only the secretariat of the organisation may do this."))
    form = ImportForm(request.POST or None, request.FILES or None)
    preview: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        try:
            if upload := form.cleaned_data.get("file"):
                text = importexport.decode(upload.read())
                preview = _import_preview(form, text, fmt)
            else:
                preview = _import_preview(form, form.cleaned_data["text"], fmt)
                result = services.catalogue_import_items(
                    actor=request.user, catalogue=found, items=preview["items"]
                )
                flash.success(
                    request,
                    _("Applied: %(created)d created, %(updated)d updated.") % result,
                )
                return redirect("measures:catalogue", code=found.code)
        except MeasuresError as error:
            add_domain_error(form, error)
            preview = None
    return render(
        request,
        "measures/import.html",
        {"catalogue": found, "form": form, "preview": preview},
    )


# --- plans ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.plan_detail(request.user, pk=int_or_404(pk))
    organisation_id = found.measure.catalogue.organisation_id
    can_manage = permissions.can_manage(request.user, organisation_id)
    states = State.objects.filter(
        pk__in=[s.pk for s in selectors.participating_states(organisation_id)]
    )
    form = InitiativeForm(request.POST or None, states=states)
    if request.method == "POST":
        if not can_manage:
            raise Forbidden(_("Only the secretariat of the organisation may do this."))
        if form.is_valid():
            data = dict(form.cleaned_data)
            participants = data.pop("participants")
            try:
                services.initiative_save(
                    actor=request.user, plan=found, participants=participants, **data
                )
            except MeasuresError as error:
                add_domain_error(form, error)
            else:
                flash.success(request, _("Initiative saved."))
                return redirect("measures:plan", pk=found.pk)
    return render(
        request,
        "measures/plan.html",
        {
            "plan": found,
            "figures": outputs.plan_figures(found),
            "form": form if can_manage else None,
            "may_report": permissions.may_use_matrix(request.user, organisation_id),
        },
    )


@login_required
@require_GET
def plan_report(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    found = selectors.plan_detail(request.user, pk=int_or_404(pk))
    permissions.require_matrix(request.user, found.measure.catalogue.organisation_id)
    pub = outputs.plan_report(found, language=_language())
    return _download(pub, fmt, f"progress-report-{found.pk}")


# --- matrix -----------------------------------------------------------------------------------


def _pick_cycle(request: HttpRequest) -> tuple[ReportingCycle | None, dict[str, Any]]:
    """The cycle the filters choose (organisation, catalogue, year), with the choices."""
    cycles = selectors.cycle_list(request.user)
    organisation = request.GET.get("organisation", "")
    if organisation:
        cycles = cycles.filter(catalogue__organisation__acronym=organisation)
    if code := request.GET.get("catalogue", ""):
        cycles = cycles.filter(catalogue__code=code)
    years = sorted(set(cycles.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    if year:
        cycles = cycles.filter(year=int_or_404(year))
    if cycle_id := request.GET.get("cycle", ""):
        cycles = cycles.filter(pk=int_or_404(cycle_id))
    choices = {
        "organisations": Organisation.objects.filter(measure_catalogues__isnull=False)
        .distinct()
        .order_by("acronym"),
        "years": years,
        "organisation": organisation,
        "year": year,
    }
    return cycles.order_by("-year", "instrument").first(), choices


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


@login_required
@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    if not permissions.may_use_measures(request.user):
        raise Forbidden(
            _("The implementation matrix is open to member states and the secretariat.")
        )
    cycle, choices = _pick_cycle(request)
    dimension = request.GET.get("dimension", "")
    dimension = dimension if dimension in Dimension.values else ""
    context: dict[str, Any] = {**choices, "cycle": cycle, "dimension": dimension}
    context["dimensions"] = Dimension.choices
    if cycle is not None:
        context["matrix"] = selectors.matrix(
            request.user,
            cycle,
            dimension=dimension,
            state_page=_page_number(request.GET.get("sp")),
            measure_page=_page_number(request.GET.get("mp")),
        )
        context["trend"] = selectors.trend(cycle.catalogue)
        context["statuses"] = CellStatus.choices
        context["is_state_user"] = roles.state_id_of(request.user) is not None
    template = "measures/_matrix.html" if is_partial(request) else "measures/matrix.html"
    return render(request, template, context)


@login_required
@require_GET
def cycle_publication(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    cycle = selectors.cycle_detail(request.user, pk=int_or_404(pk))
    permissions.require_matrix(request.user, cycle.catalogue.organisation_id)
    pub = outputs.cycle_publication(cycle, language=_language())
    return _download(pub, fmt, f"{cycle.catalogue.code}-{cycle.year}")


# --- submissions ------------------------------------------------------------------------------


def _own_state(request: HttpRequest) -> State:
    state_id = roles.state_id_of(request.user)
    if state_id is None:
        raise Forbidden(_("You may file only for your own state."))
    return State.objects.get(pk=state_id)


@login_required
@require_http_methods(["GET", "POST"])
def submission_edit(request: HttpRequest, cycle_pk: str) -> HttpResponse:
    cycle = selectors.cycle_detail(request.user, pk=int_or_404(cycle_pk))
    state = _own_state(request)
    measures = selectors.cycle_measures(cycle)
    states = State.objects.filter(
        pk__in=[s.pk for s in selectors.participating_states(cycle.catalogue.organisation_id)]
    ).exclude(pk=state.pk)
    initial: dict[str, Any] = {"language": _language(), "visibility": "members"}
    if measure_id := request.GET.get("measure"):
        initial["measure"] = int_or_404(measure_id)
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        measures=Measure.objects.filter(pk__in=[m.pk for m in measures]),
        states=states,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_submission(request, form, cycle, state)
        if saved is not None:
            return redirect("measures:submission", pk=saved)
    return render(
        request,
        "measures/submission_form.html",
        {
            "cycle": cycle,
            "state": state,
            "form": form,
            "can_file": permissions.can_file(request.user, state.pk),
        },
    )


def _save_submission(
    request: HttpRequest, form: SubmissionForm, cycle: ReportingCycle, state: State
) -> int | None:
    data = dict(form.cleaned_data)
    upload = data.pop("file")
    try:
        submission = services.submission_save(
            actor=request.user,
            cycle=cycle,
            measure=data.pop("measure"),
            state=state,
            submit="submit" in request.POST,
            named_states=data.pop("named_states"),
            **data,
        )
        if upload:
            services.submission_attach(
                actor=request.user,
                submission=submission,
                name=upload.name or "file",
                content=upload.read(),
                content_type=upload.content_type or "",
            )
    except MeasuresError as error:
        add_domain_error(form, error)
        return None
    flash.success(request, _("Submission saved."))
    return submission.pk


@login_required
@require_POST
def cycle_start(request: HttpRequest, cycle_pk: str) -> HttpResponse:
    cycle = selectors.cycle_detail(request.user, pk=int_or_404(cycle_pk))
    state = _own_state(request)
    try:
        count = services.cycle_start_from_previous(actor=request.user, cycle=cycle, state=state)
    except MeasuresError as error:
        flash.error(request, error.message)
    else:
        flash.success(
            request,
            _("%(count)d draft(s) started from last year's submissions.") % {"count": count},
        )
    return redirect("measures:matrix_cycle", pk=cycle.pk)


@login_required
@require_GET
def matrix_cycle(request: HttpRequest, pk: str) -> HttpResponse:
    cycle = selectors.cycle_detail(request.user, pk=int_or_404(pk))
    return redirect(f"{_url('measures:matrix')}?cycle={cycle.pk}")


def _url(name: str) -> str:
    return reverse(name)


@login_required
@require_GET
def submission(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.submission_detail(request.user, pk=int_or_404(pk))
    return render(
        request,
        "measures/submission.html",
        {
            "submission": found,
            "can_acknowledge": permissions.can_manage(
                request.user, found.cycle.catalogue.organisation_id
            )
            and found.status == "submitted",
            "can_edit": permissions.can_draft(request.user, found.state_id),
        },
    )


@login_required
@require_POST
def submission_acknowledge(request: HttpRequest, pk: str) -> HttpResponse:
    found = selectors.submission_detail(request.user, pk=int_or_404(pk))
    try:
        services.submission_acknowledge(actor=request.user, submission=found)
    except MeasuresError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("Submission acknowledged."))
    return redirect("measures:submission", pk=found.pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: str) -> HttpResponse:
    found = SubmissionAttachment.objects.filter(pk=int_or_404(pk)).first()
    if found is None:
        raise Http404("No such file.")
    selectors.submission_detail(request.user, pk=found.submission_id)  # 404 unless readable
    with found.file.open("rb") as handle:
        content = handle.read()
    return attachment_response(content, filename=found.name, content_type=found.content_type)


# --- state profile, inventory -----------------------------------------------------------------


@login_required
@require_GET
def state_profile(request: HttpRequest, iso3: str) -> HttpResponse:
    state = selectors.state_for_iso3(iso3)
    profile = selectors.state_profile(request.user, state)
    return render(request, "measures/state.html", {"profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def inventory(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    state_id = roles.state_id_of(request.user)
    organisations = Organisation.objects.filter(
        pk__in=permissions.participating_organisation_ids(state_id) if state_id else []
    )
    states = State.objects.exclude(pk=state_id) if state_id else State.objects.none()
    form = CapabilityForm(request.POST or None, states=states)
    if request.method == "POST":
        if state_id is None or not organisations:
            raise Forbidden(_("You may file only for your own state."))
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.capability_save(
                    actor=request.user,
                    state=State.objects.get(pk=state_id),
                    organisation=organisations[0],
                    named_states=data.pop("named_states"),
                    **data,
                )
            except MeasuresError as error:
                add_domain_error(form, error)
            else:
                flash.success(request, _("Capability record saved."))
                return redirect("measures:inventory")
    records = selectors.capability_list(request.user, query=query)[:500]
    template = "measures/_inventory.html" if is_partial(request) else "measures/inventory.html"
    return render(
        request,
        template,
        {"records": records, "q": query, "form": form if state_id and organisations else None},
    )


# --- early warning ----------------------------------------------------------------------------


def _warning_organisation(request: HttpRequest) -> Organisation:
    acronym = request.GET.get("organisation") or request.POST.get("organisation", "")
    found = selectors.default_organisation(request.user, acronym)
    if found is None:
        raise Http404("No such organisation.")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def early_warning(request: HttpRequest) -> HttpResponse:
    permissions.require_use(request.user)
    organisation = _warning_organisation(request)
    board = warning.dashboard(request.user, organisation)
    can_manage = permissions.can_manage(request.user, organisation.pk) and not roles.is_system(
        request.user
    )
    form = ThresholdForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Forbidden(_("Only the secretariat of the organisation may do this."))
        if form.is_valid():
            try:
                services.threshold_set(
                    actor=request.user, organisation=organisation, **form.cleaned_data
                )
            except MeasuresError as error:
                add_domain_error(form, error)
            else:
                warning.raise_alerts(organisation)
                flash.success(request, _("Threshold saved."))
                return redirect(f"{_url('measures:warning')}?organisation={organisation.acronym}")
    alerts = selectors.alert_list(request.user, organisation_id=organisation.pk)[:200]
    return render(
        request,
        "measures/warning.html",
        {
            "board": board,
            "alerts": alerts,
            "form": form if can_manage else None,
            "can_manage": can_manage,
            "chart": warning_chart(board.timeline),
            "alert_form": AlertForm(),
        },
    )


@login_required
@require_POST
def alert_update(request: HttpRequest, pk: str) -> HttpResponse:
    found = Alert.objects.filter(pk=int_or_404(pk)).select_related("organisation").first()
    if found is None or not permissions.can_manage(request.user, found.organisation_id):
        raise Http404("No such alert.")
    form = AlertForm(request.POST)
    if form.is_valid():
        try:
            services.alert_update(
                actor=request.user,
                alert=found,
                owner=request.user if form.cleaned_data["take"] else None,
                status=form.cleaned_data["status"],
                next_step=form.cleaned_data["next_step"],
            )
        except MeasuresError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, _("Alert updated."))
    return redirect(f"{_url('measures:warning')}?organisation={found.organisation.acronym}")


def warning_chart(weeks: list[dict[str, Any]]) -> dict[str, Any]:
    """The timeline as SVG coordinates: a bar per week of late acknowledgements, a dot per week
    of escalations (drawn by the template)."""
    width, height, pad = 600, 160, 24
    peak = max([w["late"] for w in weeks] + [w["escalations"] for w in weeks] + [1])
    step = (width - 2 * pad) / max(len(weeks), 1)
    bars = []
    for index, week in enumerate(weeks):
        bar_height = (height - 2 * pad) * week["late"] / peak
        bars.append(
            {
                "x": round(pad + index * step + 2, 1),
                "y": round(height - pad - bar_height, 1),
                "w": round(step - 4, 1),
                "h": round(bar_height, 1),
                "cx": round(pad + index * step + step / 2, 1),
                "cy": round(height - pad - (height - 2 * pad) * week["escalations"] / peak, 1),
                "week": week,
            }
        )
    return {"width": width, "height": height, "pad": pad, "bars": bars, "peak": peak}
