"""The public surface of ``kongdao.legacy``, ``kongdao.sync`` and ``kongdao.singletons``."""

from __future__ import annotations

import importlib
import inspect

import pytest


@pytest.mark.parametrize(
    "module",
    ["kongdao.legacy", "kongdao.legacy.errors", "kongdao.sync", "kongdao.singletons"],
)
def test_all_is_sorted_and_complete(module):
    mod = importlib.import_module(module)
    assert mod.__all__ == sorted(mod.__all__, key=str.lower) or mod.__all__ == sorted(mod.__all__)
    for name in mod.__all__:
        if module == "kongdao.singletons" and name in ("db", "dao"):
            continue  # set by init()
        assert hasattr(mod, name), name
    public = {
        n
        for n, v in vars(mod).items()
        if not n.startswith("_")
        and (inspect.isclass(v) or inspect.isfunction(v))
        and getattr(v, "__module__", "").startswith(module)
    }
    assert public <= set(mod.__all__)


def test_importing_kongdao_sync_starts_no_thread():
    import threading

    import kongdao.sync  # noqa: F401

    assert not [t for t in threading.enumerate() if t.name.startswith("kongdao-sync")]
