from __future__ import annotations

from contextvars import ContextVar

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from cbmhub.directory.validators import validate_time_zone

from . import services
from .choices import TokenRevocation
from .models import User


class LoginForm(AuthenticationForm):
    # Django's message already says only "username or password" so it never tells whether
    # a username exists; this wording keeps that promise in every language.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not correct."),
        "inactive": _("The username or password is not correct."),
    }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TimeZoneForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["time_zone"]
        labels = {"time_zone": _("Time zone")}
        help_texts = {
            "time_zone": _("IANA name, for example Asia/Almaty. Times are shown in it and in UTC.")
        }

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        validate_time_zone(value)
        return value


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email: str):
        # Accounts created without a password (``user_create(password=None)``) set their first
        # password through this form, so unusable passwords are not excluded as Django does.
        # The view answers the same whether or not an account matched.
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email.lower() == email.lower()
        )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=64,
        help_text=_("What will use it, for example “MISP sync”."),
    )


class _RevokesTokens:
    """A password form whose save also revokes the account's API tokens, in one transaction
    (``services.user_password_save``)."""

    user: User
    token_revocation = TokenRevocation.PASSWORD_CHANGE

    def token_actor(self) -> User | None:
        return self.user

    def save(self, commit: bool = True) -> User:
        # A mixin: the Django form after it in the MRO has save; mypy sees only object.
        user = super().save(commit=False)  # type: ignore[misc]  # see above
        if commit:
            services.user_password_save(
                user=user, actor=self.token_actor(), reason=self.token_revocation
            )
        return user


class SetPasswordForm(_RevokesTokens, auth_forms.SetPasswordForm):
    """The new password chosen through a reset link."""

    token_revocation = TokenRevocation.PASSWORD_RESET


class PasswordChangeForm(_RevokesTokens, auth_forms.PasswordChangeForm):
    token_revocation = TokenRevocation.PASSWORD_CHANGE


# The operator using the admin's password form, set by UserAdmin around that view: Django
# builds the form itself, with no way to hand it the request.
admin_password_actor: ContextVar[User | None] = ContextVar("admin_password_actor", default=None)


class AdminPasswordChangeForm(_RevokesTokens, auth_forms.AdminPasswordChangeForm):
    """An operator sets (or removes) someone's password in the admin."""

    token_revocation = TokenRevocation.PASSWORD_RESET

    def token_actor(self) -> User | None:
        return admin_password_actor.get()
