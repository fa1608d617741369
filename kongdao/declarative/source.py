"""Reading a declarative file: JSON or YAML text into a plain tree of dicts and lists.

This is Kong's ``unserialize`` (``kong/db/declarative/init.lua``, Kong 3.9.3): a file named
``*json`` is read as JSON, ``*.yml`` / ``*.yaml`` as YAML, any other name is refused; text
without a name is tried as JSON first, then as YAML. YAML is read with PyYAML's safe loader
(``pip install pyyaml``; JSON needs nothing), with one change: dates stay strings, as they do
for Kong's lyaml. A file that cannot be read as either, or that does not hold a mapping, is a
:class:`~kongdao.errors.DeclarativeConfigError` whose ``fields`` are
``{"error": "failed parsing declarative configuration: <why>"}``, as Kong reports it.

The tree returned is always a fresh copy made of ``dict`` and ``list`` only: YAML anchors
(``*name``) become independent copies, so nothing read from a file is shared or aliased, and a
recursive YAML structure is refused.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from kongdao import errors

__all__ = ["MAX_VALUES", "Source", "copy_tree", "read", "unserialize"]

Source = str | bytes | os.PathLike[str] | Mapping[str, Any]
"""What :func:`kongdao.declarative.parse` accepts: a path, text, or an already-loaded mapping."""

_JSON_NAME: Final = re.compile(r"json\Z")
_YAML_NAME: Final = re.compile(r"ya?ml\Z")
_FILE_NAME: Final = re.compile(r"\.(?:json|ya?ml)\Z", re.IGNORECASE)
_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"

MAX_VALUES: Final = 10_000_000
"""The most values (scalars, lists and mappings) a configuration may hold once YAML aliases are
expanded: a bound on what a few lines of nested aliases ("billion laughs") can make us build."""


class _Cycle(Exception):  # noqa: N818 (a private signal)
    pass


class _TooLarge(Exception):  # noqa: N818 (a private signal)
    pass


def _failed(err: str | None) -> errors.DeclarativeConfigError:
    message = "failed parsing declarative configuration" + (f": {err}" if err else "")
    return errors.declarative_config({"error": message})


def copy_tree(value: Any) -> Any:
    """A deep copy of a JSON-like tree: mappings become dicts, lists and tuples lists.

    Unlike :func:`copy.deepcopy`, a value reachable twice is copied twice.

    Raises:
        DeclarativeConfigError: The tree contains itself, or holds more than
            :data:`MAX_VALUES` values.
    """
    try:
        return _copy(value, set(), [MAX_VALUES])
    except _Cycle:
        raise _failed("recursive structure") from None
    except _TooLarge:
        raise _failed(f"more than {MAX_VALUES} values") from None


def _copy(value: Any, stack: set[int], budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    if isinstance(value, Mapping | list | tuple):
        if id(value) in stack:
            raise _Cycle
        stack.add(id(value))
        try:
            if isinstance(value, Mapping):
                return {key: _copy(item, stack, budget) for key, item in value.items()}
            return [_copy(item, stack, budget) for item in value]
        finally:
            stack.discard(id(value))
    return value


def _yaml() -> Any:
    try:
        return importlib.import_module("yaml")
    except ImportError:
        raise ImportError(
            "reading a YAML declarative configuration needs PyYAML: pip install pyyaml"
        ) from None


@functools.cache
def _loader() -> Any:
    yaml = _yaml()
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    resolvers = {
        first: [(tag, regexp) for tag, regexp in entries if tag != _TIMESTAMP_TAG]
        for first, entries in base.yaml_implicit_resolvers.items()
    }
    return type("KongdaoYAMLLoader", (base,), {"yaml_implicit_resolvers": resolvers})


def _yaml_error(exc: Exception) -> str:
    # lyaml's style, "<line>:<column>: <problem>", rather than PyYAML's multi-line report
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        return f"{mark.line + 1}:{mark.column + 1}: {problem}"
    return str(exc)


def _load_yaml(text: str) -> Any:
    yaml = _yaml()
    try:
        return yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        raise ValueError(_yaml_error(exc)) from None


def unserialize(contents: str | bytes, filename: str | None = None) -> dict[str, Any]:
    """Kong's ``unserialize``: JSON or YAML text into a mapping.

    Args:
        contents: The text (bytes are read as UTF-8).
        filename: The file's name: ``*json`` is read as JSON only, ``*.yml``/``*.yaml`` as YAML
            only; ``None`` tries JSON, then YAML.

    Returns:
        The mapping, as a fresh tree of dicts and lists (see :func:`copy_tree`).

    Raises:
        DeclarativeConfigError: The text is neither JSON nor YAML, does not hold a mapping, or
            the name has another extension (``unknown file type: <name>. (Accepted types:
            json, yaml)``).
    """
    if isinstance(contents, bytes):
        try:
            contents = contents.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _failed(f"invalid UTF-8: {exc.reason} at byte {exc.start}") from None
    tried = False
    table: Any = None
    err: str | None = None
    if filename is None or _JSON_NAME.search(filename):
        tried = True
        try:
            table = json.loads(contents)
        except ValueError as exc:
            err = str(exc)
    if not isinstance(table, Mapping) and (filename is None or _YAML_NAME.search(filename)):
        tried = True
        try:
            table = _load_yaml(contents)
        except ValueError as exc:
            table, err = None, str(exc)
        except RecursionError:
            table, err = None, "nesting too deep"
        else:
            if not isinstance(table, Mapping):
                table, err = None, "expected an object"
    if not isinstance(table, Mapping):
        if not tried:
            err = f"unknown file type: {filename}. (Accepted types: json, yaml)"
            raise errors.declarative_config({"error": err})
        raise _failed(err or "expected an object")
    copied: dict[str, Any] = copy_tree(table)
    return copied


def read(source: Source) -> dict[str, Any]:
    """Read a declarative configuration from a path, text, or a mapping.

    Args:
        source: An :class:`os.PathLike` is a file; so is a one-line string ending in ``.json``,
            ``.yml`` or ``.yaml``. Any other string (or bytes) is the text itself. A mapping is
            taken as already loaded (and copied).

    Returns:
        The configuration as a fresh tree of dicts and lists.

    Raises:
        DeclarativeConfigError: The text cannot be read (see :func:`unserialize`).
        OSError: The file cannot be read.
        TypeError: ``source`` is none of these.
    """
    if isinstance(source, Mapping):
        copied: dict[str, Any] = copy_tree(source)
        return copied
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and _FILE_NAME.search(source.strip())
    ):
        path = Path(os.fspath(source).strip() if isinstance(source, str) else os.fspath(source))
        return unserialize(path.read_bytes(), path.name)
    if isinstance(source, str | bytes):
        return unserialize(source)
    raise TypeError(f"source must be a path, text or a mapping, not {type(source).__name__}")
