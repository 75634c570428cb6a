"""Directory pages: search, state and organisation pages, editing for those allowed, history.

Every page needs a login; reading is open to every signed-in user (observers included).
Each edit view checks the same rule as its service before showing a form, so a refused user
gets 403 on GET as well as on POST; the service checks again when it writes.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cbmhub.core.forms import add_domain_error
from cbmhub.core.htmx import is_partial
from cbmhub.core.http import content_disposition

from . import changes as change_display
from . import importexport, permissions, selectors, services
from .choices import Level, MembershipStatus
from .forms import (
    BodyForm,
    ExportForm,
    ImportForm,
    MembershipForm,
    OrganisationForm,
    PointOfContactForm,
    SearchForm,
    StateAliasForm,
    StateForm,
    channel_formset,
    channels_from,
)
from .models import Body, ChangeRecord, Membership, Organisation, PointOfContact, State
from .services import DirectoryError

PAGE_SIZE = 50
ModelT = TypeVar("ModelT")


# --- lookups: unknown codes and ids answer 404 -------------------------------------------------


def _state_or_404(iso3: str) -> State:
    state = selectors.state_detail(iso3=iso3)
    if state is None:
        raise Http404(_("No state with the ISO code %(code)s.") % {"code": iso3})
    return state


def _organisation_or_404(acronym: str) -> Organisation:
    organisation = selectors.organisation_detail(acronym=acronym)
    if organisation is None:
        raise Http404(_("No organisation with the acronym %(acronym)s.") % {"acronym": acronym})
    return organisation


def _point_of_contact_or_404(pk: int) -> PointOfContact:
    poc = selectors.point_of_contact_detail(pk=pk)
    if poc is None:
        raise Http404(_("No such point of contact."))
    return poc


def _body_or_404(organisation: Organisation, pk: int) -> Body:
    body = selectors.body_detail(organisation=organisation, pk=pk)
    if body is None:
        raise Http404(_("No such body in %(organisation)s.") % {"organisation": organisation})
    return body


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"directory:{name}", kwargs=kwargs)


def _detached(obj: ModelT) -> ModelT:
    """A copy for a ModelForm to write into while validating, so that the record handed to the
    service still holds the stored values the history compares against."""
    return copy.copy(obj)


def _paginate(request: HttpRequest, items: QuerySet[Any]) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


# --- reading ------------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Points of contact by state, code, office or person, filtered by organisation, level and
    language. htmx asks for the results partial as the user types; without JavaScript the form
    submits and the whole page comes back."""
    form = SearchForm(request.GET)
    pocs: QuerySet[PointOfContact] = PointOfContact.objects.none()
    if form.is_valid():
        pocs = selectors.point_of_contact_list(
            query=form.cleaned_data["q"].strip(),
            organisation=form.cleaned_data["organisation"],
            level=form.cleaned_data["level"],
            language=form.cleaned_data["language"],
        )
    page = _paginate(request, pocs)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "directory/_results.html" if is_partial(request) else "directory/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def state_list(request: HttpRequest) -> HttpResponse:
    states = selectors.state_list(query=request.GET.get("q", "").strip())
    return render(
        request,
        "directory/state_list.html",
        {
            "page": _paginate(request, states),
            "q": request.GET.get("q", ""),
            "can_manage_states": permissions.can_manage_states(request.user),
        },
    )


@login_required
@require_GET
def state_detail(request: HttpRequest, iso3: str) -> HttpResponse:
    state = _state_or_404(iso3)
    can_edit = permissions.can_manage_points_of_contact(request.user, state.pk)
    # Inactive points of contact are kept for the record; only those who manage them see them.
    pocs = list(selectors.point_of_contact_list(state=state, include_inactive=can_edit))
    levels = [
        {"value": value, "label": Level(value).label, "pocs": [p for p in pocs if p.level == value]}
        for value in Level.escalation_order()
    ]
    return render(
        request,
        "directory/state_detail.html",
        {
            "state": state,
            "levels": levels,
            "memberships": selectors.membership_list(state=state),
            "aliases": state.aliases.all(),
            "can_edit": can_edit,
            "can_manage_states": permissions.can_manage_states(request.user),
        },
    )


def _body_tree(bodies: list[Body]) -> list[tuple[Body, int]]:
    """Bodies in depth-first order with their depth, each under the body it reports to."""
    by_id = {body.pk: body for body in bodies}
    children: dict[int | None, list[Body]] = {}
    for body in bodies:
        parent = body.parent_id if body.parent_id in by_id else None
        children.setdefault(parent, []).append(body)
    out: list[tuple[Body, int]] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for body in children.get(parent, []):
            if body.pk in seen:  # a cycle written around the services: show it once
                continue
            seen.add(body.pk)
            out.append((body, depth))
            walk(body.pk, depth + 1)

    walk(None, 0)
    out.extend((body, 0) for body in bodies if body.pk not in seen)
    return out


@login_required
@require_GET
def organisation_detail(request: HttpRequest, acronym: str) -> HttpResponse:
    organisation = _organisation_or_404(acronym)
    memberships = list(selectors.membership_list(organisation=organisation))
    by_status = [
        {"label": label, "memberships": [m for m in memberships if m.status == value]}
        for value, label in MembershipStatus.choices
    ]
    pocs = list(selectors.point_of_contact_list().filter(organisation=organisation))
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "by_status": [group for group in by_status if group["memberships"]],
            "bodies": _body_tree(list(selectors.body_list(organisation=organisation))),
            "pocs": pocs,
            "can_manage": permissions.can_manage_organisation(request.user, organisation.pk),
        },
    )


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/organisation_list.html",
        {"organisations": selectors.organisation_list()},
    )


@login_required
@require_GET
def point_of_contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poc = _point_of_contact_or_404(pk)
    return render(request, "directory/poc_detail.html", {"poc": poc})


# --- points of contact: the focal point of the state only ----------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def point_of_contact_create(request: HttpRequest, iso3: str) -> HttpResponse:
    state = _state_or_404(iso3)
    permissions.require(
        permissions.can_manage_points_of_contact(request.user, state.pk),
        _("Only a focal point of this state may add its points of contact."),
    )
    data = request.POST if request.method == "POST" else None
    form = PointOfContactForm(data, instance=PointOfContact(state=state))
    channels = channel_formset(data=data)
    if data is not None and form.is_valid() and channels.is_valid():
        try:
            poc = services.point_of_contact_create(
                actor=request.user,
                state=state,
                channels=channels_from(channels),
                **form.cleaned_data,
            )
        except (ValidationError, DirectoryError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Point of contact %(poc)s added.") % {"poc": poc})
            return redirect("directory:state", iso3=state.iso3)
    return render(
        request, "directory/poc_form.html", {"state": state, "form": form, "channels": channels}
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_of_contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    poc = _point_of_contact_or_404(pk)
    permissions.require(
        permissions.can_manage_points_of_contact(request.user, poc.state_id),
        _("Only a focal point of this state may change its points of contact."),
    )
    data = request.POST if request.method == "POST" else None
    channels = channel_formset(data=data, point_of_contact=poc)
    form = PointOfContactForm(data, instance=poc)
    if data is not None and form.is_valid() and channels.is_valid():
        try:
            services.point_of_contact_update(
                actor=request.user,
                point_of_contact=poc,
                channels=channels_from(channels),
                **form.cleaned_data,
            )
        except (ValidationError, DirectoryError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Point of contact %(poc)s saved.") % {"poc": poc})
            return redirect("directory:state", iso3=poc.state.iso3)
    return render(
        request,
        "directory/poc_form.html",
        {"state": poc.state, "poc": poc, "form": form, "channels": channels},
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_of_contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    poc = _point_of_contact_or_404(pk)
    permissions.require(
        permissions.can_manage_points_of_contact(request.user, poc.state_id),
        _("Only a focal point of this state may remove its points of contact."),
    )
    context = {"object": poc, "cancel_url": _url("state", iso3=poc.state.iso3)}
    if request.method == "POST":
        iso3, label = poc.state.iso3, str(poc)
        try:
            services.point_of_contact_delete(actor=request.user, point_of_contact=poc)
        except (ProtectedError, RestrictedError):
            # Hotline records point at it; they must stay provable, so the contact stays too.
            context["error"] = _(
                "This point of contact is named in hotline records and cannot be removed. "
                "Mark it inactive instead."
            )
            return render(request, "directory/confirm_delete.html", context, status=409)
        messages.success(request, _("Point of contact %(poc)s removed.") % {"poc": label})
        return redirect("directory:state", iso3=iso3)
    return render(request, "directory/confirm_delete.html", context)


# --- organisations, bodies, memberships: that organisation's secretariat ---------------------


def _require_secretariat(request: HttpRequest, organisation: Organisation) -> None:
    permissions.require(
        permissions.can_manage_organisation(request.user, organisation.pk),
        _("Only the secretariat of %(organisation)s may change it.")
        % {"organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, acronym: str) -> HttpResponse:
    organisation = _organisation_or_404(acronym)
    _require_secretariat(request, organisation)
    data = request.POST if request.method == "POST" else None
    form = OrganisationForm(data, instance=_detached(organisation))
    if data is not None and form.is_valid():
        try:
            organisation = services.organisation_update(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except (ValidationError, DirectoryError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(organisation)s saved.") % {"organisation": organisation})
            return redirect("directory:organisation", acronym=organisation.acronym)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("Edit %(organisation)s") % {"organisation": organisation},
            "cancel_url": _url("organisation", acronym=organisation.acronym),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_edit(request: HttpRequest, acronym: str, pk: int | None = None) -> HttpResponse:
    """Add a body (no pk) or change one of this organisation's bodies."""
    organisation = _organisation_or_404(acronym)
    _require_secretariat(request, organisation)
    body = _body_or_404(organisation, pk) if pk is not None else Body(organisation=organisation)
    data = request.POST if request.method == "POST" else None
    form = BodyForm(data, instance=_detached(body), organisation=organisation)
    if data is not None and form.is_valid():
        try:
            if body.pk:
                services.body_update(actor=request.user, body=body, **form.cleaned_data)
            else:
                services.body_create(
                    actor=request.user, organisation=organisation, **form.cleaned_data
                )
        except (ValidationError, DirectoryError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Body saved."))
            return redirect("directory:organisation", acronym=organisation.acronym)
    title = _("Edit body") if body.pk else _("Add a body to %(o)s") % {"o": organisation}
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": title,
            "cancel_url": _url("organisation", acronym=organisation.acronym),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def body_delete(request: HttpRequest, acronym: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(acronym)
    _require_secretariat(request, organisation)
    body = _body_or_404(organisation, pk)
    if request.method == "POST":
        services.body_delete(actor=request.user, body=body)
        messages.success(request, _("Body removed."))
        return redirect("directory:organisation", acronym=organisation.acronym)
    return render(
        request,
        "directory/confirm_delete.html",
        {"object": body, "cancel_url": _url("organisation", acronym=organisation.acronym)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, acronym: str, pk: int | None = None) -> HttpResponse:
    """Add a membership (no pk) or change the status or dates of one."""
    organisation = _organisation_or_404(acronym)
    _require_secretariat(request, organisation)
    if pk is None:
        membership = Membership(organisation=organisation)
    else:
        found = selectors.membership_detail(organisation=organisation, pk=pk)
        if found is None:
            raise Http404(_("No such membership."))
        membership = found
    data = request.POST if request.method == "POST" else None
    form = MembershipForm(data, instance=_detached(membership))
    if data is not None and form.is_valid():
        try:
            if membership.pk:
                services.membership_update(
                    actor=request.user, membership=membership, **form.cleaned_data
                )
            else:
                services.membership_create(
                    actor=request.user, organisation=organisation, **form.cleaned_data
                )
        except (ValidationError, DirectoryError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Membership saved."))
            return redirect("directory:organisation", acronym=organisation.acronym)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("Membership in %(o)s") % {"o": organisation},
            "cancel_url": _url("organisation", acronym=organisation.acronym),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_delete(request: HttpRequest, acronym: str, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(acronym)
    _require_secretariat(request, organisation)
    membership = selectors.membership_detail(organisation=organisation, pk=pk)
    if membership is None:
        raise Http404(_("No such membership."))
    if request.method == "POST":
        services.membership_delete(actor=request.user, membership=membership)
        messages.success(request, _("Membership removed."))
        return redirect("directory:organisation", acronym=organisation.acronym)
    return render(
        request,
        "directory/confirm_delete.html",
        {"object": membership, "cancel_url": _url("organisation", acronym=organisation.acronym)},
    )


# --- states and delegation codes: secretariats and operators ----------------------------------


def _require_state_manager(request: HttpRequest) -> None:
    permissions.require(
        permissions.can_manage_states(request.user),
        _("Only a secretariat officer may change states and their codes."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def state_edit(request: HttpRequest, iso3: str | None = None) -> HttpResponse:
    """Add a state (no iso3) or change its name and ISO codes."""
    _require_state_manager(request)
    state = _state_or_404(iso3) if iso3 else None
    data = request.POST if request.method == "POST" else None
    form = StateForm(data, instance=_detached(state) if state else State())
    if data is not None and form.is_valid():
        try:
            if state is not None:
                state = services.state_update(actor=request.user, state=state, **form.cleaned_data)
            else:
                state = services.state_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, DirectoryError) as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(state)s saved.") % {"state": state})
            return redirect("directory:state", iso3=state.iso3)
    return render(
        request,
        "directory/state_form.html",
        {
            "form": form,
            "state": state,
            "alias_form": StateAliasForm(),
            "aliases": state.aliases.all() if state else [],
        },
    )


@login_required
@require_http_methods(["POST"])
def state_alias_add(request: HttpRequest, iso3: str) -> HttpResponse:
    _require_state_manager(request)
    state = _state_or_404(iso3)
    alias_form = StateAliasForm(request.POST)
    if alias_form.is_valid():
        try:
            services.state_alias_add(actor=request.user, state=state, **alias_form.cleaned_data)
        except (ValidationError, DirectoryError) as exc:
            add_domain_error(alias_form, exc)
        else:
            messages.success(request, _("Delegation code added."))
            return redirect("directory:state_edit", iso3=state.iso3)
    return render(
        request,
        "directory/state_form.html",
        {
            "form": StateForm(instance=state),
            "state": state,
            "alias_form": alias_form,
            "aliases": state.aliases.all(),
        },
        status=400,
    )


@login_required
@require_http_methods(["POST"])
def state_alias_remove(request: HttpRequest, iso3: str, pk: int) -> HttpResponse:
    _require_state_manager(request)
    state = _state_or_404(iso3)
    alias = selectors.state_alias_detail(state=state, pk=pk)
    if alias is None:
        raise Http404(_("No such delegation code."))
    services.state_alias_remove(actor=request.user, alias=alias)
    messages.success(request, _("Delegation code %(code)s removed.") % {"code": alias.code})
    return redirect("directory:state_edit", iso3=state.iso3)


# --- history ---------------------------------------------------------------------------------


def _history(request: HttpRequest, changes: QuerySet[ChangeRecord], **context: Any) -> HttpResponse:
    page = _paginate(request, changes)
    records = list(page.object_list)
    # A point of contact's name includes its level's label: read the live record (one query
    # for the page) so it is in the reader's language; a removed one keeps the stored name.
    live = selectors.points_of_contact_by_id(
        [r.object_id for r in records if r.model == "pointofcontact"]
    )
    for record in records:
        record.model_label = change_display.model_label(record.model)
        record.rows = change_display.change_rows(record.model, record.changes)
        poc = live.get(record.object_id) if record.model == "pointofcontact" else None
        record.display_repr = str(poc) if poc is not None else record.object_repr
    return render(request, "directory/history.html", {"page": page, **context})


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    return _history(request, selectors.change_list(), title=_("Directory history"))


@login_required
@require_GET
def state_history(request: HttpRequest, iso3: str) -> HttpResponse:
    state = _state_or_404(iso3)
    return _history(
        request,
        selectors.change_list(state=state),
        title=_("History of %(state)s") % {"state": state},
        back_url=_url("state", iso3=state.iso3),
    )


@login_required
@require_GET
def organisation_history(request: HttpRequest, acronym: str) -> HttpResponse:
    organisation = _organisation_or_404(acronym)
    return _history(
        request,
        selectors.change_list(organisation=organisation),
        title=_("History of %(organisation)s") % {"organisation": organisation},
        back_url=_url("organisation", acronym=organisation.acronym),
    )


@login_required
@require_GET
def point_of_contact_history(request: HttpRequest, pk: int) -> HttpResponse:
    # A removed point of contact keeps its history: 404 only when there never was one.
    poc = selectors.point_of_contact_detail(pk=pk)
    changes = selectors.change_list(model="pointofcontact", object_id=pk)
    if poc is None and not changes.exists():
        raise Http404(_("No such point of contact."))
    return _history(
        request,
        changes,
        title=_("History of %(poc)s") % {"poc": poc or pk},
        back_url=_url("poc", pk=pk) if poc else None,
    )


# --- import and export: the same library as the API and the commands --------------------------


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The export page; submitted (``?format=…``), it answers the file itself, with the same
    content as ``GET /api/v1/directory/export``."""
    form = ExportForm(request.GET if "format" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        return render(
            request, "directory/export.html", {"form": form}, status=400 if form.is_bound else 200
        )
    fmt, kind = form.cleaned_data["format"], form.cleaned_data["kind"]
    content = importexport.export(fmt=fmt, kind=kind)
    content_type = "text/csv" if fmt == "csv" else "application/json"
    response = HttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    name = f"cbmhub-directory-{kind.replace('_', '-')}-{timezone.localdate().isoformat()}.{fmt}"
    response["Content-Disposition"] = content_disposition(name)
    return response


def _import_totals(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    return {
        outcome: sum(counts[outcome] for counts in summary.values())
        for outcome in ("created", "updated", "unchanged")
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a file and check it (a dry run: nothing applied), then apply the checked content.
    Either step shows every problem with its row and field; any problem means nothing changes."""
    permissions.require(
        permissions.can_import(request.user),
        permissions.IMPORT_REFUSED,
    )
    if request.method == "GET":
        return render(request, "directory/import.html", {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "directory/import.html", {"form": form}, status=400)
    data = form.cleaned_data
    dry_run = data["step"] == "check"
    result = importexport.import_directory(
        actor=request.user, text=data["text"], fmt=data["fmt"], kind=data["kind"], dry_run=dry_run
    )
    totals = _import_totals(result.summary)
    if result.applied:
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "Import applied: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % totals,
                _url("history"),
                _("See the changes in the history."),
            ),
        )
        return redirect("directory:import")
    context = {
        "form": ImportForm(),
        "checked": data,
        "result": result,
        "totals": totals,
        "summary": [
            (kind, counts) for kind, counts in result.summary.items() if any(counts.values())
        ],
    }
    if not result.problems:
        # The checked content, format and kind exactly as checked: Apply changes nothing else.
        context["apply"] = {
            "content": data["content"],
            "filename": data["filename"],
            "format": data["fmt"],
            "kind": data["kind"] or "",
        }
    return render(request, "directory/import.html", context, status=400 if result.problems else 200)
