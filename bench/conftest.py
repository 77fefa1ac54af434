"""The bench's own setup: the data, a logged-in member, the baseline urlconf, the closing table.

Run by `make bench` (not by `make test`: pyproject's testpaths is ["tests"]). Settings are the test
suite's (portal/settings_test.py): PostgreSQL and Redis; DATABASE_URL names a private database.
BENCH_TINY=1 builds one small company instead (the test that boots `make bench` uses it).
"""

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.template.base import Template
from django.test import Client
from django.test.utils import _TestState

from accounts.signals import LOGIN_AT_SESSION_KEY
from bench import results
from bench.data import SIZES, TINY, BenchCompany, world_build

BUILT_SIZES = TINY if os.environ.get("BENCH_TINY") else SIZES
# how long each company page is measured (3 requests at least)
PAGE_SECONDS = 0.0 if os.environ.get("BENCH_TINY") else 0.6

# measured last, to show how far the baseline drifted during the run
LAST = "test_baseline_tiny_template_view_again"


@pytest.fixture(scope="session")
def worlds(django_db_setup: None, django_db_blocker: Any) -> Iterator[list[BenchCompany]]:
    """Built once and committed; each benchmark then runs in a transaction that is rolled back."""
    began = time.monotonic()
    with django_db_blocker.unblock():
        built = world_build(BUILT_SIZES)
    print(
        f"\nbench: companies of {[w.size.members for w in built]} members built in "
        f"{time.monotonic() - began:.0f} s"
    )
    yield built


@pytest.fixture
def world(worlds: list[BenchCompany]) -> BenchCompany:
    """The largest company: the functions and the baselines are measured on it."""
    return worlds[-1]


@pytest.fixture(scope="session", autouse=True)
def production_template_render(django_test_environment: None) -> Iterator[None]:
    """Templates render as in production, not through the test environment's instrumented render.

    setup_test_environment() makes every template render send a signal that the test Client
    answers by copying the context: a cost per template (per include, per row) that production
    never pays and that would weigh most on the longest lists.
    """
    template: Any = Template  # private attributes the stubs do not declare
    state: Any = _TestState
    instrumented = template._render
    template._render = state.saved_data.template_render
    yield
    template._render = instrumented


@pytest.fixture(autouse=True)
def bench_urls(settings: Any) -> None:
    """The product's URLs plus the baseline views (bench/urls.py), for the bench only."""
    settings.ROOT_URLCONF = "bench.urls"


def administrator_client(world: BenchCompany) -> Client:
    """The company's administrator (they see every page), logged in just now."""
    client = Client()
    client.force_login(world.admin)
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = int(time.time())
    session.save()
    return client


@pytest.fixture
def member(world: BenchCompany) -> Client:
    return administrator_client(world)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The baselines first, every other measure next, the baseline's repeat at the very end."""

    def rank(item: pytest.Item) -> int:
        if item.name == LAST:
            return 2
        return 0 if item.name.startswith("test_baseline") else 1

    items.sort(key=rank)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = results.table()
    if not lines:
        return
    terminalreporter.section("bench: ratios to the in-run baseline")
    for line in lines:
        terminalreporter.write_line(line)
