from django.db import models
from django.utils.translation import gettext_lazy as _

from . import tlp


class ArrangementKind(models.TextChoices):
    BILATERAL = "bilateral", _("Bilateral (two states' CERTs)")
    NETWORK = "network", _("CERT network of an organisation")


class Tlp(models.TextChoices):
    """TLP 2.0 levels, least to most restrictive (``tlp.LEVELS``)."""

    CLEAR = tlp.CLEAR, "TLP:CLEAR"
    GREEN = tlp.GREEN, "TLP:GREEN"
    AMBER = tlp.AMBER, "TLP:AMBER"
    AMBER_STRICT = tlp.AMBER_STRICT, "TLP:AMBER+STRICT"
    RED = tlp.RED, "TLP:RED"


class StatusState(models.TextChoices):
    PENDING = "pending", "pending"
    COMPLETE = "complete", "complete"


class SubscriptionState(models.TextChoices):
    OK = "ok", _("Working")
    ERROR = "error", _("Error")
    NEW = "new", _("Not pulled yet")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IndicatorKind(models.TextChoices):
    IPV4 = "ipv4", _("IPv4 address")
    IPV6 = "ipv6", _("IPv6 address")
    DOMAIN = "domain", _("Domain name")
    URL = "url", _("URL")
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"
    SHA256 = "sha256", "SHA-256"
