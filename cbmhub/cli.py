"""The `cbmhub` console command: Django's management commands under one name.

`cbmhub migrate`, `cbmhub demo`, `cbmhub runserver`, `cbmhub text parse FILE`,
`cbmhub hotline verify` ... all run with CBM Hub's settings.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line

# Commands that read files and print results, and never serve or sign anything: they run
# without a SECRET_KEY so that `cbmhub text parse FILE` works on a bare checkout.
OFFLINE_COMMANDS = {"text"}


def _is_offline(args: list[str]) -> bool:
    """`cbmhub text …`, and `cbmhub hotline verify --bundle …` (checks an exported record with a
    public key: no database, no signing)."""
    if args and args[0] in OFFLINE_COMMANDS:
        return True
    return args[:2] == ["hotline", "verify"] and any(a.startswith("--bundle") for a in args)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbmhub.settings")
    if _is_offline(args):
        os.environ.setdefault("CBMHUB_OFFLINE_COMMAND", "1")
    execute_from_command_line(["cbmhub", *args])


if __name__ == "__main__":
    main()
