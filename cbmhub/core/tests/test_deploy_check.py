"""`cbmhub check --deploy` with production-like settings reports no warnings."""

import os
import subprocess
import sys


def test_check_deploy_is_clean(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CBMHUB_", "DJANGO_", "DATABASE_URL", "PYTEST"))
    }
    env.update(
        SECRET_KEY="k8#Vq2!pL0zR5wX9nB3mT7yC1dF6gH4jK0sA2eU8iO5rP9tQ3vZ7",
        ALLOWED_HOSTS="cbmhub.example.org",
        CSRF_TRUSTED_ORIGINS="https://cbmhub.example.org",
        CBMHUB_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "cbmhub", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
