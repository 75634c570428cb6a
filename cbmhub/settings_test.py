"""Settings for the test runner: the project's settings with ``CBMHUB_TESTING`` on.

pytest names this module (pyproject.toml), so testing mode is switched on by the test runner
alone, never by pytest merely being importable in a production environment. Subprocesses that the
tests start (the worker, the command line) inherit the variable.
"""

import os

os.environ["CBMHUB_TESTING"] = "1"

from cbmhub.settings import *  # noqa: E402, F403
