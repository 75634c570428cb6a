#!/usr/bin/env python
"""Django's command-line utility; `cbmhub` (cbmhub.cli) is the same thing, installed."""

from cbmhub.cli import main

if __name__ == "__main__":
    main()
