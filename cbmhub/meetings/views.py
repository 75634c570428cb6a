"""The meetings pages: list and calendar, a meeting (agenda, delegations, outcomes, minutes,
action points), the printable participants list, .ics files and the private feed, notes
(versions side by side, PDF/DOCX, issuing), package import with its preview, formulas."""

from __future__ import annotations

import calendar as monthcal
import datetime
from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cbmhub.core.errors import DomainError, Forbidden
from cbmhub.core.forms import add_domain_error
from cbmhub.core.http import attachment_response
from cbmhub.core.publishing import render_docx, render_pdf
from cbmhub.core.selectors import int_or_404
from cbmhub.directory.models import Body, State
from cbmhub.negotiations import services as negotiation_services
from cbmhub.negotiations.models import Document, Negotiation
from cbmhub.negotiations.services import MAX_SOURCE_BYTES

from . import package, permissions, selectors, services
from .calendar import meeting_ics, meetings_calendar
from .forms import (
    ActionPointForm,
    AgendaItemForm,
    DelegationForm,
    EnclosureForm,
    FormulaForm,
    GuestForm,
    MeetingForm,
    MinutesForm,
    MoveForm,
    NoteForm,
    OutcomeForm,
    PackageForm,
    StatusForm,
    VersionForm,
)
from .models import ActionPoint, Meeting, Minutes, Note, NoteFormula, NoteVersion, Participant
from .notes import note_publication

ICS = "text/calendar; charset=utf-8"


def _documents_for(meeting: Meeting) -> Any:
    return Document.objects.filter(organisation_id=meeting.organisation_id).order_by("symbol")


def _notes_for(meeting: Meeting) -> Any:
    return Note.objects.filter(organisation_id=meeting.organisation_id).order_by("-date", "-id")


def _agenda_form(request: HttpRequest, meeting: Meeting, data: Any = None) -> AgendaItemForm:
    return AgendaItemForm(
        data,
        documents=_documents_for(meeting),
        notes=_notes_for(meeting),
        measures=selectors.agenda_measures(request.user, meeting),
        plans=selectors.agenda_plans(request.user, meeting),
    )


def _bodies_for(meeting: Meeting) -> Any:
    return Body.objects.filter(organisation_id=meeting.organisation_id).exclude(pk=meeting.body_id)


# --- lists and calendar -------------------------------------------------------------------


@login_required
@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    meetings = list(selectors.meeting_list(request.user))
    now = timezone.now()
    upcoming = [m for m in meetings if m.starts_at and m.starts_at >= now]
    past = [m for m in meetings if not (m.starts_at and m.starts_at >= now)]
    upcoming.sort(key=lambda m: (m.starts_at, m.pk))
    return render(
        request,
        "meetings/list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "can_convene": permissions.can_manage(request.user, None),
            "token": selectors.calendar_token_of(request.user),
        },
    )


def _month(value: str) -> datetime.date:
    try:
        year, month = (int(x) for x in value.split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    first = _month(request.GET.get("month", ""))
    days = monthcal.monthrange(first.year, first.month)[1]
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time(), zone)
    end = start + datetime.timedelta(days=days)
    meetings = list(selectors.meeting_list(request.user, start=start, end=end))
    by_day: dict[int, list[tuple[Meeting, Any]]] = {}
    for meeting in meetings:
        for part in meeting.parts.all():
            local = timezone.localtime(part.starts_at)
            if local.year == first.year and local.month == first.month:
                by_day.setdefault(local.day, []).append((meeting, part))
    weeks = monthcal.Calendar().monthdayscalendar(first.year, first.month)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = first + datetime.timedelta(days=days)
    return render(
        request,
        "meetings/calendar.html",
        {
            "first": first,
            "weeks": [[(d, by_day.get(d, [])) for d in week] for week in weeks],
            "entries": sorted(
                ((p.starts_at, m, p) for d in by_day.values() for m, p in d),
                key=lambda e: (e[0], e[1].pk),
            ),
            "previous": previous.strftime("%Y-%m"),
            "following": following.strftime("%Y-%m"),
        },
    )


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: the meetings its owner may see, by a revocable token (no login)."""
    user = selectors.user_for_token(token)
    if user is None or not permissions.may_use(user):
        raise Http404(_("No such feed."))
    data = meetings_calendar(
        selectors.meetings_for_feed(user),
        url_for=lambda m: request.build_absolute_uri(reverse("meetings:detail", args=[m.pk])),
        name="CBM Hub",
    )
    return HttpResponse(data, content_type=ICS)


@login_required
@require_POST
def feed_token(request: HttpRequest) -> HttpResponse:
    if request.POST.get("action") == "revoke":
        services.calendar_token_revoke(actor=request.user)
        flash.success(request, _("Your calendar feed address no longer works."))
    else:
        services.calendar_token_issue(actor=request.user)
        flash.success(request, _("A new calendar feed address was made."))
    return redirect("meetings:list")


# --- a meeting ------------------------------------------------------------------------------


@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage(request.user, None):
        raise Forbidden(_("Only the secretariat convenes meetings."))
    bodies = selectors.bodies_for(request.user)
    form = MeetingForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                actor=request.user,
                body=data["body"],
                title=data["title"],
                kind=data["kind"],
                time_zone=data["time_zone"],
                parts=form.parts(),
                states=list(data["states"]),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/meeting_form.html", {"form": form}, status=_status(form))


def _status(form: Any) -> int:
    return 400 if form.is_bound and form.errors else 200


def _meeting_context(request: HttpRequest, meeting: Meeting, **forms: Any) -> dict[str, Any]:
    meeting = selectors.meeting_detail(meeting)
    user = request.user
    manage = permissions.can_manage(user, meeting.organisation_id)
    own_state = getattr(user, "state_id", None)
    own = next((d for d in meeting.delegations.all() if d.state_id == own_state), None)
    context: dict[str, Any] = {
        "meeting": meeting,
        "manage": manage,
        "own_delegation": own,
        "may_nominate": own_state is not None
        and permissions.can_nominate(user, meeting, own_state),
        "minutes": list(meeting.minutes.all()),
        **forms,
    }
    if manage:
        context.setdefault("agenda_form", _agenda_form(request, meeting))
        context.setdefault("outcome_form", OutcomeForm(bodies=_bodies_for(meeting)))
        context.setdefault("guest_form", GuestForm())
        context.setdefault("minutes_form", MinutesForm())
        context.setdefault("action_form", ActionPointForm())
        context.setdefault("status_form", StatusForm(initial={"status": meeting.status}))
    if context["may_nominate"]:
        context.setdefault("delegation_form", DelegationForm(initial=_members_initial(own)))
    return context


def _members_initial(delegation: Any) -> dict[str, str]:
    if delegation is None:
        return {}
    initial = {}
    for n, member in enumerate(delegation.members.all(), start=1):
        initial.update(
            {f"name{n}": member.name, f"function{n}": member.function, f"email{n}": member.email}
        )
    return initial


@login_required
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.access_meeting(request.user, meeting_id)
    return render(request, "meetings/meeting.html", _meeting_context(request, meeting))


def _fail(
    request: HttpRequest, meeting: Meeting, name: str, form: Any, error: DomainError | None = None
) -> HttpResponse:
    if error is not None:
        add_domain_error(form, error)
    context = _meeting_context(request, meeting, **{name: form})
    return render(request, "meetings/meeting.html", context, status=400)


def _managed(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = selectors.access_meeting(request.user, meeting_id)
    permissions.require_manage(request.user, meeting.organisation_id)
    return meeting


@login_required
@require_POST
def meeting_status(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _fail(request, meeting, "status_form", form)
    try:
        services.meeting_set_status(
            actor=request.user, meeting=meeting, status=form.cleaned_data["status"]
        )
    except DomainError as error:
        return _fail(request, meeting, "status_form", form, error)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def agenda_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    form = _agenda_form(request, meeting, request.POST)
    if not form.is_valid():
        return _fail(request, meeting, "agenda_form", form)
    document = form.cleaned_data["document"]
    revision = document.revisions.order_by("-date", "-id").first() if document else None
    try:
        services.agenda_item_add(
            actor=request.user,
            meeting=meeting,
            title=form.cleaned_data["title"],
            document=document,
            revision=revision,
            note=form.cleaned_data["note"],
            measure=form.cleaned_data["measure"],
            plan=form.cleaned_data["plan"],
        )
    except DomainError as error:
        return _fail(request, meeting, "agenda_form", form, error)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def agenda_move(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.access_agenda_item(request.user, item_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.agenda_item_move(
                actor=request.user, item=item, position=form.cleaned_data["position"]
            )
        except DomainError as error:
            flash.error(request, error.message)
    return redirect("meetings:detail", item.meeting_id)


@login_required
@require_POST
def outcome_add(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.access_agenda_item(request.user, item_id)
    meeting = item.meeting
    permissions.require_manage(request.user, meeting.organisation_id)
    form = OutcomeForm(request.POST, bodies=_bodies_for(meeting))
    if not form.is_valid():
        return _fail(request, meeting, "outcome_form", form)
    try:
        services.outcome_record(actor=request.user, agenda_item=item, **form.cleaned_data)
    except DomainError as error:
        return _fail(request, meeting, "outcome_form", form, error)
    flash.success(request, _("Outcome recorded."))
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def delegation_nominate(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.access_meeting(request.user, meeting_id)
    state_id = getattr(request.user, "state_id", None)
    if state_id is None or not permissions.can_nominate(request.user, meeting, state_id):
        raise Forbidden(_("Only a state's focal point nominates its delegation."))
    form = DelegationForm(request.POST)
    if not form.is_valid():
        return _fail(request, meeting, "delegation_form", form)
    try:
        services.delegation_nominate(
            actor=request.user,
            meeting=meeting,
            state=State.objects.get(pk=state_id),
            members=form.members(),
        )
    except DomainError as error:
        return _fail(request, meeting, "delegation_form", form, error)
    flash.success(request, _("Delegation nominated; the secretariat will accept it."))
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def delegation_accept(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = selectors.access_delegation(request.user, delegation_id)
    services.delegation_accept(actor=request.user, delegation=delegation)
    return redirect("meetings:detail", delegation.meeting_id)


@login_required
@require_POST
def guest_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    form = GuestForm(request.POST)
    if not form.is_valid():
        return _fail(request, meeting, "guest_form", form)
    try:
        services.delegation_add_guest(
            actor=request.user,
            meeting=meeting,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            members=form.members(),
        )
    except DomainError as error:
        return _fail(request, meeting, "guest_form", form, error)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Attendance per part: one checkbox per participant and part ("p<participant>-<part>")."""
    meeting = _managed(request, meeting_id)
    parts = {part.pk: part for part in meeting.parts.all()}
    participants = Participant.objects.filter(delegation__meeting=meeting)
    for participant in participants:
        chosen = [
            part
            for pk, part in parts.items()
            if request.POST.get(f"p{participant.pk}-{pk}") == "on"
        ]
        services.attendance_record(actor=request.user, participant=participant, parts=chosen)
    flash.success(request, _("Attendance recorded."))
    return redirect("meetings:participants", meeting.pk)


@login_required
@require_POST
def minutes_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _fail(request, meeting, "minutes_form", form)
    try:
        services.minutes_write(actor=request.user, meeting=meeting, text=form.cleaned_data["text"])
    except DomainError as error:
        return _fail(request, meeting, "minutes_form", form, error)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def minutes_approve(request: HttpRequest, meeting_id: int, version: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    minutes = Minutes.objects.filter(meeting=meeting, version=int_or_404(version)).first()
    if minutes is None:
        raise Http404(_("No such version."))
    try:
        services.minutes_approve(actor=request.user, minutes=minutes)
    except DomainError as error:
        flash.error(request, error.message)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def action_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    form = ActionPointForm(request.POST)
    if not form.is_valid():
        return _fail(request, meeting, "action_form", form)
    services.action_point_add(actor=request.user, meeting=meeting, **form.cleaned_data)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def action_done(request: HttpRequest, meeting_id: int, point_id: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    point = ActionPoint.objects.filter(meeting=meeting, pk=int_or_404(point_id)).first()
    if point is None:
        raise Http404(_("No such action point."))
    services.action_point_done(actor=request.user, point=point, done=not point.done)
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def invitations(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _managed(request, meeting_id)
    sent = services.invitations_send(
        actor=request.user,
        meeting=meeting,
        url=request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk])),
    )
    flash.success(request, _("Invitations sent to %(n)d participants.") % {"n": sent})
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_GET
def participants(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The printable list of participants, with attendance per part."""
    meeting = selectors.meeting_detail(selectors.access_meeting(request.user, meeting_id))
    return render(
        request,
        "meetings/participants.html",
        {
            "meeting": meeting,
            "parts": list(meeting.parts.all()),
            "manage": permissions.can_manage(request.user, meeting.organisation_id),
        },
    )


@login_required
@require_GET
def meeting_ics_file(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.access_meeting(request.user, meeting_id)
    url = request.build_absolute_uri(reverse("meetings:detail", args=[meeting.pk]))
    return attachment_response(
        meeting_ics(meeting, url=url), filename=f"meeting-{meeting.pk}.ics", content_type=ICS
    )


# --- notes ------------------------------------------------------------------------------------


@login_required
@require_GET
def note_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "meetings/notes.html",
        {
            "notes": selectors.note_list(request.user),
            "manage": permissions.can_manage(request.user, None),
        },
    )


@login_required
def note_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage(request.user, None):
        raise Forbidden(_("Only the secretariat writes notes."))
    form = NoteForm(request.POST or None, series=selectors.series_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = services.note_create(
                actor=request.user,
                series=data["series"],
                subject=data["subject"],
                place=data["place"],
                date=data["date"],
                addressees=data["addressees"] or "members",
                states=list(data["states"]),
                versions=[services.VersionInput(data["language"], data["body"], "original")],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("meetings:note", note.pk)
    return render(request, "meetings/note_form.html", {"form": form}, status=_status(form))


def _note_context(request: HttpRequest, note: Note, **forms: Any) -> dict[str, Any]:
    manage = permissions.can_manage(request.user, note.organisation_id)
    versions = sorted(note.versions.all(), key=lambda v: (v.status != "original", v.language))
    context: dict[str, Any] = {
        "note": note,
        "versions": versions,
        "enclosures": list(note.enclosures.select_related("document", "revision")),
        "aligned": selectors.aligned_versions(versions),
        "manage": manage,
        "draft": note.status == "draft",
        "may_circulate": (
            permissions.can_circulate(request.user, note)
            and note.status == "issued"
            and note.circulated_message_id is None
        ),
        "circulation": selectors.note_circulation(request.user, note),
        **forms,
    }
    if manage and note.status == "draft":
        context.setdefault("version_form", VersionForm())
        context.setdefault("enclosure_form", EnclosureForm(documents=_note_documents(note)))
    return context


def _note_documents(note: Note) -> Any:
    return Document.objects.filter(organisation_id=note.organisation_id).order_by("symbol")


@login_required
@require_GET
def note_detail(request: HttpRequest, note_id: int) -> HttpResponse:
    note = selectors.access_note(request.user, note_id)
    return render(request, "meetings/note.html", _note_context(request, note))


def _managed_note(request: HttpRequest, note_id: int) -> Note:
    note = selectors.access_note(request.user, note_id)
    if not permissions.can_manage(request.user, note.organisation_id):
        raise Forbidden(_("Only the secretariat issues notes."))
    return note


@login_required
@require_POST
def note_issue(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _managed_note(request, note_id)
    try:
        note = services.note_issue(actor=request.user, note=note)
    except DomainError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("Issued as %(symbol)s.") % {"symbol": note.symbol})
    return redirect("meetings:note", note.pk)


@login_required
@require_POST
def note_circulate(request: HttpRequest, note_id: int) -> HttpResponse:
    """Circulate the note to its addressees through the hotline (the secretariat)."""
    note = selectors.access_note(request.user, note_id)
    if not permissions.can_circulate(request.user, note):
        raise Forbidden(_("Only the secretariat of the organisation circulates its notes."))
    try:
        note = services.note_circulate(actor=request.user, note=note)
    except DomainError as error:
        flash.error(request, error.message)
    else:
        flash.success(
            request,
            _("Circulated to the addressees' diplomatic points of contact through the hotline."),
        )
    return redirect("meetings:note", note.pk)


@login_required
@require_POST
def note_version(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _managed_note(request, note_id)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            services.note_version_set(actor=request.user, note=note, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("meetings:note", note.pk)
    context = _note_context(request, note, version_form=form)
    return render(request, "meetings/note.html", context, status=400)


@login_required
@require_POST
def note_enclosure(request: HttpRequest, note_id: int) -> HttpResponse:
    note = _managed_note(request, note_id)
    form = EnclosureForm(request.POST, request.FILES, documents=_note_documents(note))
    if form.is_valid():
        data = form.cleaned_data
        document = data["document"]
        try:
            services.enclosure_add(
                actor=request.user,
                note=note,
                title=data["title"],
                pages=data["pages"],
                document=document,
                revision=document.revisions.order_by("-date", "-id").first() if document else None,
                file=data["file"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("meetings:note", note.pk)
    context = _note_context(request, note, enclosure_form=form)
    return render(request, "meetings/note.html", context, status=400)


@login_required
@require_GET
def note_file(request: HttpRequest, note_id: int, language: str, ext: str) -> HttpResponse:
    note = selectors.access_note(request.user, note_id)
    version = NoteVersion.objects.filter(note=note, language=language).first()
    if version is None or ext not in ("pdf", "docx"):
        raise Http404(_("No such version."))
    publication = note_publication(note, version, selectors.formula_for(note, language))
    name = f"{(note.symbol or f'note-{note.pk}').replace('/', '-')}-{language}.{ext}"
    if ext == "pdf":
        return attachment_response(
            render_pdf(publication), filename=name, content_type="application/pdf"
        )
    return attachment_response(
        render_docx(publication),
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def formulas(request: HttpRequest) -> HttpResponse:
    organisations = selectors.manageable_organisations(request.user)
    organisation = organisations.first()
    if organisation is None:
        raise Forbidden(_("Only the secretariat edits the formulas."))
    form = FormulaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.formula_set(actor=request.user, organisation=organisation, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            flash.success(request, _("Formulas saved."))
            return redirect("meetings:formulas")
    rows = NoteFormula.objects.filter(organisation=organisation)
    return render(
        request,
        "meetings/formulas.html",
        {"form": form, "rows": rows, "organisation": organisation},
        status=_status(form),
    )


# --- package import ---------------------------------------------------------------------------


@login_required
def package_import(request: HttpRequest) -> HttpResponse:
    """Upload → preview (the split, titles editable) → confirm. Nothing is stored before."""
    organisation = selectors.manageable_organisations(request.user).first()
    if organisation is None:
        raise Forbidden(_("Only the secretariat imports packages."))
    if request.method == "POST" and request.POST.get("confirm"):
        return _package_confirm(request, organisation)
    form = PackageForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_SOURCE_BYTES:
                raise ValueError
            text = upload.read().decode("utf-8")
        except (UnicodeDecodeError, ValueError):
            form.add_error(
                "file",
                _("The file is not UTF-8 text of at most %(n)d bytes.") % {"n": MAX_SOURCE_BYTES},
            )
        else:
            preview = package.split_package(text)
            request.session["meetings_package"] = text
            if not preview.symbol or not preview.enclosures:
                form.add_error("file", _("No note symbol or no enclosure found: not a package."))
                preview = None
    return render(
        request,
        "meetings/package.html",
        {"form": form, "preview": preview, "organisation": organisation},
        status=_status(form),
    )


def _package_confirm(request: HttpRequest, organisation: Any) -> HttpResponse:
    text = request.session.get("meetings_package")
    if not text:
        flash.error(request, _("Upload the package again."))
        return redirect("meetings:package_import")
    split = package.split_package(text)
    titles = [
        (request.POST.get(f"title{n}") or e.title).strip()
        for n, e in enumerate(split.enclosures, start=1)
    ]
    title = _("Documents forwarded under %(s)s") % {"s": split.symbol}
    negotiation = Negotiation.objects.filter(organisation=organisation, title=title).first()
    try:
        if negotiation is None:
            negotiation = negotiation_services.negotiation_create(
                actor=request.user, organisation=organisation, title=title
            )
        result = services.package_import(
            actor=request.user,
            organisation=organisation,
            negotiation=negotiation,
            symbol=split.symbol,
            place=split.place or "-",
            date=datetime.date.fromisoformat(split.date) if split.date else timezone.localdate(),
            versions=[
                services.VersionInput(v.language, v.text, "original" if i == 0 else "translation")
                for i, v in enumerate(split.versions)
            ],
            enclosures=[(t, e.kind, e.text) for t, e in zip(titles, split.enclosures, strict=True)],
        )
    except DomainError as error:
        flash.error(request, error.message)
        return redirect("meetings:package_import")
    del request.session["meetings_package"]
    flash.success(request, _("Package %(s)s imported.") % {"s": split.symbol})
    return redirect("meetings:note", result.note.pk)


# --- the panel on a negotiation document's page ------------------------------------------------


def document_panel(request: HttpRequest, document: Document) -> str:
    """The document's path through bodies and its current stage (HTML; empty when none)."""
    if not permissions.may_use(request.user):
        return ""
    path = selectors.document_path(request.user, document)
    if not path:
        return ""
    return render_to_string(
        "meetings/_document_stage.html",
        {"path": path, "stage": selectors.document_stage(path)},
        request=request,
    )
