"""Benchmark: does the directory stay as fast when it grows tenfold?

Times the directory search page listing every point of contact (``/directory/?q=``) and the API
list (``/api/v1/directory/points-of-contact/``) with 20 and then 200 states × 10 points of
contact, and prints the median times, the queries each request ran and the 200/20 ratio.
Both are paginated, so a ratio near 1 and the same query counts mean that neither grows
with the directory.

    .venv/bin/python bench/directory.py [--runs 25]

By default it builds a throw-away SQLite database in a temporary folder. With DATABASE_URL set
it uses that database instead (give it an empty database of your own: the data is left there).
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POCS_PER_STATE = 10
SIZES = (20, 200)
PAGE = "/directory/?q="
API = "/api/v1/directory/points-of-contact/"


def configure() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["CBMHUB_DATA_DIR"] = tempfile.mkdtemp(prefix="cbmhub-bench-")
        atexit.register(shutil.rmtree, os.environ["CBMHUB_DATA_DIR"], ignore_errors=True)
    # The test client's host, development secret key and plain static files; no HTTPS redirect.
    os.environ.setdefault("CBMHUB_TESTING", "1")
    os.environ.setdefault("CBMHUB_HTTPS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CBMHUB_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbmhub.settings")
    # WhiteNoise looks for collected static files, which a benchmark does not need.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    import django

    django.setup()
    from django.conf import settings

    return str(settings.DATABASES["default"]["NAME"])


def grow_to(states: int) -> None:
    """Add states (each a CICA member) with 10 points of contact and 2 channels each."""
    from cbmhub.directory.models import (
        ContactChannel,
        Membership,
        Organisation,
        PointOfContact,
        State,
    )

    cica, _ = Organisation.objects.get_or_create(
        acronym="BENCH", defaults={"name": "Benchmark organisation", "kind": "regional"}
    )
    start = State.objects.filter(name__startswith="Bench state ").count()
    new = []
    for index in range(start, states):
        a, b, c = chr(65 + index // 26 % 26), chr(65 + index % 26), chr(65 + index // 676 % 26)
        new.append(State(name=f"Bench state {index:03d}", iso2=f"{a}{b}", iso3=f"{c}{a}{b}"))
    created = State.objects.bulk_create(new)
    Membership.objects.bulk_create(
        Membership(state=state, organisation=cica, status="member") for state in created
    )
    levels = ("technical", "diplomatic", "high_level")
    pocs = PointOfContact.objects.bulk_create(
        PointOfContact(
            state=state,
            level=levels[n % 3],
            office=f"Office {n} of {state.iso3}",
            person_name=f"Person {n}",
            languages="en,ru",
            time_zone="Asia/Almaty",
        )
        for state in created
        for n in range(POCS_PER_STATE)
    )
    ContactChannel.objects.bulk_create(
        channel
        for poc in pocs
        for channel in (
            ContactChannel(
                point_of_contact=poc,
                kind="email",
                is_primary=True,
                value=f"poc{poc.pk}@example.org",
            ),
            ContactChannel(point_of_contact=poc, kind="phone", value=f"+7 700 {poc.pk:07d}"),
        )
    )


def measure(client, url: str, runs: int, **headers) -> tuple[float, int]:
    """Median milliseconds over `runs` requests (after two warm-ups) and queries per request."""
    from django.db import connection

    for _ in range(2):
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
    queries = []

    def count(execute, sql, params, many, context):  # survives the per-request reconnect
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, **headers)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=25, help="timed requests per measurement")
    args = parser.parse_args()
    database = configure()

    from django.core.management import call_command
    from django.test import Client

    from cbmhub.accounts import services
    from cbmhub.accounts.choices import TokenRevocation
    from cbmhub.accounts.models import User

    call_command("migrate", verbosity=0)
    # An observer: reads the whole directory and needs no second factor.
    user, _ = User.objects.get_or_create(username="bench-observer", defaults={"role": "observer"})
    # A fresh token each run (the previous run's is revoked): keys are shown only once.
    services.api_tokens_revoke_all(user=user, actor=None, reason=TokenRevocation.BY_OPERATOR)
    _token, key = services.api_token_issue(user=user, name="bench")
    page_client = Client()
    page_client.force_login(user)
    api_client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    print(f"CBM Hub directory benchmark — database {database}, median of {args.runs} runs")
    print(f"{'states':>6} {'POCs':>6} {'page ms':>9} {'queries':>8} {'API ms':>9} {'queries':>8}")
    results = {}
    for size in SIZES:
        grow_to(size)
        page = measure(page_client, PAGE, args.runs)
        api = measure(api_client, API, args.runs, **auth)
        results[size] = (page, api)
        print(
            f"{size:>6} {size * POCS_PER_STATE:>6} {page[0]:>9.2f} {page[1]:>8} "
            f"{api[0]:>9.2f} {api[1]:>8}"
        )
    small, large = results[SIZES[0]], results[SIZES[-1]]
    print(
        f"ratio {SIZES[-1]}/{SIZES[0]}: page {large[0][0] / small[0][0]:.2f}, "
        f"API {large[1][0] / small[1][0]:.2f}"
    )
    if (large[0][1], large[1][1]) != (small[0][1], small[1][1]):
        print("warning: the number of queries grew with the directory", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
