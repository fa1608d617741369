"""compose/docker-compose.yml: the servers for users with Docker.

No Docker engine runs on the project's machines; ``docker compose config`` (or the older
``docker-compose config``) validates and normalises the file without one. The same checks run
on the raw file too, so they hold where no compose implementation is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

COMPOSE_FILE = Path(__file__).resolve().parents[1] / "compose" / "docker-compose.yml"

# service -> (host port, container port); ScyllaDB beside Cassandra, so on 9043
EXPECTED_PORTS = {
    "postgres": ("5432", "5432"),
    "cassandra": ("9042", "9042"),
    "scylla": ("9043", "9042"),
}
EXPECTED_IMAGES = {"postgres": "postgres:16", "cassandra": "cassandra:3.11", "scylla": "scylladb/"}


def _compose_command() -> list[str]:
    """``docker compose`` (the v2 plugin), else ``docker-compose``; skip when neither runs."""
    reasons = []
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
        reasons.append("the docker client has no compose plugin")
    else:
        reasons.append("no docker client")
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    reasons.append("no docker-compose")
    pytest.skip(", ".join(reasons) + ": cannot run 'docker compose config'")


def _ports(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(host ip, published, target) of each port, from the short or the long syntax."""
    out = []
    for port in service.get("ports", []):
        if isinstance(port, dict):  # docker compose v2 normalises to the long syntax
            out.append((port.get("host_ip", ""), str(port["published"]), str(port["target"])))
        else:  # "127.0.0.1:5432:5432" or "127.0.0.1:5432:5432/tcp"
            ip, published, target = str(port).split("/")[0].rsplit(":", 2)
            out.append((ip, published, target))
    return out


def _check(config: dict[str, Any]) -> None:
    services = config["services"]
    assert set(services) == set(EXPECTED_PORTS)
    for name, (published, target) in EXPECTED_PORTS.items():
        service = services[name]
        assert service["image"].startswith(EXPECTED_IMAGES[name])
        assert _ports(service) == [("127.0.0.1", published, target)], name
        check = service["healthcheck"]
        assert check["test"][0] == "CMD-SHELL"
        assert check["interval"]
        assert check["retries"]
        volume = service["volumes"][0]
        source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
        assert source == f"{name}-data"
    assert set(config["volumes"]) == {"postgres-data", "cassandra-data", "scylla-data"}
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"][1]
    assert services["postgres"]["environment"]["POSTGRES_DB"] == "kong"


def test_raw_file() -> None:
    config = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    _check(config)
    services = config["services"]
    # ScyllaDB only on demand: `--profile scylla`
    assert services["scylla"]["profiles"] == ["scylla"]
    assert "profiles" not in services["postgres"]
    assert "profiles" not in services["cassandra"]


def test_compose_config() -> None:
    command = _compose_command()
    base = [*command, "-f", str(COMPOSE_FILE)]
    result = subprocess.run(
        [*base, "--profile", "scylla", "config"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    _check(yaml.safe_load(result.stdout))

    services = subprocess.run(
        [*base, "config", "--services"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert {"postgres", "cassandra"} <= set(services)
    if command == ["docker", "compose"]:  # docker-compose v1 lists profiled services too
        assert "scylla" not in services
