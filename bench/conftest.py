"""The bench's own setup: the data, a logged-in member, the baseline urlconf, the closing table.

Run by `make bench` (not by `make test`: pyproject's testpaths is ["tests"]). Settings are the test
suite's (portal/settings_test.py): PostgreSQL and Redis; DATABASE_URL names a private database.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.template.base import Template
from django.test import Client
from django.test.utils import _TestState

from accounts.signals import LOGIN_AT_SESSION_KEY
from bench import results
from bench.data import BenchCompany, world_build

# measured last, to show how far the baseline drifted during the run
LAST = "test_baseline_tiny_template_view_again"


@pytest.fixture(scope="session")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[BenchCompany]:
    """Built once and committed; each benchmark then runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        yield world_build()


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


@pytest.fixture
def member(world: BenchCompany) -> Client:
    """The company's administrator (they see every page), logged in just now."""
    client = Client()
    client.force_login(world.admin)
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = int(time.time())
    session.save()
    return client


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
