"""Benchmark: do the implementation matrix and the progress report stay as fast when the
organisation grows from 20 states × 30 measures to 200 × 300 (100 times the cells)?

For each size it builds an organisation with that many member states, a catalogue of that many
measures (under 10 top-level items), 5 annual reporting cycles with a submission in about half
of the cells (every fifth a nil return), and a plan of implementation with 4 initiatives under
every measure. It then times, as an operator signed in:

- the matrix page of the latest cycle (``/measures/matrix/?cycle=…``, its first page);
- the matrix API (``/api/v1/measures/cycles/…/matrix/``, the whole matrix as JSON: this one
  grows with the cells by design; it is shown for its query count);
- the progress report of a plan as DOCX and as PDF.

and prints the median times, the queries each request ran and the large/small ratio. Targets
(issue 12): matrix page ratio ≤ 3 for 100× the cells (no per-cell query); the progress report of
the large case within 5× the small one.

    .venv/bin/python bench/measures.py [--runs 9]

By default it builds a throw-away SQLite database in a temporary folder. With DATABASE_URL set
it uses that database instead (give it an empty database of your own: the data is left there).
"""

from __future__ import annotations

import argparse
import atexit
import datetime
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

SIZES = ((20, 30), (200, 300))
CYCLES = 5
INITIATIVES_PER_PLAN = 4


def configure() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["CBMHUB_DATA_DIR"] = tempfile.mkdtemp(prefix="cbmhub-bench-")
        atexit.register(shutil.rmtree, os.environ["CBMHUB_DATA_DIR"], ignore_errors=True)
    os.environ.setdefault("CBMHUB_TESTING", "1")
    os.environ.setdefault("CBMHUB_HTTPS", "0")
    # The operator it signs in as would need a second factor; a throw-away database does not.
    os.environ.setdefault("CBMHUB_REQUIRE_2FA", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CBMHUB_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbmhub.settings")
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    import django

    django.setup()
    from django.conf import settings

    return str(settings.DATABASES["default"]["NAME"])


def build(states: int, measures: int, tag: str) -> tuple[int, int]:
    """The organisation of one size; returns (latest cycle id, a plan id)."""
    from cbmhub.core.roles import SYSTEM
    from cbmhub.directory.models import Membership, Organisation, State
    from cbmhub.measures import services
    from cbmhub.measures.models import (
        Catalogue,
        Initiative,
        Measure,
        Plan,
        ReportingCycle,
        Submission,
    )

    organisation = Organisation.objects.create(
        acronym=f"BENCH{tag}", name=f"Benchmark organisation {tag}", kind="regional"
    )
    offset = 0 if tag == "S" else 20
    made = State.objects.bulk_create(
        State(
            name=f"Bench state {tag}{n:03d}",
            iso2=chr(65 + (offset + n) // 26) + chr(65 + (offset + n) % 26),
            iso3=tag + chr(65 + n // 26 % 26) + chr(65 + n % 26),
        )
        for n in range(states)
    )
    Membership.objects.bulk_create(
        Membership(state=s, organisation=organisation, status="member") for s in made
    )
    catalogue = Catalogue.objects.create(
        organisation=organisation, code=f"bench-{tag.lower()}", title=f"Bench {tag}"
    )
    tops = [
        Measure(catalogue=catalogue, code=str(t + 1), sort_key=f"{t + 1:04d}", depth=1, text="Top")
        for t in range(10)
    ]
    Measure.objects.bulk_create(tops)
    leaves = Measure.objects.bulk_create(
        Measure(
            catalogue=catalogue,
            parent=tops[n % 10],
            code=f"{n % 10 + 1}.{n // 10 + 1}",
            sort_key=f"{n % 10 + 1:04d}.{n // 10 + 1:04d}",
            depth=2,
            text=f"Measure {n}",
        )
        for n in range(measures)
    )
    plans = Plan.objects.bulk_create(
        Plan(measure=m, title=f"Plan {m.code}", from_year=2022, to_year=2023) for m in leaves
    )
    Initiative.objects.bulk_create(
        Initiative(
            plan=p,
            kind="workshop",
            title=f"Initiative {i}",
            year=2022 + i % 2,
            status="held" if i % 2 == 0 else "planned",
            lead_state=made[i % len(made)],
        )
        for p in plans
        for i in range(INITIATIVES_PER_PLAN)
    )
    cycle_id = 0
    for year in range(2021, 2021 + CYCLES):
        cycle = ReportingCycle.objects.create(
            catalogue=catalogue,
            instrument="Annual exchange",
            year=year,
            deadline=datetime.date(year, 4, 15),
        )
        cycle_id = cycle.pk
        Submission.objects.bulk_create(
            (
                Submission(
                    cycle=cycle,
                    measure=m,
                    state=s,
                    kind="nil_return" if (i + j) % 5 == 0 else "briefing",
                    nil_since_year=year - 1,
                    text="Text",
                    status="submitted",
                    visibility="public",
                )
                for i, s in enumerate(made)
                for j, m in enumerate(leaves)
                if (i + j + year) % 2 == 0
            ),
            batch_size=5000,
        )
        # Written in bulk, not through the services: count the tallies as they would.
        services.cycle_tallies_rebuild(actor=SYSTEM, cycle=cycle)
    return cycle_id, plans[0].pk


def measure(client, url: str, runs: int, **headers) -> tuple[float, int]:
    """Median milliseconds over `runs` requests (after one warm-up) and queries per request."""
    from django.db import connection

    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    queries: list[str] = []

    def count(execute, sql, params, many, context):
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
    parser.add_argument("--runs", type=int, default=9, help="timed requests per measurement")
    args = parser.parse_args()
    database = configure()

    from django.core.management import call_command
    from django.test import Client

    from cbmhub.accounts import services
    from cbmhub.accounts.choices import TokenRevocation
    from cbmhub.accounts.models import User

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(
        username="bench-operator", defaults={"is_superuser": True, "is_staff": True}
    )
    services.api_tokens_revoke_all(user=user, actor=None, reason=TokenRevocation.BY_OPERATOR)
    _token, key = services.api_token_issue(user=user, name="bench")
    client = Client()
    client.force_login(user)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    print(f"CBM Hub measures benchmark — database {database}, median of {args.runs} runs")
    header = f"{'states × measures':>18} {'what':<22} {'ms':>9} {'queries':>8}"
    print(header)
    results: dict[str, list[tuple[float, int]]] = {}
    for (states, measures), tag in zip(SIZES, ("S", "L"), strict=True):
        started = time.perf_counter()
        cycle_id, plan_id = build(states, measures, tag)
        built = time.perf_counter() - started
        print(f"{states:>8} × {measures:<7} (built in {built:.1f} s, {CYCLES} cycles)")
        for name, url, headers in (
            ("matrix page", f"/measures/matrix/?cycle={cycle_id}", {}),
            ("matrix API (whole)", f"/api/v1/measures/cycles/{cycle_id}/matrix/", auth),
            ("progress report DOCX", f"/measures/plans/{plan_id}/report.docx", {}),
            ("progress report PDF", f"/measures/plans/{plan_id}/report.pdf", {}),
        ):
            figures = measure(client, url, args.runs, **headers)
            results.setdefault(name, []).append(figures)
            print(f"{'':>18} {name:<22} {figures[0]:>9.1f} {figures[1]:>8}")
    print("ratio large/small (100× the cells):")
    failed = False
    for name, ((small_ms, small_q), (large_ms, large_q)) in results.items():
        ratio = large_ms / small_ms
        target = {"matrix page": 3.0, "progress report DOCX": 5.0, "progress report PDF": 5.0}.get(
            name
        )
        verdict = "" if target is None else (" ok" if ratio <= target else f" OVER {target:g}")
        failed |= target is not None and ratio > target
        queries = "same queries" if small_q == large_q else f"queries {small_q} → {large_q}"
        print(f"  {name:<22} {ratio:>6.2f}{verdict}  ({queries})")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
