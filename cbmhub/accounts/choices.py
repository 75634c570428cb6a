from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does in CBM Hub; it decides what they may see and change."""

    FOCAL_POINT = "focal_point", _("Focal point")  # manages their state's points of contact
    POINT_OF_CONTACT = "poc", _("Point of contact")  # receives and answers for their state
    SECRETARIAT = "secretariat", _("Secretariat officer")  # administers an organisation
    OBSERVER = "observer", _("Observer")  # reads the public directory only


STATE_ROLES = {Role.FOCAL_POINT, Role.POINT_OF_CONTACT}
TWO_FACTOR_ROLES = {Role.FOCAL_POINT, Role.SECRETARIAT}


class TokenRevocation(models.TextChoices):
    """Why an API token stopped working; kept on the token and in the account's history."""

    BY_USER = "user", _("Revoked by its owner")
    BY_OPERATOR = "operator", _("Revoked by an operator")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_CHANGE = "password_change", _("Password changed")
    ACCESS_CHANGE = "access_change", _("Role or scope changed")
    # Found by the authentication check: the account changed by a path that revoked nothing
    # itself (a management command, the shell); see ``User.credential_stamp``.
    CREDENTIALS_CHANGED = "credentials_changed", _("Password or role changed")
