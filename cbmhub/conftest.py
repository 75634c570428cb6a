"""Shared test fixtures: a small world and the named personas every access test uses.

- ``state_a`` (Kazakhstan, KAZ) and ``state_b`` (Mongolia, MNG), both CICA members; ``state_c``
  (Thailand, THA) a third state that must never see A–B traffic.
- ``alice``: focal point of state A; ``anna``: a second user of state A (point of contact);
  ``bob``: focal point of state B; ``carol``: point of contact of state C;
  ``sam``: secretariat officer of CICA; ``olga``: observer (outsider); ``root``: superuser.
Persona logins use the password ``PASSWORD``. Two-factor checks are off in tests unless a test
turns ``settings.CBMHUB_REQUIRE_2FA`` on.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

PASSWORD = "correct horse battery staple"

# The shared test data (corpus texts, UN resolutions, STIX bundles) lies beside the repository,
# for developers and CI alike; CBMHUB_SHARED_DIR points elsewhere. Tests that need it fail,
# never skip, when it is missing.
SHARED_DIR = Path(
    os.environ.get("CBMHUB_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")
)


# README says the same, in the same words: a checkout without ../shared fails every test with it.
SHARED_MISSING = (
    "The tests need the shared test data beside the checkout: ../shared (the project's shared/ "
    "folder, with corpus/ and data/), or CBMHUB_SHARED_DIR pointing at it."
)


@pytest.fixture(autouse=True, scope="session")
def _shared_data_present():
    if not SHARED_DIR.is_dir():
        pytest.fail(f"{SHARED_MISSING} Not found: {SHARED_DIR}", pytrace=False)


def shared_path(relative: str) -> Path:
    path = SHARED_DIR / relative
    if not path.is_file():
        pytest.fail(
            f"shared test data missing: {path} (expected ../shared beside the repository, "
            "or set CBMHUB_SHARED_DIR)"
        )
    return path


os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.CBMHUB_REQUIRE_2FA = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.CBMHUB_SIGNING_KEY_FILE = tmp_path / "signing-key.pem"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The precedent search index is saved per test (var/ is the running app's, and the test
    # databases of parallel workers differ), and no process index is carried over.
    from cbmhub.precedent import selectors as precedent_selectors

    settings.PRECEDENT_INDEX_DIR = tmp_path / "precedent-index"
    precedent_selectors._cache.update(stamp=None, index=None, versions=None, database=None)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language and leaves none active: a page rendered in
    Kazakh by one test must not translate the next test's messages in the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def cica(db):
    from cbmhub.directory.models import Organisation

    return Organisation.objects.create(
        acronym="CICA",
        name="Conference on Interaction and Confidence-Building Measures in Asia",
        kind="regional",
    )


@pytest.fixture
def asean(db):
    """A second organisation, which states A and C and the CICA secretariat are not part of."""
    from cbmhub.directory.models import Organisation

    return Organisation.objects.create(acronym="ASEAN", name="ASEAN", kind="regional")


@pytest.fixture
def swg(cica):
    """CICA's Special Working Group, under its Senior Officials Committee (SOC)."""
    from cbmhub.directory.models import Body

    soc = Body.objects.create(
        organisation=cica, name="Senior Officials Committee", acronym="SOC", kind="senior_officials"
    )
    return Body.objects.create(
        organisation=cica,
        name="Special Working Group",
        acronym="SWG",
        kind="special_working_group",
        parent=soc,
    )


def _state(name: str, iso2: str, iso3: str, *aliases: str):
    from cbmhub.directory.models import State, StateAlias

    state = State.objects.create(name=name, iso2=iso2, iso3=iso3)
    for code in aliases:
        StateAlias.objects.create(state=state, code=code)
    return state


@pytest.fixture
def state_a(cica):
    from cbmhub.directory.models import Membership

    state = _state("Kazakhstan", "KZ", "KAZ", "KAZ", "КАЗ")
    Membership.objects.create(state=state, organisation=cica, status="member")
    return state


@pytest.fixture
def state_b(cica):
    from cbmhub.directory.models import Membership

    state = _state("Mongolia", "MN", "MNG", "MGL")
    Membership.objects.create(state=state, organisation=cica, status="member")
    return state


@pytest.fixture
def state_c(cica):
    from cbmhub.directory.models import Membership

    state = _state("Thailand", "TH", "THA", "THAI")
    Membership.objects.create(state=state, organisation=cica, status="member")
    return state


def search(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    """``re.search`` for a part of a page that must be there: fails the test, naming the
    pattern, when it is not (instead of an AttributeError on None)."""
    found = re.search(pattern, text, flags)
    assert found is not None, f"nothing matches {pattern!r}"
    return found


def make_user(username: str, **fields):
    from cbmhub.accounts.models import User

    user = User(username=username, email=f"{username}@example.org", **fields)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_poc(state, level: str, office: str, *, email: str = "", user=None, organisation=None):
    from cbmhub.directory.models import ContactChannel, PointOfContact

    poc = PointOfContact.objects.create(
        state=state,
        level=level,
        office=office,
        organisation=organisation,
        languages="en,ru",
        time_zone="UTC",
        user=user,
    )
    ContactChannel.objects.create(
        point_of_contact=poc,
        kind="email",
        is_primary=True,
        value=email or f"{level}.{state.iso3.lower()}@example.org",
    )
    return poc


@pytest.fixture
def alice(state_a):
    user = make_user("alice", role="focal_point", state=state_a)
    make_poc(state_a, "diplomatic", "Ministry of Foreign Affairs", user=user)
    return user


@pytest.fixture
def anna(state_a):
    user = make_user("anna", role="poc", state=state_a)
    make_poc(state_a, "technical", "KZ-CERT", user=user)
    return user


@pytest.fixture
def bob(state_b):
    user = make_user("bob", role="focal_point", state=state_b)
    make_poc(state_b, "diplomatic", "Ministry of Foreign Affairs", user=user)
    return user


@pytest.fixture
def bert(state_b):
    user = make_user("bert", role="poc", state=state_b)
    make_poc(state_b, "technical", "MonCIRT", user=user)
    return user


@pytest.fixture
def carol(state_c):
    user = make_user("carol", role="poc", state=state_c)
    make_poc(state_c, "technical", "ThaiCERT", user=user)
    return user


@pytest.fixture
def sam(cica):
    return make_user("sam", role="secretariat", organisation=cica)


@pytest.fixture
def sara(asean):
    """A secretariat officer of another organisation (ASEAN), not of CICA."""
    return make_user("sara", role="secretariat", organisation=asean)


@pytest.fixture
def olga(db):
    return make_user("olga", role="observer")


@pytest.fixture
def root(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client, signed in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


def api_key_for(user, name: str = "tests", *, used: bool = False) -> str:
    """A key of a fresh API token of ``user``, as if issued before the test began: the row is
    made directly, so no history record appears in tests that count the history (the issue
    service and its record are tested in accounts/tests)."""
    from django.utils import timezone

    from cbmhub.accounts import tokens
    from cbmhub.accounts.models import ApiToken

    key, prefix = tokens.new_key()
    ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=tokens.digest(key),
        credential_stamp=user.credential_stamp,
        last_used_at=timezone.now() if used else None,
    )
    return key


@pytest.fixture
def api_for():
    """``api_for(user)``: a DRF APIClient authenticated by an API token of the user (one token
    per user per test, shared by the clients made for that user)."""
    from rest_framework.test import APIClient

    keys: dict[int, str] = {}

    def make(user=None):
        api = APIClient()
        if user is not None:
            if user.pk not in keys:
                # Marked as just used: its first request then writes no last-used time
                # (at most one write a minute), so query counts do not depend on which
                # request came first.
                keys[user.pk] = api_key_for(user, used=True)
            api.credentials(HTTP_AUTHORIZATION=f"Token {keys[user.pk]}")
        return api

    return make


# --- browser tests ---------------------------------------------------------------------------

CHROMIUM = os.environ.get("CBMHUB_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/test.sh, which installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login_page(page, live_server):
    """``login_page(user)``: the browser page, signed in through the real login form."""

    def login(user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        # Wait for the page the form leads to, not the one already loaded.
        with page.expect_navigation():
            page.click("button[type=submit]")
        return page

    return login


@pytest.fixture
def browser_as(browser, live_server):
    """``browser_as(user, language="en", width=1366)``: a new browser page signed in as `user`
    by a session cookie (no login form: fewer page loads) in that UI language. Its context is
    closed after the test."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def open_page(user, *, language: str = "en", width: int = 1366):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="en-GB", timezone_id="UTC"
        )
        contexts.append(context)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


# --- hypothesis ----------------------------------------------------------------------------
try:
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings

    # CI: reproducible examples and no per-example deadline (the machine is shared and slow).
    hypothesis_settings.register_profile(
        "ci",
        derandomize=True,
        deadline=None,
        max_examples=300,
        suppress_health_check=[HealthCheck.too_slow],
    )
    hypothesis_settings.register_profile("dev", deadline=None)
    hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass


@pytest.fixture
def link(state_a, state_b, cica):
    """The A–B technical hotline channel (bilateral, CICA framework), for every app's tests."""
    from cbmhub.hotline.choices import Scope
    from cbmhub.hotline.models import Channel

    return Channel.objects.create(
        name="A–B CERT link",
        scope=Scope.BILATERAL,
        level="technical",
        organisation=cica,
        state_a=state_a,
        state_b=state_b,
    )
