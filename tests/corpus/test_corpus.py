"""The corpus test: every real ``kong.yml`` of shared/corpus/kong-yml against expectations.toml.

expectations.toml says, for each file of the corpus, whether Kong 3.x accepts it (and why not),
and what kongdao does with it. This module holds kongdao to its columns:

* every file is parsed with every bundled plugin enabled;
* a file kongdao rejects must raise :class:`~kongdao.errors.DeclarativeConfigError` whose
  ``fields`` hold exactly the recorded reason categories and error paths, and the recorded
  message fragments;
* a file kongdao accepts must round-trip on each database of the ``db`` fixture: import,
  export (the export holds what the file says), parse the export, import it into an emptied
  database, export again: the two exports' entity sets are equal (per entity type, as sorted
  canonical JSON, ignoring ``created_at`` / ``updated_at``);
* and load DB-less (the ``off`` connector) to the same entities (see :func:`dbless_export`).

The table itself is checked too: one entry per corpus file, a one-line reason for every Kong 3
reject, and a ``difference`` wherever kongdao's verdict differs from Kong 3's.

The corpus lives outside the repository (``shared/`` beside it); ``KONGDAO_CORPUS`` points
elsewhere. Without it the tests skip locally and fail under CI.
"""

from __future__ import annotations

import fnmatch
import json
import os
import statistics
import time
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import kongdao
from kongdao import declarative, errors
from kongdao.declarative import DeclarativeConfig
from kongdao.plugins import BUNDLED

HERE = Path(__file__).resolve().parent
EXPECTATIONS: dict[str, dict[str, Any]] = tomllib.loads(
    (HERE / "expectations.toml").read_text(encoding="utf-8")
)
ACCEPTED = sorted(name for name, e in EXPECTATIONS.items() if e["kongdao"] == "accept")
REJECTED = sorted(name for name, e in EXPECTATIONS.items() if e["kongdao"] == "reject")

VERDICTS = {"accept", "reject"}
CATEGORIES = {
    "unknown-plugin",
    "unknown-field",
    "metadata",
    "duplicate-name",
    "duplicate-key",
    "duplicate-plugin",
    "must-be-null",
    "invalid-reference",
    "unreadable",
    "invalid-value",
}
KEYS = {
    "kong3",
    "kong3_why",
    "kong3_dbless",
    "kongdao",
    "reasons",
    "fields",
    "messages",
    "difference",
    "note",
}
TIMESTAMPS = ("created_at", "updated_at")


def _corpus_dir() -> Path:
    if env := os.environ.get("KONGDAO_CORPUS"):
        return Path(env)
    beside_repo = HERE.parents[2] / "shared" / "corpus" / "kong-yml"
    return beside_repo if beside_repo.is_dir() else Path("/work/shared/corpus/kong-yml")


CORPUS = _corpus_dir()


def require_corpus() -> Path:
    """The corpus directory; skips (fails under CI) when it is not there."""
    if not CORPUS.is_dir():
        message = f"the corpus is not available at {CORPUS} (set KONGDAO_CORPUS)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CORPUS


def corpus_file(name: str) -> Path:
    """The corpus file ``name`` (see :func:`require_corpus`)."""
    return require_corpus() / name


def parse(source: Path | str) -> DeclarativeConfig:
    """Kong's ``kong config parse`` with every bundled plugin enabled."""
    return declarative.parse(source, plugins=list(BUNDLED))


def canonical(config: DeclarativeConfig) -> dict[str, list[str]]:
    """Per entity type, the sorted canonical JSON of each entity, without its timestamps."""
    out: dict[str, list[str]] = {}
    for name, items in config.entities.items():
        rows = (
            json.dumps(
                {k: v for k, v in item.items() if k not in TIMESTAMPS}, sort_keys=True, default=str
            )
            for item in items
        )
        out[name] = sorted(rows)
    return out


def leaves(fields: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """The (dotted path, message) pairs of a Kong-shaped nested error table."""
    if isinstance(fields, Mapping):
        for key, value in fields.items():
            yield from leaves(value, (*prefix, str(key)))
    elif isinstance(fields, list):
        for item in fields:
            yield from leaves(item, prefix)
    else:
        yield ".".join(prefix), str(fields)


def categorise(path: str, message: str) -> str:
    """The reason category of one error (expectations.toml explains them)."""
    if "not enabled; add it to the 'plugins' configuration property" in message:
        return "unknown-plugin"
    if message == "unknown field":
        return "metadata" if "." not in path and path.startswith("_") else "unknown-field"
    if message.startswith("uniqueness violation"):
        if "'plugins' entity with cache_key set to" in message:
            return "duplicate-plugin"
        if "with cache_key set to" in message or "with primary key set to" in message:
            return "duplicate-key"
        return "duplicate-name"
    if message.startswith("invalid reference"):
        return "invalid-reference"
    if message == "value must be null":
        return "must-be-null"
    if path == "error":
        return "unreadable"
    return "invalid-value"


def path_matches(pattern: str, path: str) -> bool:
    """``pattern`` matches ``path`` segment by segment (fnmatch inside a segment)."""
    want, have = pattern.split("."), path.split(".")
    return len(want) == len(have) and all(
        fnmatch.fnmatchcase(seg, pat) for pat, seg in zip(want, have, strict=True)
    )


# --- the table ------------------------------------------------------------------------------


def test_the_table_has_one_entry_per_corpus_file():
    files = require_corpus().iterdir()
    on_disk = {p.name for p in files if p.suffix in (".yml", ".yaml", ".json")}
    assert sorted(on_disk - EXPECTATIONS.keys()) == [], "corpus files without an entry"
    assert sorted(EXPECTATIONS.keys() - on_disk) == [], "entries without a corpus file"


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_the_table_entry_is_complete_and_consistent(name):
    entry = EXPECTATIONS[name]
    assert set(entry) <= KEYS, f"unknown keys {sorted(set(entry) - KEYS)}"
    assert entry["kong3"] in VERDICTS
    assert entry["kongdao"] in VERDICTS
    why = entry.get("kong3_why")
    if entry["kong3"] == "reject" or entry.get("kong3_dbless") == "reject":
        assert why, "every Kong 3 reject is justified"
        assert "\n" not in why, "in one line"
    else:
        assert why is None, "an accepted file needs no kong3_why"
    if "kong3_dbless" in entry:
        assert entry["kong3_dbless"] in VERDICTS
        assert entry["kong3_dbless"] != entry["kong3"], "kong3_dbless only where modes differ"
    if entry["kong3"] != entry["kongdao"] or "kong3_dbless" in entry:
        assert entry.get("difference"), "every difference from Kong 3 is explained"
    recorded = ("reasons", "fields", "messages")
    if entry["kongdao"] == "reject":
        assert all(entry.get(key) for key in recorded), f"a reject records {recorded}"
        assert set(entry["reasons"]) <= CATEGORIES
        assert entry["reasons"] == sorted(set(entry["reasons"]))
    else:
        assert not any(key in entry for key in recorded)


# --- rejected files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", REJECTED)
def test_rejected_file_fails_with_the_recorded_reason(name):
    entry = EXPECTATIONS[name]
    with pytest.raises(errors.DeclarativeConfigError) as info:
        parse(corpus_file(name))
    found = list(leaves(info.value.fields))
    assert found, "the error carries its fields"

    assert sorted({categorise(path, message) for path, message in found}) == entry["reasons"]
    unmatched = sorted(
        {p for p, _ in found if not any(path_matches(f, p) for f in entry["fields"])}
    )
    assert unmatched == [], "error paths the table does not record"
    unused = [f for f in entry["fields"] if not any(path_matches(f, p) for p, _ in found)]
    assert unused == [], "recorded paths the error does not have"
    missing = [m for m in entry["messages"] if not any(m in message for _, message in found)]
    assert missing == [], "recorded message fragments the error does not have"


# --- accepted files: the database round trip -------------------------------------------------


def require_bundled_plugins(db: Any) -> None:
    missing = sorted(set(BUNDLED) - set(db.loaded_plugins))
    assert not missing, f"the test database must enable every bundled plugin (missing {missing})"


@pytest.mark.postgres
@pytest.mark.cassandra
@pytest.mark.parametrize("name", ACCEPTED)
async def test_accepted_file_round_trips(db, name):
    require_bundled_plugins(db)
    config = parse(corpus_file(name))

    await declarative.load_into_db(db, config)
    first = await declarative.export_from_db(db)
    assert canonical(first) == canonical(config), "the export holds what the file says"

    reparsed = parse(json.dumps(first.dump()))
    assert canonical(reparsed) == canonical(first), "the export parses to itself"
    await db.truncate()
    await declarative.load_into_db(db, reparsed)
    second = await declarative.export_from_db(db)
    assert canonical(second) == canonical(first), "re-importing the export changes nothing"


# --- accepted files: DB-less -----------------------------------------------------------------
#
# every accepted file, served by the DB-less connector, reads back as the parsed entities


async def dbless_export(config: DeclarativeConfig) -> DeclarativeConfig:
    """Load ``config`` DB-less and read every entity back, as ``export_from_db`` reads a DB."""
    off = await kongdao.connect("off", declarative_config=config)
    try:
        return await declarative.export_from_db(off)
    finally:
        await off.close()


@pytest.mark.parametrize("name", ACCEPTED)
async def test_accepted_file_loads_dbless(name):
    config = parse(corpus_file(name))
    served = await dbless_export(config)
    assert canonical(served) == canonical(config)


# --- timing (printed, not asserted) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.cassandra
async def test_import_time_of_the_largest_accepted_file(db, backend, capsys):
    require_bundled_plugins(db)
    name = max(ACCEPTED, key=lambda n: corpus_file(n).stat().st_size)
    config = parse(corpus_file(name))
    runs = []
    for _ in range(3):
        await db.truncate()
        start = time.perf_counter()
        await declarative.load_into_db(db, config)
        runs.append(time.perf_counter() - start)
    with capsys.disabled():
        print(
            f"\n[corpus] import of {name} ({corpus_file(name).stat().st_size} bytes, "
            f"{len(config)} entities) into {backend}: best {min(runs) * 1000:.0f} ms, "
            f"median {statistics.median(runs) * 1000:.0f} ms of {len(runs)} runs"
        )
