from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    REGIONAL = "regional", _("Regional organisation or forum")
    GLOBAL = "global", _("Global organisation")
    BILATERAL = "bilateral", _("Bilateral arrangement")


class BodyKind(models.TextChoices):
    SUMMIT = "summit", _("Summit")
    MINISTERIAL = "ministerial", _("Council of Ministers")
    SENIOR_OFFICIALS = "senior_officials", _("Senior Officials Committee")
    SPECIAL_WORKING_GROUP = "special_working_group", _("Special Working Group")
    WORKING_GROUP = "working_group", _("Working group")
    EXPERT_GROUP = "expert_group", _("Expert group")
    BILATERAL_WORKING_GROUP = "bilateral_working_group", _("Bilateral working group")
    SECRETARIAT = "secretariat", _("Secretariat")
    OTHER = "other", _("Other")


class MembershipStatus(models.TextChoices):
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")
    DIALOGUE_PARTNER = "dialogue_partner", _("Dialogue partner")
    CHAIR = "chair", _("Chair")
    PARTY = "party", _("Party")


class Level(models.TextChoices):
    """The three levels of points of contact (2013 US-Russia statement): CERT, policy, leaders."""

    TECHNICAL = "technical", _("Technical (CERT/CSIRT)")
    DIPLOMATIC = "diplomatic", _("Diplomatic / policy")
    HIGH_LEVEL = "high_level", _("High-level")

    @classmethod
    def escalation_order(cls) -> list[str]:
        return [cls.TECHNICAL, cls.DIPLOMATIC, cls.HIGH_LEVEL]


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile")
    FAX = "fax", _("Fax")
    SECURE_LINE = "secure_line", _("Secure line")
    SECURE_EMAIL = "secure_email", _("Secure e-mail")
    WEBHOOK = "webhook", _("Webhook")
    OTHER = "other", _("Other")


class ChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    IMPORT = "import", _("Imported")
