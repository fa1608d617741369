"""Test support: the pytest plugin (real-database fixtures, blueprints).

Enable it with ``pytest_plugins = ["kongdao.testing.plugin"]`` in a ``conftest.py``.
"""
