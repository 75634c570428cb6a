"""Exchange pages for people who are not STIX experts: the shared objects (search with type,
TLP and date filters), an object with its relationships and versions, the incident report
form, a bundle import with a result per object, the export of a selection as a bundle, and
the arrangements (listed for their parties, created by the secretariat).

Reads go through the selectors (TLP applied there, the same as TAXII and the API); writes
through the services, which check the actor again.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cbmhub.core.errors import DomainError, Forbidden
from cbmhub.core.forms import add_domain_error
from cbmhub.core.htmx import is_partial
from cbmhub.core.http import attachment_response
from cbmhub.directory.models import State
from cbmhub.hotline import permissions as hotline_permissions

from . import permissions, selectors, services, tlp
from .forms import ArrangementForm, BundleImportForm, HotlineNotifyForm, IncidentForm, SearchForm
from .models import StixObject
from .services import ExchangeError

PAGE_SIZE = 100
MAX_EXPORT = 5000


def tlp_context(level: str) -> dict[str, str]:
    return {
        "level": level,
        "label": tlp.TLP2_NAMES.get(level, level),
        "colour": tlp.COLOURS.get(level, "#FFFFFF"),
        "who": permissions.who_can_see(level),
    }


@login_required
@require_GET
def object_list(request: HttpRequest) -> HttpResponse:
    permissions.require_use(request.user)
    visible = selectors.visible_objects(request.user).filter(is_latest=True)
    types = sorted(set(visible.values_list("type", flat=True).distinct()))
    form = SearchForm(request.GET or None, types=types)
    objects = StixObject.objects.none()
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        objects = selectors.search_objects(
            request.user,
            text=data.get("q", ""),
            types=data.get("type") or None,
            levels=data.get("tlp") or None,
            since=data.get("since"),
            until=data.get("until"),
        )
    rows = [(obj, tlp_context(obj.tlp)) for obj in objects[:PAGE_SIZE]]
    context = {
        "form": form,
        "rows": rows,
        "can_share": permissions.may_share(request.user),
        "truncated": len(rows) == PAGE_SIZE,
    }
    template = "exchange/_objects.html" if is_partial(request) else "exchange/list.html"
    return render(request, template, context)


@login_required
@require_GET
def object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = selectors.access_object(request.user, pk)
    data = selectors.served(request.user, obj, arrangement_id=obj.collection.arrangement_id)
    return render(
        request,
        "exchange/object.html",
        {
            "obj": obj,
            "data": data,
            "pretty": json.dumps(data, indent=2, ensure_ascii=False),
            "tlp": tlp_context(obj.tlp),
            "versions": selectors.object_versions(request.user, obj),
            "relationships": selectors.object_relationships(request.user, obj),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_report(request: HttpRequest) -> HttpResponse:
    collections = selectors.writable_collections(request.user)
    if not collections.exists():
        raise Forbidden(_("Only the CERT of a participating state may share."))
    form = IncidentForm(request.POST or None, collections=collections)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = services.incident_report_file(
                actor=request.user,
                collection=data["collection"],
                title=data["title"],
                description=data["description"],
                severity=data["severity"],
                sectors=data["sectors"],
                indicators_text=data["indicators"],
                level=data["tlp"],
            )
        except ExchangeError as error:
            add_domain_error(form, error)
        else:
            flash.success(
                request,
                _("Incident shared: %(count)s STIX objects under %(tlp)s.")
                % {"count": len(filed.objects), "tlp": tlp.TLP2_NAMES[data["tlp"]]},
            )
            report = selectors.visible_objects(request.user).filter(stix_id=filed.report_id).first()
            return (
                redirect("exchange:object", pk=report.pk) if report else redirect("exchange:list")
            )
    return render(request, "exchange/incident_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def bundle_import(request: HttpRequest) -> HttpResponse:
    collections = selectors.writable_collections(request.user)
    if not collections.exists():
        raise Forbidden(_("Only the CERT of a participating state may share."))
    form = BundleImportForm(request.POST or None, request.FILES or None, collections=collections)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            bundle = json.loads(form.cleaned_data["bundle"].read().decode("utf-8"))
        except (ValueError, UnicodeError) as error:
            form.add_error("bundle", _("Not a JSON file: %(error)s") % {"error": str(error)[:200]})
        else:
            if not isinstance(bundle, dict) or not isinstance(bundle.get("objects"), list):
                form.add_error(
                    "bundle", _("Not a STIX bundle: a JSON object with an “objects” list.")
                )
            else:
                result = services.objects_add(
                    actor=request.user,
                    collection=form.cleaned_data["collection"],
                    objects=bundle["objects"],
                )
    return render(request, "exchange/import.html", {"form": form, "result": result})


@login_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    """The selected objects (``ids``: row ids from the list) as a STIX bundle, each as this
    reader may see it (TLP, redaction)."""
    permissions.require_use(request.user)
    source = request.POST if request.method == "POST" else request.GET
    ids = [value for value in source.getlist("ids") if value.isdigit()][:MAX_EXPORT]
    chosen = (
        selectors.visible_objects(request.user)
        .filter(pk__in=ids)
        .select_related("collection")
        .order_by("date_added", "pk")
    )
    objects = [
        selectors.served(request.user, o, arrangement_id=o.collection.arrangement_id)
        for o in chosen
    ]
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return attachment_response(
        json.dumps(bundle, ensure_ascii=False, indent=1).encode(),
        content_type="application/stix+json;version=2.1",
        filename=f"cbmhub-exchange-{stamp}.json",
    )


@login_required
@require_http_methods(["GET", "POST"])
def arrangement_list(request: HttpRequest) -> HttpResponse:
    arrangements = selectors.visible_arrangements(request.user)
    permissions.require_use(request.user)
    can_create = permissions.can_administer(request.user)
    form = (
        ArrangementForm(request.POST or None, states=State.objects.order_by("name"))
        if can_create
        else None
    )
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.arrangement_create(
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                states=list(data["states"]),
                organisation=selectors.organisation_of(request.user),
                description=data["description"],
                default_tlp=data["default_tlp"],
            )
        except ExchangeError as error:
            add_domain_error(form, error)
        else:
            flash.success(request, _("Arrangement created."))
            return redirect("exchange:arrangements")
    return render(
        request,
        "exchange/arrangements.html",
        {"arrangements": arrangements, "form": form, "access": permissions.access_of(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def hotline_notify(request: HttpRequest, pk: int) -> HttpResponse:
    """Tell a partner state about a shared object on the hotline (incident notification or
    request for assistance); the message references the object."""
    obj = selectors.access_object(request.user, pk)
    channels = hotline_permissions.channels_for_sending(request.user)
    if not channels:
        raise Forbidden(_("You have no hotline channel to send on."))
    initial = {"subject": obj.name or obj.stix_id}
    form = HotlineNotifyForm(request.POST or None, channels=channels, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = services.hotline_notify(
                actor=request.user,
                channel=form.channels[data["channel"]],
                objects=[obj],
                kind=data["kind"],
                priority=data["priority"],
                subject=data["subject"],
                body=data["body"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            flash.success(request, _("Sent on the hotline."))
            return redirect("hotline:message_detail", message_id=message.pk)
    return render(
        request, "exchange/notify.html", {"form": form, "obj": obj, "tlp": tlp_context(obj.tlp)}
    )


def message_panel(request: HttpRequest, message: Any) -> str:
    """The shared objects a hotline message references, each opened only if the reader's TLP
    clearance allows (the hotline shows this under the message's body)."""
    references = selectors.message_references(request.user, message.pk)
    if not references:
        return ""
    rows = [(ref, obj, tlp_context(obj.tlp) if obj else None) for ref, obj in references]
    return render_to_string("exchange/_message_panel.html", {"rows": rows}, request=request)
