"""What an import or export holds: the formats, the kinds of record in the order they are
applied, and the columns of each kind (their names, types and which form the natural key)."""

from __future__ import annotations

from dataclasses import dataclass

from ..choices import BodyKind, Level, MembershipStatus, OrganisationKind

FORMATS = ("csv", "json")
# Also the order in which an import applies them: what a record refers to comes first.
KINDS = ("organisations", "states", "bodies", "memberships", "points_of_contact")
JSON_FORMAT_NAME = "cbmhub-directory"
JSON_VERSION = 1


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "text"  # text | choice | bool | date | list | channels
    key: bool = False  # part of the natural key: required in every record
    choices: tuple[str, ...] = ()


COLUMNS: dict[str, list[Column]] = {
    "organisations": [
        Column("acronym", key=True),
        Column("name"),
        Column("kind", "choice", choices=tuple(OrganisationKind.values)),
        Column("description"),
        Column("website"),
        Column("headquarters"),
    ],
    "states": [
        Column("iso3", key=True),
        Column("iso2"),
        Column("name"),
        Column("official_name"),
        Column("aliases", "list"),
    ],
    "bodies": [
        Column("organisation", key=True),
        Column("name", key=True),
        Column("acronym"),
        Column("kind", "choice", choices=tuple(BodyKind.values)),
        Column("parent"),
        Column("description"),
    ],
    "memberships": [
        Column("state", key=True),
        Column("organisation", key=True),
        Column("status", "choice", key=True, choices=tuple(MembershipStatus.values)),
        Column("since", "date"),
        Column("until", "date"),
    ],
    "points_of_contact": [
        Column("state", key=True),
        Column("organisation"),
        Column("level", "choice", key=True, choices=tuple(Level.values)),
        Column("office", key=True),
        Column("function"),
        Column("person_name"),
        Column("languages"),
        Column("time_zone"),
        Column("available_24_7", "bool"),
        Column("pgp_fingerprint"),
        Column("last_verified", "date"),
        Column("is_active", "bool"),
        Column("notes"),
        Column("channels", "channels"),
    ],
}


class ImportFormatError(ValueError):
    """The request names a format or kind that does not exist (not a problem in the file)."""
