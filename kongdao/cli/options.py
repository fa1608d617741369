"""Argument types and settings shared by the ``kongdao`` commands."""

from __future__ import annotations

import argparse
import math
from typing import Any

__all__ = ["plugin_list", "seconds", "timeout_settings"]


def seconds(text: str) -> float:
    """An ``argparse`` type: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text!r}")
    return value


def plugin_list(text: str) -> list[str]:
    """An ``argparse`` type: comma-separated plugin names (``bundled``, ``off`` included)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated plugin names")
    return names


def timeout_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The connector settings of ``--db-timeout`` (connect and statement timeouts), if given."""
    if args.db_timeout is None:
        return {}
    return {"statement_timeout": args.db_timeout, "connect_timeout": args.db_timeout}
