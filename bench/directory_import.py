"""Benchmark: a large directory import, and hotline sends while it runs.

On SQLite (one writer at a time) an import used to hold the write lock for its whole check and
apply: a flash send during a 25,000-row import answered HTTP 500 after 20 s. This bench

1. times a dry run and a real import of N new points of contact (CSV) through
   ``directory_import`` in a process of its own, as an operator would run it, and reports how
   long the write transaction was held (``-v 2``);
2. runs the same import again (other offices) and meanwhile sends a flash hotline message
   through the API every 0.25 s from this process, and reports every send's status and time.

    .venv/bin/python bench/directory_import.py [--rows 6000 15000] [--duplicates 15000]

``--duplicates N`` also times a dry run of a file whose N rows are all the same record (every
row but the first is a problem: the check was quadratic in them). The database is a throw-away
SQLite file in a temporary folder (the case that blocks; PostgreSQL has row locks).
``CBMHUB_BENCH_ROOT`` runs the bench against another checkout (to measure the code before).
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

ROOT = Path(os.environ.get("CBMHUB_BENCH_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable


def configure() -> Path:
    data = Path(tempfile.mkdtemp(prefix="cbmhub-bench-import-"))
    atexit.register(shutil.rmtree, data, ignore_errors=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ["CBMHUB_DATA_DIR"] = str(data)
    os.environ.setdefault("CBMHUB_TESTING", "1")
    os.environ.setdefault("CBMHUB_HTTPS", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("CBMHUB_LOG_LEVEL", "ERROR")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbmhub.settings")
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")
    import django

    django.setup()
    return data


def world():
    """Kazakhstan and Mongolia in CICA, a technical channel between them, an operator and a
    point of contact of Kazakhstan who sends."""
    from cbmhub.accounts.models import User
    from cbmhub.directory.models import Membership, Organisation, State
    from cbmhub.hotline.models import Channel

    cica = Organisation.objects.create(acronym="CICA", name="CICA", kind="regional")
    kaz = State.objects.create(name="Kazakhstan", iso2="KZ", iso3="KAZ")
    mng = State.objects.create(name="Mongolia", iso2="MN", iso3="MNG")
    for state in (kaz, mng):
        Membership.objects.create(state=state, organisation=cica, status="member")
    User.objects.create(username="root", is_superuser=True, is_staff=True)
    sender = User.objects.create(username="anna", role="poc", state=kaz)
    channel = Channel.objects.create(
        name="KAZ–MNG", scope="bilateral", level="technical", organisation=cica,
        state_a=kaz, state_b=mng,
    )  # fmt: skip
    return sender, channel


def csv_file(folder: Path, rows: int, tag: str) -> Path:
    lines = ["state,level,office,channels"] + [
        f"KAZ,technical,{tag} {n:05d},*email:{tag.lower()}{n}@kz.example" for n in range(rows)
    ]
    path = folder / f"{tag}-{rows}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_import(path: Path, *extra: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-m", "cbmhub", "directory_import", str(path), "--user", "root", "-v", "2"]
        + list(extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    return elapsed, (done.stdout + done.stderr).strip()


def sends_during(path: Path, sender, channel) -> tuple[float, list[tuple[int, float]]]:
    from rest_framework.test import APIClient

    api = APIClient(raise_request_exception=False)  # a 500 is a result to report
    api.force_authenticate(sender)
    results: list[tuple[int, float]] = []
    finished = threading.Event()
    outcome: dict[str, float] = {}

    def importer() -> None:
        outcome["seconds"], outcome["output"] = run_import(path)  # type: ignore[assignment]
        finished.set()

    thread = threading.Thread(target=importer)
    thread.start()
    number = 0
    while not finished.is_set():
        number += 1
        payload = {
            "channel": channel.pk, "kind": "request_information", "priority": "flash",
            "subject": f"Flash {number}", "body": "Scanning.", "tlp": "AMBER",
        }  # fmt: skip
        started = time.perf_counter()
        response = api.post(
            "/api/v1/hotline/messages/", payload, format="json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{path.stem}-{number}",
        )  # fmt: skip
        results.append((response.status_code, time.perf_counter() - started))
        time.sleep(0.25)
    thread.join()
    print(f"    import: {outcome['seconds']:.1f} s — {outcome['output'].splitlines()[-2:]}")
    return outcome["seconds"], results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[6000, 15000])
    parser.add_argument("--duplicates", type=int, default=15000)
    args = parser.parse_args()
    data = configure()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sender, channel = world()
    print(f"CBM Hub directory import benchmark — SQLite (WAL), code at {ROOT}")
    for rows in args.rows:
        path = csv_file(data, rows, f"Dry{rows}")
        print(f"{rows} new points of contact ({path.stat().st_size // 1024} KiB):")
        seconds, output = run_import(path, "--dry-run")
        print(f"  dry run: {seconds:.1f} s  {output.splitlines()[-1]}")
        seconds, output = run_import(csv_file(data, rows, f"Real{rows}"))
        timing = [line for line in output.splitlines() if "checked in" in line]
        print(f"  import: {seconds:.1f} s  {' '.join(timing) or output.splitlines()[-1]}")
        print("  the same size again, with a flash send every 0.25 s meanwhile:")
        _, results = sends_during(csv_file(data, rows, f"Send{rows}"), sender, channel)
        codes = sorted({code for code, _ in results})
        times = [t for _, t in results]
        print(
            f"    {len(results)} sends, status {codes}, median {statistics.median(times):.2f} s,"
            f" slowest {max(times):.2f} s"
        )
    if args.duplicates:
        lines = ["state,level,office,channels"] + [
            "KAZ,technical,Same,*email:same@kz.example"
        ] * args.duplicates
        path = data / "duplicates.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        seconds, output = run_import(path, "--dry-run")
        print(
            f"{args.duplicates} identical rows, dry run: {seconds:.1f} s, "
            f"{output.splitlines()[-1][:80]}"
        )


if __name__ == "__main__":
    main()
