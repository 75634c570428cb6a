"""The hotline's modules form layers without a loop (issue 9): models import no selectors or
services, the rules live in permissions.py, pure helpers in the pure modules. Read from the
source (every import, function-level ones included), so a loop held together by an import
inside a function is found too."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1]
PACKAGE = "cbmhub.hotline"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> list[str]:
    if node.level == 0:
        base = node.module or ""
    else:
        parts = module.split(".")
        keep = len(parts) - node.level + (1 if is_package else 0)
        base = ".".join(parts[:keep] + ([node.module] if node.module else []))
    names = [f"{base}.{alias.name}" for alias in node.names]
    return [base, *names]


def _graph() -> dict[str, set[str]]:
    """Module -> the hotline modules it imports (tests and migrations left out)."""
    files = [
        p
        for p in APP.rglob("*.py")
        if "tests" not in p.relative_to(APP).parts and "migrations" not in p.relative_to(APP).parts
    ]
    modules = {_module_name(p): p for p in files}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                candidates = _resolve(name, node, path.name == "__init__.py")
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            targets |= {c for c in candidates if c in modules and c != name}
        graph[name] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, or None (depth-first search; the graph has a few dozen nodes)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_loop_inside_the_hotline():
    assert _cycle(_graph()) is None


@pytest.mark.parametrize(
    "module, forbidden",
    [
        ("models", {"selectors", "services", "permissions", "record", "views", "api"}),
        ("permissions", {"selectors", "services", "views", "api", "forms", "record"}),
        ("chain", {"models", "selectors", "services", "permissions", "record", "signing"}),
        ("record", {"selectors", "services", "views", "api"}),
        ("selectors", {"services", "views", "api", "forms", "transports", "worker"}),
    ],
)
def test_lower_layers_do_not_import_higher_ones(module, forbidden):
    graph = _graph()
    imported = {
        target.removeprefix(PACKAGE + ".").split(".")[0] for target in graph[f"{PACKAGE}.{module}"]
    }
    assert not imported & forbidden


def test_services_send_nothing():
    """Writes queue their deliveries; only the worker talks to SMTP and webhooks."""
    graph = _graph()
    services = [m for m in graph if m.startswith(f"{PACKAGE}.services")]
    for module in services:
        assert f"{PACKAGE}.transports" not in graph[module], module
        assert f"{PACKAGE}.worker" not in graph[module], module


def test_every_hotline_function_is_under_complexity_15():
    """message_send was 24: checks, then small writing steps (issue 9)."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    found = subprocess.run(
        [
            ruff,
            "check",
            "--isolated",
            "--select",
            "C901",
            "--config",
            "lint.mccabe.max-complexity=15",
            "--output-format",
            "concise",
            str(APP),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert found.returncode == 0, found.stdout
