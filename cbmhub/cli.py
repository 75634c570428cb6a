"""The `cbmhub` console command: Django's management commands under one name.

`cbmhub migrate`, `cbmhub demo`, `cbmhub runserver`, `cbmhub text parse FILE`,
`cbmhub hotline verify` ... all run with CBM Hub's settings.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbmhub.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["cbmhub", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
