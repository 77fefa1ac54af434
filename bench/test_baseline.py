"""The in-run baselines: what the framework and the middleware stack cost a logged-in member."""

import pytest

from bench import results

pytestmark = pytest.mark.django_db


def test_baseline_tiny_template_view(benchmark, member):
    results.page(benchmark, member, "baseline: tiny template view", "/bench/baseline/")


def test_baseline_one_query_view(benchmark, member):
    # every other figure is a ratio to this one
    results.page(benchmark, member, results.BASELINE, "/bench/one-query/")


def test_baseline_tiny_template_view_again(benchmark, member):
    # run last (see conftest): the same view again shows how much the baseline drifted
    results.page(
        benchmark, member, "baseline again, at the end (drift)", "/bench/one-query/", memory=False
    )
