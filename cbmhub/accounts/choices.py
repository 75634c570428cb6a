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
