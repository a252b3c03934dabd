"""The deploy/ compose file: PostgreSQL, several replicas sharing the database and a read-only index volume,
a websocket-capable proxy; `docker compose config` validates it where docker compose is installed."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from assistant.settings import ROOT

DEPLOY = ROOT / "deploy"


def test_compose_file_wires_postgres_replicas_and_a_websocket_proxy():
    spec = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = spec["services"]
    assert {"postgres", "shopmate", "proxy"} <= set(services)
    app = services["shopmate"]
    assert app["environment"]["SHOPMATE_DATABASE_URL"].startswith("postgresql://")
    assert app["deploy"]["replicas"] >= 2 and "ports" not in app  # only the proxy is exposed
    assert any(v.endswith(":/index:ro") for v in app["volumes"])
    assert services["postgres"]["image"].startswith("postgres:15")
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade" in nginx and "sticky" not in nginx.replace("no sticky", "")
    assert "access_log off" in nginx  # shoppers' queries and tokens stay out of proxy logs


def test_docker_compose_config_validates():
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("docker compose is not installed here")
    env = {**os.environ, "SHOPMATE_SECRET": "test"}
    r = subprocess.run(
        [docker, "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "-q"], capture_output=True, text=True, env=env
    )
    assert r.returncode == 0, r.stderr
