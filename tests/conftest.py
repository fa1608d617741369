"""Test-suite wide configuration: the kongdao pytest plugin and the ``reliability`` switch.

Tests marked ``reliability`` (restarts of private database servers, the soak) take minutes and
start servers of their own: they are skipped unless ``--reliability`` is given (or
``KONGDAO_RELIABILITY=1``), which ``make test-reliability`` does.

``tests/scale`` needs a Cassandra ring and a PostgreSQL primary + replica pair, which
``make test-scale`` starts: it is collected only when ``KONGDAO_SCALE=1`` (that target sets it).
"""

import os

import pytest

pytest_plugins = ["kongdao.testing.plugin"]

collect_ignore = [] if os.environ.get("KONGDAO_SCALE", "") not in ("", "0") else ["scale"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reliability",
        action="store_true",
        default=os.environ.get("KONGDAO_RELIABILITY", "") not in ("", "0"),
        help="run the tests marked 'reliability' (private servers restarted, soak; minutes)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reliability"):
        return
    skip = pytest.mark.skip(
        reason="a reliability test: run with --reliability (make test-reliability)"
    )
    for item in items:
        if item.get_closest_marker("reliability") is not None:
            item.add_marker(skip)
