"""docker-compose.yml and the Dockerfile, read offline (no Docker engine here; `npx --yes dclint
docker-compose.yml` lints the file the same way): images pinned to a minor version, every long-
running service with a health check, and nothing started before what it needs is ready."""

import re
import tomllib

import yaml

from tests.tooling.commands import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
# name:major.minor, optionally .patch and a variant (-slim-bookworm)
MINOR_PINNED = re.compile(r"^[\w./-]+:\d+\.\d+(\.\d+)?(-[\w.-]+)?$")


def test_every_image_is_pinned_to_a_minor_version():
    for name, service in SERVICES.items():
        assert MINOR_PINNED.match(service["image"]), f"{name}: {service['image']}"


def test_the_app_image_is_tagged_with_the_projects_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    major_minor = ".".join(version.split(".")[:2])

    for name in APP_SERVICES:
        assert SERVICES[name]["image"] == f"mes-equipes-portal:{major_minor}"
        assert SERVICES[name]["build"] == "."


def test_the_dockerfile_base_image_is_pinned_to_a_minor_version_and_a_debian_release():
    base = re.search(r"^FROM (\S+)", (ROOT / "Dockerfile").read_text(), re.M)

    assert base
    assert re.fullmatch(r"python:3\.11-slim-bookworm", base.group(1))


def test_every_long_running_service_has_a_health_check():
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "healthcheck" not in SERVICES["migrate"]  # a one-off that exits


def test_the_worker_health_check_pings_the_node_the_worker_starts_as():
    command = SERVICES["worker"]["command"]
    check = SERVICES["worker"]["healthcheck"]["test"][1]

    assert command[command.index("-n") + 1] == "celery@%h"  # %h: the container's hostname
    assert "celery -A portal inspect ping -d celery@$$HOSTNAME" in check


def test_the_beat_health_check_reads_the_heartbeat_of_the_schedule_beat_keeps():
    command = SERVICES["beat"]["command"]
    check = SERVICES["beat"]["healthcheck"]["test"][1]
    schedule = command[command.index("-s") + 1]

    assert command[command.index("-S") + 1] == "portal.beat:HeartbeatScheduler"
    assert f"{schedule}.alive" in check
    # beat ticks at least every --max-interval seconds; the check allows a few missed ticks
    max_interval = int(command[command.index("--max-interval") + 1])
    allowed_minutes = int(re.search(r"-mmin -(\d+)", check).group(1))
    assert 3 * max_interval <= allowed_minutes * 60


def test_the_app_waits_for_healthy_storage_and_applied_migrations():
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }, name
    assert SERVICES["migrate"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_the_stack_keeps_private_files_in_the_database_every_node_reaches():
    for name in APP_SERVICES:
        assert SERVICES[name]["environment"]["PRIVATE_STORAGE"] == "database"
