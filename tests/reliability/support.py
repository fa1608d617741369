"""Helpers shared by the reliability tests (imported as ``tests.reliability.support``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile(
    "fuzz",
    max_examples=25,
    deadline=None,
    # the db fixture is set up once per test, not per example: every example checks its own
    # effects (tables unchanged), so sharing it is what we want
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
settings.register_profile("fuzz-long", parent=settings.get_profile("fuzz"), max_examples=300)

RESULTS = Path(__file__).resolve().parents[2] / ".cache" / "reliability" / "figures.json"


def fuzz_settings() -> settings:
    """The hypothesis settings of the fuzz tests (``KONGDAO_FUZZ_PROFILE``, default ``fuzz``)."""
    return settings.get_profile(os.environ.get("KONGDAO_FUZZ_PROFILE", "fuzz"))


class Figures:
    """Measured figures of this run, by (what, backend)."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str, str], str] = {}

    def add(self, what: str, backend: str, text: str) -> None:
        self.lines[(what, backend)] = text


FIGURES = Figures()


def write_figures() -> Path | None:
    """Merge this run's figures into ``.cache/reliability/figures.json``; its path."""
    try:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        saved.update({f"{w} [{b}]": t for (w, b), t in FIGURES.lines.items()})
        RESULTS.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")
    except (OSError, ValueError):
        return None
    return RESULTS
