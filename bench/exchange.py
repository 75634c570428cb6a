"""Benchmark: the exchange's TAXII 2.1 server against medallion 3.0.0 (the OASIS reference
server, memory backend), same data, same client (taxii2-client 2.3.0), in one run.

    .venv/bin/python bench/exchange.py [--objects 50000] [--peer-objects 2000]
                                       [--databases sqlite,postgres]

Data: MITRE ATT&CK for ICS (../shared/data/stix/attack-ics/ics-attack.json, 1,826 objects)
plus generated indicators up to ``--objects``, each under a TLP 2.0 marking.

For each database (SQLite in a temporary folder; PostgreSQL at DATABASE_URL, default
``postgres://postgres@127.0.0.1:5432/cbm_exchange_bench``, dropped and created) a child
process migrates, makes a CERT user with an API token and a collection, and starts a real
server (gunicorn, one sync worker); then it measures with taxii2-client:

1. ingest: ``Collection.add_objects`` with envelopes of 1,000 objects → objects/s;
2. paging: the whole collection with ``as_pages(get_objects, per_request=1000)`` → seconds,
   and the first and the last page's time (keyset pagination: the last page must be served
   within 1.5× the first);
3. ``match[type]=attack-pattern`` → seconds;
4. the physical reference: the same rows written by a raw ``executemany`` INSERT into the same
   table of the same database → rows/s; and how much of the ingest is validation
   (stix2-validator over the same objects in this process, the code the server runs).

medallion runs in its own virtual environment, ``.bench-venv/`` (created on first use; medallion
3.0.0 and its Flask do not belong beside Django), started by this script with its memory
backend and ``max_page_size`` 1000. Its memory backend compares every new object with every
stored one and re-reads the whole collection for each page, so it is quadratic: it is measured
at ``--peer-objects`` (default 2,000; 50,000 would take hours), and CBM Hub is measured at
that size too, so every ratio compares the two on the same data. CBM Hub is also measured at
``--objects``. Targets (issue 11): ingest ≥ 10× medallion's rate; paging ≥ 50× faster; last
page ≤ 1.5× the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ATTACK = ROOT.parent / "shared" / "data" / "stix" / "attack-ics" / "ics-attack.json"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/cbm_exchange_bench"
BENCH_VENV = ROOT / ".bench-venv"
CHUNK = 1000
SAMPLE = 10  # validation time is measured on every 10th object and multiplied by 10
TLP_IDS = [
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",  # GREEN
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",  # AMBER
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",  # AMBER+STRICT
]


# --- data --------------------------------------------------------------------------------------


def dataset(total: int) -> list[dict]:
    shared = Path(os.environ.get("CBMHUB_SHARED_DIR", ROOT.parent / "shared"))
    attack = json.loads((shared / "data/stix/attack-ics/ics-attack.json").read_text())["objects"]
    objects = attack[:total]
    for n in range(total - len(objects)):
        stamp = f"2026-01-{1 + n % 28:02d}T{n % 24:02d}:00:00.000Z"
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'bench-{n}')}",
                "created": stamp,
                "modified": stamp,
                "name": f"C2 10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
                "pattern": f"[ipv4-addr:value = '10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}']",
                "pattern_type": "stix",
                "valid_from": stamp,
                "object_marking_refs": [TLP_IDS[n % len(TLP_IDS)]],
            }
        )
    return objects


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            return  # it answers (401 is an answer)
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


# --- the measurements, the same for both servers ---------------------------------------------


def measure(collection_url: str, user: str, password: str, objects: list[dict]) -> dict:
    from taxii2client.v21 import Collection, as_pages

    collection = Collection(collection_url, user=user, password=password)
    started = time.perf_counter()
    stored = refused = 0
    for start in range(0, len(objects), CHUNK):
        status = collection.add_objects(
            {"objects": objects[start : start + CHUNK]}, wait_for_completion=False
        )
        stored += status.success_count
        refused += status.failure_count
    ingest = time.perf_counter() - started
    pages: list[float] = []
    count = 0
    started = time.perf_counter()
    generator = as_pages(collection.get_objects, per_request=CHUNK)
    while True:
        page_started = time.perf_counter()
        try:
            envelope = next(generator)
        except StopIteration:
            break
        pages.append(time.perf_counter() - page_started)
        count += len(envelope.get("objects", []))
    paging = time.perf_counter() - started
    started = time.perf_counter()
    typed = collection.get_objects(type="attack-pattern", limit=CHUNK)
    match_type = time.perf_counter() - started
    return {
        "objects": len(objects),
        "stored": stored,
        "refused": refused,
        "ingest_s": ingest,
        "ingest_rate": len(objects) / ingest,
        "paged": count,
        "paging_s": paging,
        "first_page_s": pages[0] if pages else 0.0,
        "last_page_s": pages[-1] if pages else 0.0,
        "pages": len(pages),
        "match_type_s": match_type,
        "match_type_n": len(typed.get("objects", [])),
    }


# --- CBM Hub (a child process per database) ----------------------------------------------------


def child_env(database: str) -> dict[str, str]:
    env = {
        **os.environ,
        "CBMHUB_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CBMHUB_LOG_LEVEL": "WARNING",
    }
    env.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
    env["DJANGO_SETTINGS_MODULE"] = "cbmhub.settings"
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
        env["CBMHUB_DATA_DIR"] = tempfile.mkdtemp(prefix="cbmhub-bench-exchange-")
    else:
        url = os.environ.get("DATABASE_URL", DEFAULT_PG)
        if not url.startswith(("postgres://", "postgresql://")):
            url = DEFAULT_PG
        env["DATABASE_URL"] = url
    return env


def recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_world() -> tuple[str, str, str]:
    """A state, its CERT user with an API token, an arrangement and its collection."""
    from cbmhub.accounts import tokens
    from cbmhub.accounts.models import ApiToken, User
    from cbmhub.directory.models import PointOfContact, State
    from cbmhub.exchange import services

    a = State.objects.create(name="Kazakhstan", iso2="KZ", iso3="KAZ")
    b = State.objects.create(name="Mongolia", iso2="MN", iso3="MNG")
    user = User.objects.create(username="bench-cert", role="poc", state=a)
    PointOfContact.objects.create(state=a, level="technical", office="KZ-CERT", user=user)
    operator = User.objects.create(username="bench-root", is_superuser=True, is_staff=True)
    arrangement = services.arrangement_create(
        actor=operator, name="bench", kind="bilateral", states=[a, b], default_tlp="amber"
    )
    key, prefix = tokens.new_key()
    ApiToken.objects.create(
        user=user,
        name="bench",
        prefix=prefix,
        digest=tokens.digest(key),
        credential_stamp=user.credential_stamp,
    )
    return user.username, key, str(arrangement.collections.get().pk)


def raw_insert_rate(objects: list[dict]) -> float:
    """The same rows, written by one executemany INSERT in one transaction (no Django model,
    no validation, no TLP, no lock): the physical reference."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cbmhub.exchange import stix
    from cbmhub.exchange.models import Arrangement, Collection

    collection = Collection.objects.create(
        arrangement=Arrangement.objects.get(), title=f"raw-{len(objects)}"
    )
    now = timezone.now()
    rows = []
    for n, obj in enumerate(objects):
        fields = stix.indexed(obj)
        rows.append(
            (
                collection.pk.hex if connection.vendor == "sqlite" else collection.pk,
                fields.stix_id,
                fields.type,
                fields.spec_version,
                fields.created,
                fields.modified,
                fields.version,
                now + dt.timedelta(microseconds=n),
                fields.created_by_ref,
                fields.markings,
                "amber",
                2,
                None,
                True,
                fields.name,
                stix.dumps(obj),
                None,
                None,
            )
        )
    sql = (
        "INSERT INTO exchange_stixobject (collection_id, stix_id, type, spec_version, created, "
        "modified, version, date_added, created_by_ref, markings, tlp, tlp_rank, granular_rank, "
        "is_latest, name, raw, added_by_id, source_state_id) VALUES "
        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])
    return len(rows) / (time.perf_counter() - started)


def run_cbmhub_child(database: str, sizes: list[int]) -> None:
    """In the child: migrate, set up, and for each size start a server (gunicorn) and measure
    in a fresh collection; print one JSON line."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    user, key, _collection_id = setup_world()
    from cbmhub.exchange.models import Arrangement, Collection

    results = {}
    for size in sizes:
        # a fresh server for each size: the second size's data begins with the first's, and a
        # running server remembers each object's verdict (validation.errors_many)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "cbmhub.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "--timeout",
                "600",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/taxii2/")
            collection = Collection.objects.create(
                arrangement=Arrangement.objects.get(), title=f"n{size}-{len(results)}"
            )
            url = f"http://127.0.0.1:{port}/taxii2/api/collections/{collection.pk}/"
            results[str(size)] = measure(url, user, key, dataset(size))
            results[str(size)]["raw_insert_rate"] = raw_insert_rate(dataset(size))
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("RESULT " + json.dumps(results), flush=True)


def cbmhub(database: str, sizes: list[int]) -> dict:
    env = child_env(database)
    if database == "postgres":
        recreate_postgres(env["DATABASE_URL"])
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", database, "--sizes", ",".join(map(str, sizes))],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        if database == "sqlite":
            shutil.rmtree(env["CBMHUB_DATA_DIR"], ignore_errors=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"CBM Hub on {database} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")


# --- medallion -----------------------------------------------------------------------------------


def medallion_venv() -> Path:
    binary = BENCH_VENV / "bin" / "medallion"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [str(BENCH_VENV / "bin" / "pip"), "install", "-q", "medallion==3.0.0"], check=True
        )
    return binary


def medallion(size: int) -> dict:
    binary = medallion_venv()
    port = free_port()
    collection_id = str(uuid.uuid4())
    folder = Path(tempfile.mkdtemp(prefix="medallion-bench-"))
    data = {
        "/discovery": {
            "title": "bench",
            "description": "",
            "contact": "",
            "default": f"http://127.0.0.1:{port}/api1/",
            "api_roots": [f"http://127.0.0.1:{port}/api1/"],
        },
        "api1": {
            "information": {
                "title": "api1",
                "description": "",
                "max_content_length": 104857600,
                "versions": ["application/taxii+json;version=2.1"],
            },
            "status": [],
            "collections": [
                {
                    "id": collection_id,
                    "title": "bench",
                    "description": "",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }
    (folder / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(folder / "data.json"),
        },
        "users": {"bench": "bench"},
        "taxii": {"max_page_size": CHUNK},
    }
    (folder / "config.json").write_text(json.dumps(config))
    server = subprocess.Popen(
        [str(binary), "--host", "127.0.0.1", "--port", str(port), str(folder / "config.json")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/taxii2/")
        return measure(
            f"http://127.0.0.1:{port}/api1/collections/{collection_id}/",
            "bench",
            "bench",
            dataset(size),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


# --- report ----------------------------------------------------------------------------------


def validation_share(size: int, ingest_s: float) -> tuple[float, float]:
    from cbmhub.exchange import validation

    objects = dataset(size)[::SAMPLE]
    validation.errors(objects[0])  # schemas loaded once, as in a running server
    started = time.perf_counter()
    for obj in objects:
        validation.errors(obj)
    seconds = (time.perf_counter() - started) * SAMPLE
    return seconds, seconds / ingest_s


def validator_figures(size: int) -> dict[str, float]:
    """The validator alone over ``size`` distinct objects, in this process: CPU per object one
    by one (the ceiling of any ingest that validates every object on one core), then
    ``errors_many`` in a pool of every core, then an exact re-push (every verdict cached)."""
    from cbmhub.exchange import validation

    objects = dataset(size)
    validation.errors(objects[0])  # schemas loaded once, as in a running server
    started, cpu = time.perf_counter(), time.process_time()
    for obj in objects:
        validation.errors(obj)
    serial_s, serial_cpu = time.perf_counter() - started, time.process_time() - cpu
    cores = validation.default_workers()
    validation._cache.clear()
    validation.errors_many(objects[:300], workers=cores)  # the pool started
    validation._cache.clear()
    started = time.perf_counter()
    validation.errors_many(objects, workers=cores)
    pool_s = time.perf_counter() - started
    started = time.perf_counter()
    validation.errors_many(objects)
    cached_s = time.perf_counter() - started
    return {
        "cpu_ms": serial_cpu / size * 1000,
        "ceiling": size / serial_cpu,
        "serial_rate": size / serial_s,
        "cores": cores,
        "pool_rate": size / pool_s,
        "cached_rate": size / cached_s,
    }


def row(label: str, value: float, unit: str) -> None:
    print(f"  {label:<58} {value:>12,.2f} {unit}")


def ratio(label: str, value: float, target: float | None = None, *, at_most: bool = False) -> None:
    verdict = ""
    if target is not None:
        ok = value <= target if at_most else value >= target
        verdict = f"  (target {'≤' if at_most else '≥'} {target:g}×: {'met' if ok else 'NOT met'})"
    print(f"  {label:<58} {value:>12,.2f}×{verdict}")


def report(database: str, ours: dict, peer: dict, peer_size: int, big: int) -> None:
    small = ours[str(peer_size)]
    print(f"\n== {database}: CBM Hub vs medallion 3.0.0 (memory), {peer_size:,} objects ==")
    row("medallion ingest", peer["ingest_rate"], "objects/s")
    row("CBM Hub ingest (validated, TLP normalised)", small["ingest_rate"], "objects/s")
    ratio("ingest rate, CBM Hub / medallion", small["ingest_rate"] / peer["ingest_rate"], 10)
    row("medallion: page through the collection (limit=1000)", peer["paging_s"], "s")
    row("CBM Hub: page through the collection (limit=1000)", small["paging_s"], "s")
    ratio("paging, medallion time / CBM Hub time", peer["paging_s"] / small["paging_s"], 50)
    row("medallion match[type]=attack-pattern", peer["match_type_s"] * 1000, "ms")
    row("CBM Hub match[type]=attack-pattern", small["match_type_s"] * 1000, "ms")
    ratio(
        "match[type], medallion time / CBM Hub time", peer["match_type_s"] / small["match_type_s"]
    )
    print(
        f"  (stored/refused: CBM Hub {small['stored']}/{small['refused']}, medallion "
        f"{peer['stored']}/{peer['refused']}; refused = invalid under stix2-validator)"
    )
    full = ours[str(big)]
    print(f"\n== {database}: CBM Hub at {big:,} objects ==")
    row("ingest through add_objects", full["ingest_rate"], "objects/s")
    row(
        "raw executemany INSERT of the same rows (physical reference)",
        full["raw_insert_rate"],
        "rows/s",
    )
    ratio("ingest / raw INSERT", full["ingest_rate"] / full["raw_insert_rate"])
    seconds, share = validation_share(big, full["ingest_s"])
    row("stix2-validator over the same objects (every 10th, ×10)", seconds, "s")
    row("share of the ingest time that is validation", share * 100, "%")
    figures = validator_figures(peer_size)
    row("stix2-validator CPU per object", figures["cpu_ms"], "ms")
    row("validator-only ceiling, one core (1 / CPU per object)", figures["ceiling"], "objects/s")
    row("validator, one by one (wall clock)", figures["serial_rate"], "objects/s")
    row(
        f"validator in a pool of {figures['cores']} processes (wall)",
        figures["pool_rate"],
        "objects/s",
    )
    ratio("pool / one by one", figures["pool_rate"] / figures["serial_rate"])
    row("exact re-push, every verdict cached", figures["cached_rate"], "objects/s")
    needed = 10 * peer["ingest_rate"]
    row("rate the 10× target needs", needed, "objects/s")
    ratio(
        "validator ceiling on all cores / rate needed",
        figures["ceiling"] * figures["cores"] / needed,
        1,
    )
    row(f"page through {full['paged']:,} objects ({full['pages']} pages)", full["paging_s"], "s")
    row("first page", full["first_page_s"] * 1000, "ms")
    row("last page", full["last_page_s"] * 1000, "ms")
    ratio("last page / first page", full["last_page_s"] / full["first_page_s"], 1.5, at_most=True)
    row("match[type]=attack-pattern", full["match_type_s"] * 1000, "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=50_000)
    parser.add_argument("--peer-objects", type=int, default=2_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_cbmhub_child(args.child, [int(s) for s in args.sizes.split(",")])
        return
    print(f"medallion 3.0.0, memory backend, {args.peer_objects:,} objects …", flush=True)
    peer = medallion(args.peer_objects)
    for database in args.databases.split(","):
        print(f"CBM Hub on {database} …", flush=True)
        ours = cbmhub(database, [args.peer_objects, args.objects])
        report(database, ours, peer, args.peer_objects, args.objects)


if __name__ == "__main__":
    main()
