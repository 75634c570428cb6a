"""Sign-in, second factor, password reset and the profile page (API tokens, time zone)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import wraps
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import selectors, services
from .forms import (
    ApiTokenForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    TimeZoneForm,
    TwoFactorCodeForm,
)
from .http import AuthedRequest
from .lockout import remember_device


def _next_url(request: HttpRequest) -> str:
    """The local page to go on to after a step, never another site (open redirect)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def verified_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in and, where required, past the second factor.

    The two-factor middleware lets every /accounts/ page through (so that the verify page
    itself is reachable); pages here that change credentials check the second factor again.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if selectors.two_factor_pending(request.user):
            return redirect(_with_next("accounts:two_factor", request.get_full_path()))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


# --- sign in / out ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    # django-axes counts failures because Django's form passes the request to authenticate().
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        if selectors.two_factor_pending(self.request.user):
            return _with_next("accounts:two_factor", url)
        return url

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # This browser now knows this account: a rate limit on its address spares it.
        remember_device(self.request, response, form.get_user().get_username())
        return response


login = LoginView.as_view()
# POST only (Django 5): a link or an image tag cannot sign anyone out.
logout = auth_views.LogoutView.as_view()


# --- second factor ----------------------------------------------------------------------------


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    next_url = _next_url(request)
    if selectors.two_factor_verified(request.user):
        return redirect(next_url)
    if not selectors.two_factor_enrolled(request.user):
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = TwoFactorCodeForm(request.POST or None)
    if form.is_valid():
        device = services.two_factor_verify(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", _("That code is not valid. Wait for a new code and try again."))
    status = 400 if form.is_bound else 200
    return render(
        request, "accounts/two_factor.html", {"form": form, "next": next_url}, status=status
    )


@login_required
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    user = request.user
    next_url = _next_url(request)
    if selectors.two_factor_enrolled(user) and not selectors.two_factor_verified(user):
        # A password alone must never be enough to replace the authenticator.
        return redirect(_with_next("accounts:two_factor", next_url))
    device = services.two_factor_device_create(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = services.two_factor_device_confirm(
                user=user, device=device, token=form.cleaned_data["code"]
            )
        except services.AccountsError as error:
            form.add_error("code", error.message)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is set up."))
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, border=2),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "enrolled": selectors.two_factor_enrolled(user),
    }
    status = 400 if form.is_bound else 200
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@require_POST
@verified_required
def backup_codes(request: AuthedRequest) -> HttpResponse:
    if not selectors.two_factor_enrolled(request.user):
        return redirect("accounts:two_factor_setup")
    codes = services.backup_codes_regenerate(user=request.user)
    return render(
        request,
        "accounts/backup_codes.html",
        {"codes": codes, "next": reverse("accounts:profile")},
    )


# --- password reset and change ----------------------------------------------------------------

password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    form_class=PasswordResetForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    form_class=SetPasswordForm,
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")
    form_class = PasswordChangeForm

    def form_valid(self, form):
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


password_change = verified_required(PasswordChangeView.as_view())


# --- profile ----------------------------------------------------------------------------------


def _render_profile(
    request: AuthedRequest,
    *,
    form: TimeZoneForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_token: tuple | None = None,
    status=200,
) -> HttpResponse:
    user = selectors.user_for_profile(request.user)
    context = {
        "profile_user": user,
        "form": form or TimeZoneForm(instance=user),
        "token_form": token_form or ApiTokenForm(),
        "tokens": list(selectors.api_tokens_of(user)),
        "new_token": new_token,
        "two_factor_enrolled": selectors.two_factor_enrolled(user),
        "backup_codes_remaining": selectors.backup_codes_remaining(user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@verified_required
def profile(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_profile(request)
    form = TimeZoneForm(request.POST, instance=selectors.user_for_profile(request.user))
    if not form.is_valid():
        return _render_profile(request, form=form, status=400)
    services.user_set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
    messages.success(request, _("Your time zone has been saved."))
    return redirect("accounts:profile")


@require_POST
@verified_required
def api_token(request: AuthedRequest) -> HttpResponse:
    action = request.POST.get("action")
    if action == "issue":
        return _issue_api_token(request)
    if action == "revoke":
        token = selectors.api_token_of(request.user, request.POST.get("token"))
        if token is not None and services.api_token_revoke(token=token, actor=request.user):
            messages.success(
                request, _("The API token “%(name)s” has been revoked.") % {"name": token.name}
            )
        return redirect("accounts:profile")
    return HttpResponseBadRequest(_("Unknown action: use “issue” or “revoke”."))


def _issue_api_token(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.api_token_issue(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        except services.AccountsError as error:
            form.add_error(None, error.message)
        else:
            # Rendered, not redirected: the key is shown this once and never put in a URL.
            return _render_profile(request, new_token=(token, key))
    return _render_profile(request, token_form=form, status=400)
