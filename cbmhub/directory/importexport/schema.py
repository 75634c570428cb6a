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


# The one size limit of an import, for the page, the API and the command line: a directory of
# every UN member state with several points of contact each is a few hundred kilobytes, and
# 1 MB holds some 15,000 rows of points of contact. The page carries a checked file back in a
# base64 field, which must stay under DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): 1 MB is ~1.4 MB.
IMPORT_MAX_BYTES = 1024 * 1024


class ImportTooLarge(ValueError):
    """The file is over IMPORT_MAX_BYTES; it is refused before it is read as CSV or JSON."""

    def __init__(self, size: int):
        super().__init__(f"The file is {size} bytes; the limit is {IMPORT_MAX_BYTES}.")
        self.size = size
