"""STIX 2.1 helpers with no Django: timestamps, the fields the store indexes, TAXII
timestamps, and the conversion of a plain incident report into STIX objects."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$")


def parse_timestamp(value: Any) -> dt.datetime | None:
    """A STIX/TAXII timestamp (``2020-01-01T00:00:00.000Z``) as an aware datetime; None when
    it is not one. Fractions past microseconds are cut (they order the same at that precision)."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP.match(value)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            micro,
            tzinfo=dt.UTC,
        )
    except ValueError:
        return None


def format_timestamp(value: dt.datetime) -> str:
    """A TAXII timestamp, microsecond precision, UTC: the way the server writes every time."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def version_key(obj: dict[str, Any]) -> str:
    """The object's version as a sortable string: ``modified``, else ``created``, else ""."""
    for name in ("modified", "created"):
        stamp = parse_timestamp(obj.get(name))
        if stamp is not None:
            return format_timestamp(stamp)
    return ""


def dumps(obj: dict[str, Any]) -> str:
    """The JSON the store keeps: key order as received, no ASCII escaping, compact."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Indexed:
    """The copies of an object's fields the store queries by."""

    stix_id: str
    type: str
    spec_version: str
    created: str
    modified: str
    version: str
    created_by_ref: str
    markings: str
    name: str


def indexed(obj: dict[str, Any]) -> Indexed:
    refs = obj.get("object_marking_refs")
    name = obj.get("name") or obj.get("value") or ""
    return Indexed(
        stix_id=str(obj["id"]),
        type=str(obj["type"]),
        spec_version=str(obj.get("spec_version", "2.1"))[:8],
        created=str(obj.get("created", ""))[:40],
        modified=str(obj.get("modified", ""))[:40],
        version=version_key(obj),
        created_by_ref=str(obj.get("created_by_ref", ""))[:300],
        markings=" ".join(ref for ref in refs if isinstance(ref, str))
        if isinstance(refs, list)
        else "",
        name=str(name)[:300],
    )


# --- the incident report form, as STIX --------------------------------------------------------

HASH_NAMES = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256"}
HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64}
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)
_URL = re.compile(r"^(https?|ftp)://[^\s'\\]+$", re.I)


class IndicatorError(ValueError):
    """An indicator value that is not what its kind says."""


def check_indicator(kind: str, value: str) -> str:
    """The value cleaned (hashes lower case), or ``IndicatorError`` saying why not."""
    value = value.strip()
    if kind == "ipv4":
        try:
            return str(ipaddress.IPv4Address(value))
        except ValueError:
            raise IndicatorError("not an IPv4 address") from None
    if kind == "ipv6":
        try:
            return str(ipaddress.IPv6Address(value))
        except ValueError:
            raise IndicatorError("not an IPv6 address") from None
    if kind == "domain":
        if not _DOMAIN.match(value):
            raise IndicatorError("not a domain name")
        return value.lower()
    if kind == "url":
        if not _URL.match(value):
            raise IndicatorError("not a URL (http, https or ftp, no spaces or quotes)")
        return value
    if kind in HASH_LENGTHS:
        if not re.fullmatch(rf"[0-9a-fA-F]{{{HASH_LENGTHS[kind]}}}", value):
            raise IndicatorError(f"not a {HASH_NAMES[kind]} hash ({HASH_LENGTHS[kind]} hex digits)")
        return value.lower()
    raise IndicatorError("unknown kind")


def _sco(kind: str, value: str) -> dict[str, Any]:
    namespace = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")  # STIX 2.1 SCO namespace
    if kind in HASH_NAMES:
        body: dict[str, Any] = {"hashes": {HASH_NAMES[kind]: value}}
        sco_type = "file"
    else:
        sco_type = {
            "ipv4": "ipv4-addr",
            "ipv6": "ipv6-addr",
            "domain": "domain-name",
            "url": "url",
        }[kind]
        body = {"value": value}
    contributing = json.dumps(body, sort_keys=True, separators=(",", ":"))
    sco_id = f"{sco_type}--{uuid.uuid5(namespace, contributing)}"
    return {"type": sco_type, "spec_version": "2.1", "id": sco_id, **body}


def _pattern(kind: str, value: str) -> str:
    if kind in HASH_NAMES:
        return f"[file:hashes.'{HASH_NAMES[kind]}' = '{value}']"
    sco_type = {"ipv4": "ipv4-addr", "ipv6": "ipv6-addr", "domain": "domain-name", "url": "url"}[
        kind
    ]
    return f"[{sco_type}:value = '{value}']"


@dataclass
class IncidentReport:
    """What a person fills in: no STIX knowledge needed."""

    title: str
    description: str
    severity: str
    sectors: list[str]
    indicators: list[tuple[str, str]]  # (kind, value), values already checked
    marking_ref: str
    identity_name: str
    first_seen: dt.datetime | None = None
    extra_markings: list[str] = field(default_factory=list)


def _ms(value: dt.datetime) -> str:
    return (
        value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{value.microsecond // 1000:03d}Z"
    )


def _sdo(sdo_type: str, now: str, common: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": sdo_type,
        "spec_version": "2.1",
        "id": f"{sdo_type}--{uuid.uuid4()}",
        "created": now,
        "modified": now,
        **common,
        **fields,
    }


def incident_bundle(report: IncidentReport, *, now: dt.datetime) -> list[dict[str, Any]]:
    """The STIX objects of an incident report: the reporting identity, the incident, one
    indicator, SCO and observed-data per indicator value, relationships (indicator indicates
    incident, observed-data related-to incident), and a report that holds them all."""
    stamp = _ms(now)
    identity = _sdo("identity", stamp, {}, name=report.identity_name, identity_class="organization")
    common = {"created_by_ref": identity["id"], "object_marking_refs": [report.marking_ref]}
    identity["object_marking_refs"] = [report.marking_ref]
    labels = [f"severity:{report.severity}", *(f"sector:{s}" for s in report.sectors)]
    incident = _sdo(
        "incident", stamp, common, name=report.title, description=report.description, labels=labels
    )
    objects: list[dict[str, Any]] = [identity, incident]
    seen = _ms(report.first_seen or now)
    for kind, value in report.indicators:
        sco = {**_sco(kind, value), "object_marking_refs": [report.marking_ref]}
        indicator = _sdo(
            "indicator",
            stamp,
            common,
            name=value,
            pattern=_pattern(kind, value),
            pattern_type="stix",
            valid_from=seen,
            indicator_types=["malicious-activity"],
        )
        observed = _sdo(
            "observed-data",
            stamp,
            common,
            first_observed=seen,
            last_observed=seen,
            number_observed=1,
            object_refs=[sco["id"]],
        )
        objects += [sco, indicator, observed]
        objects.append(_relationship(stamp, common, indicator["id"], "indicates", incident["id"]))
        objects.append(_relationship(stamp, common, observed["id"], "related-to", incident["id"]))
    report_sdo = _sdo(
        "report",
        stamp,
        common,
        name=report.title,
        description=report.description,
        published=stamp,
        report_types=["incident"],
        object_refs=[o["id"] for o in objects if o is not identity] or [incident["id"]],
    )
    return [*objects, report_sdo]


def _relationship(
    stamp: str, common: dict[str, Any], source: str, kind: str, target: str
) -> dict[str, Any]:
    return _sdo(
        "relationship",
        stamp,
        common,
        relationship_type=kind,
        source_ref=source,
        target_ref=target,
    )


def detect_kind(value: str) -> str | None:
    """The kind of a plain indicator value (IP, domain, URL, MD5/SHA-1/SHA-256), or None."""
    value = value.strip()
    for kind in ("ipv4", "ipv6", "url", "md5", "sha1", "sha256", "domain"):
        try:
            check_indicator(kind, value)
        except IndicatorError:
            continue
        return kind
    return None


def parse_indicator_lines(text: str) -> tuple[list[tuple[str, str]], list[tuple[int, str, str]]]:
    """One indicator a line (blank lines skipped): the (kind, value) pairs, and the problems
    as (line number, value, message)."""
    found: list[tuple[str, str]] = []
    problems: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.strip()
        if not value:
            continue
        kind = detect_kind(value)
        if kind is None:
            problems.append((number, value[:100], "not an IP address, domain, URL or file hash"))
            continue
        pair = (kind, check_indicator(kind, value))
        if pair not in found:
            found.append(pair)
    return found, problems
