"""Shared pieces of the reliability tests: measured figures, hypothesis profiles.

``figures`` collects what a test measured (``figures.add("pool exhaustion", "postgres",
"1,000 calls in 0.8 s")``); the lines are printed at the end of the run, under
"kongdao reliability figures", and written to ``.cache/reliability/figures.json``, so that the
numbers in docs/reliability.md can be checked against a fresh run.

Hypothesis profiles for the fuzz tests: ``fuzz`` (the default: few examples, for ``make test``)
and ``fuzz-long`` (``make test-reliability``); pick one with ``KONGDAO_FUZZ_PROFILE``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the helpers below live in the source tree, not in the package
    sys.path.insert(0, str(ROOT))

from tests.reliability.support import FIGURES, Figures, write_figures  # noqa: E402


@pytest.fixture(scope="session")
def figures() -> Figures:
    """The measured figures of this run (printed at the end, saved as JSON)."""
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES.lines:
        return
    terminalreporter.section("kongdao reliability figures")
    for (what, backend), text in sorted(FIGURES.lines.items()):
        terminalreporter.write_line(f"{what} [{backend}]: {text}")
    path = write_figures()
    if path is not None:
        terminalreporter.write_line(f"(saved in {path})")
