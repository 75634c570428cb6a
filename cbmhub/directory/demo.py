"""Demo world for the directory: invented but plausible organisations, states and points of
contact. Idempotent: records are looked up by their natural keys and only created when missing.
Contact addresses use the reserved .invalid domain so that no demo e-mail can reach anyone."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .models import (
    Body,
    ContactChannel,
    Membership,
    Organisation,
    PointOfContact,
    State,
    StateAlias,
)

# name, ISO alpha-2, alpha-3, delegation codes used in negotiation texts, time zone, languages
STATES: list[tuple[str, str, str, tuple[str, ...], str, str]] = [
    ("Afghanistan", "AF", "AFG", ("AFGH",), "Asia/Kabul", "ps,fa,en"),
    ("Azerbaijan", "AZ", "AZE", ("AZER",), "Asia/Baku", "az,en,ru"),
    ("Bahrain", "BH", "BHR", (), "Asia/Bahrain", "ar,en"),
    ("Bangladesh", "BD", "BGD", ("BANGL",), "Asia/Dhaka", "bn,en"),
    ("Cambodia", "KH", "KHM", ("CAMB",), "Asia/Phnom_Penh", "km,en"),
    ("China", "CN", "CHN", ("PRC", "КНР", "КИТ"), "Asia/Shanghai", "zh,en"),
    ("Egypt", "EG", "EGY", (), "Africa/Cairo", "ar,en"),
    ("India", "IN", "IND", (), "Asia/Kolkata", "en,hi"),
    ("Iran (Islamic Republic of)", "IR", "IRN", ("IRAN", "ИРАН"), "Asia/Tehran", "fa,en"),
    ("Iraq", "IQ", "IRQ", ("IRAQ",), "Asia/Baghdad", "ar,en"),
    ("Israel", "IL", "ISR", (), "Asia/Jerusalem", "he,en"),
    ("Jordan", "JO", "JOR", ("JORDAN",), "Asia/Amman", "ar,en"),
    ("Kazakhstan", "KZ", "KAZ", ("РК", "КАЗ"), "Asia/Almaty", "kk,ru,en"),
    ("Kyrgyzstan", "KG", "KGZ", ("KYRG",), "Asia/Bishkek", "ky,ru,en"),
    ("Mongolia", "MN", "MNG", ("MGL",), "Asia/Ulaanbaatar", "mn,en,ru"),
    ("Pakistan", "PK", "PAK", (), "Asia/Karachi", "ur,en"),
    ("Palestine", "PS", "PSE", ("PAL",), "Asia/Hebron", "ar,en"),
    ("Qatar", "QA", "QAT", ("QATAR",), "Asia/Qatar", "ar,en"),
    ("Republic of Korea", "KR", "KOR", ("ROK",), "Asia/Seoul", "ko,en"),
    ("Russian Federation", "RU", "RUS", ("РФ", "RF"), "Europe/Moscow", "ru,en"),
    ("Sri Lanka", "LK", "LKA", ("SRI",), "Asia/Colombo", "si,ta,en"),
    ("Tajikistan", "TJ", "TJK", ("TAJ",), "Asia/Dushanbe", "tg,ru,en"),
    ("Thailand", "TH", "THA", (), "Asia/Bangkok", "th,en"),
    ("Türkiye", "TR", "TUR", ("TURKEY",), "Europe/Istanbul", "tr,en"),
    ("United Arab Emirates", "AE", "ARE", ("UAE",), "Asia/Dubai", "ar,en"),
    ("Uzbekistan", "UZ", "UZB", ("UZB",), "Asia/Tashkent", "uz,ru,en"),
    ("Viet Nam", "VN", "VNM", ("VIE", "VIET"), "Asia/Ho_Chi_Minh", "vi,en"),
    ("Brunei Darussalam", "BN", "BRN", (), "Asia/Brunei", "ms,en"),
    ("Indonesia", "ID", "IDN", ("INDO",), "Asia/Jakarta", "id,en"),
    ("Lao People's Democratic Republic", "LA", "LAO", ("LAOS",), "Asia/Vientiane", "lo,en"),
    ("Malaysia", "MY", "MYS", ("MAL",), "Asia/Kuala_Lumpur", "ms,en"),
    ("Myanmar", "MM", "MMR", (), "Asia/Yangon", "my,en"),
    ("Philippines", "PH", "PHL", ("PHIL",), "Asia/Manila", "en,fil"),
    ("Singapore", "SG", "SGP", ("SING",), "Asia/Singapore", "en,zh,ms"),
    ("Japan", "JP", "JPN", (), "Asia/Tokyo", "ja,en"),
    ("United States of America", "US", "USA", ("US",), "America/New_York", "en"),
    ("Australia", "AU", "AUS", (), "Australia/Canberra", "en"),
]

CICA_MEMBERS = [
    "AFG",
    "AZE",
    "BHR",
    "BGD",
    "KHM",
    "CHN",
    "EGY",
    "IND",
    "IRN",
    "IRQ",
    "ISR",
    "JOR",
    "KAZ",
    "KGZ",
    "MNG",
    "PAK",
    "PSE",
    "QAT",
    "KOR",
    "RUS",
    "LKA",
    "TJK",
    "THA",
    "TUR",
    "ARE",
    "UZB",
    "VNM",
]
CICA_OBSERVERS = ["IDN", "JPN", "MYS", "PHL", "USA"]
ASEAN_MEMBERS = ["BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"]
ARF_EXTRA = ["AUS", "BGD", "CHN", "IND", "JPN", "MNG", "PAK", "KOR", "RUS", "LKA", "USA"]

ORGANISATIONS = [
    (
        "CICA",
        "Conference on Interaction and Confidence-Building Measures in Asia",
        "regional",
        "Astana",
    ),
    ("ASEAN", "Association of Southeast Asian Nations", "regional", "Jakarta"),
    ("ARF", "ASEAN Regional Forum", "regional", "Jakarta"),
    (
        "US-RU-ICT",
        "United States – Russian Federation arrangement on ICT confidence building",
        "bilateral",
        "",
    ),
]

BODIES: dict[str, list[tuple[str, str, str, str | None]]] = {
    "CICA": [
        ("Summit", "", "summit", None),
        ("Ministerial Council", "MC", "ministerial", "Summit"),
        ("Senior Officials Committee", "SOC", "senior_officials", "Ministerial Council"),
        ("Special Working Group", "SWG", "special_working_group", "Senior Officials Committee"),
        ("Working Group on ICT Security", "WG-ICT", "working_group", "Special Working Group"),
        ("Secretariat", "", "secretariat", None),
    ],
    "ASEAN": [
        ("ASEAN Summit", "", "summit", None),
        ("ASEAN Defence Ministers' Meeting", "ADMM", "ministerial", "ASEAN Summit"),
        (
            "ADMM Experts' Working Group on Cyber Security",
            "EWG-CS",
            "expert_group",
            "ASEAN Defence Ministers' Meeting",
        ),
    ],
    "ARF": [
        ("ARF Ministerial Meeting", "ARF MM", "ministerial", None),
        (
            "Inter-Sessional Meeting on Security of and in the Use of ICTs",
            "ISM on ICTs Security",
            "working_group",
            "ARF Ministerial Meeting",
        ),
    ],
    "US-RU-ICT": [
        (
            "Bilateral Working Group on Threats to or in the Use of ICTs",
            "BWG-ICT",
            "bilateral_working_group",
            None,
        ),
    ],
}

# (level, office, function) — two or three per state, at different levels.
POC_TEMPLATES = [
    ("technical", "National CERT", "Duty officer, incident coordination"),
    ("diplomatic", "Ministry of Foreign Affairs", "Head of the ICT security division"),
    ("high_level", "Office of the National Security Council", "Deputy adviser"),
]


@transaction.atomic
def load(*, stdout=None) -> dict[str, int]:
    created = {"organisations": 0, "states": 0, "points_of_contact": 0}
    orgs = {}
    for acronym, name, kind, hq in ORGANISATIONS:
        org, new = Organisation.objects.get_or_create(
            acronym=acronym, defaults={"name": name, "kind": kind, "headquarters": hq}
        )
        orgs[acronym] = org
        created["organisations"] += new
        by_name: dict[str, Body] = {}
        for body_name, body_acronym, body_kind, parent in BODIES.get(acronym, []):
            body, _ = Body.objects.get_or_create(
                organisation=org,
                name=body_name,
                defaults={
                    "acronym": body_acronym,
                    "kind": body_kind,
                    "parent": by_name.get(parent) if parent else None,
                },
            )
            by_name[body_name] = body

    states = {}
    for index, (name, iso2, iso3, aliases, tz, languages) in enumerate(STATES):
        state, new = State.objects.get_or_create(iso3=iso3, defaults={"name": name, "iso2": iso2})
        states[iso3] = state
        created["states"] += new
        for code in (iso3, *aliases):
            StateAlias.objects.get_or_create(code=code, defaults={"state": state})
        if new or not state.points_of_contact.exists():
            count = 3 if index % 3 == 0 else 2
            for level, office, function in POC_TEMPLATES[:count]:
                poc = PointOfContact.objects.create(
                    state=state,
                    level=level,
                    office=f"{office} of {name}" if level != "technical" else f"{iso3}-CERT",
                    function=function,
                    languages=languages,
                    time_zone=tz,
                    available_24_7=(level == "technical"),
                    last_verified=dt.date(2026, 10, 1) - dt.timedelta(days=index * 3),
                )
                ContactChannel.objects.create(
                    point_of_contact=poc,
                    kind="email",
                    is_primary=True,
                    value=f"{level.replace('_', '-')}@{iso3.lower()}.demo.invalid",
                )
                ContactChannel.objects.create(
                    point_of_contact=poc,
                    kind="phone",
                    # The fictional 555-01xx range: a valid E.164 shape that reaches no one.
                    value=f"+1 555 01{(index * 3 + len(level)) % 100:02d}",
                )
                created["points_of_contact"] += 1

    def member(org: str, iso3s: list[str], status: str, since: dt.date) -> None:
        for iso3 in iso3s:
            Membership.objects.get_or_create(
                state=states[iso3],
                organisation=orgs[org],
                status=status,
                defaults={"since": since},
            )

    member("CICA", CICA_MEMBERS, "member", dt.date(1999, 9, 14))
    member("CICA", CICA_OBSERVERS, "observer", dt.date(2002, 6, 4))
    member("CICA", ["KAZ"], "chair", dt.date(2024, 10, 1))
    member("ASEAN", ASEAN_MEMBERS, "member", dt.date(1999, 4, 30))
    member("ARF", ASEAN_MEMBERS + ARF_EXTRA, "member", dt.date(1994, 7, 25))
    member("US-RU-ICT", ["USA", "RUS"], "party", dt.date(2013, 6, 17))
    if stdout is not None:
        stdout.write(
            f"directory: {created['organisations']} organisations, {created['states']} states, "
            f"{created['points_of_contact']} points of contact created"
        )
    return created
