"""Demo precedent index: a few UN Security Council resolutions of 2023 in English and Russian
(from ../shared/data/unsc beside the checkout, when it is there), and the adopted revisions of
the demo negotiations. Idempotent: a file already indexed with the same content is skipped."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cbmhub.core.roles import SYSTEM

from . import services

SHARED = Path(os.environ.get("CBMHUB_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
FILES = [
    "data/unsc/2023/English/S_RES_2672_E.xml",
    "data/unsc/2023/English/S_RES_2677_E.xml",
    "data/unsc/2023/Russian/S_RES_2672_R.xml",
    "data/unsc/2023/Russian/S_RES_2677_R.xml",
]


def load(*, stdout: Any) -> None:
    uploads = services.source_ensure(actor=SYSTEM, **services.UPLOADS_SOURCE)
    options = services.FileOptions(uploads, "", "en", "")
    added = 0
    for name in FILES:
        path = SHARED / name
        if not path.is_file():
            continue
        outcome = services.file_index(
            actor=SYSTEM,
            path=path,
            options=options,
            un_source=lambda: services.source_ensure(actor=SYSTEM, **services.UN_SOURCE),
        )
        added += outcome.action == "added"
    revisions = services.revisions_sync(actor=SYSTEM)
    stdout.write(f"Precedent: {added} UN resolutions and {revisions} adopted revisions indexed.\n")
