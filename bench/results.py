"""What a bench run measured, and the table of ratios printed at its end."""

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

BASELINE = "baseline: one-query view"
# a page is measured for about `page_seconds` (at least MIN_ROUNDS, at most MAX_ROUNDS requests)
MIN_ROUNDS = 3
SLOW = 1.5  # seconds
MAX_ROUNDS = 15

# name -> median seconds, in the order measured
medians: dict[str, float] = {}
# name -> peak bytes allocated (tracemalloc) during one call
peaks: dict[str, int] = {}
# page -> members -> (median seconds, queries of one request)
pages: dict[str, dict[int, tuple[float, int]]] = {}


def timed(benchmark: Any, name: str, call: Callable[[], object]) -> None:
    """Benchmark `call` (pytest-benchmark calibrates the rounds) and keep its median."""
    benchmark.name = name
    benchmark(call)
    medians[name] = benchmark.stats.stats.median


def timed_with_setup(
    benchmark: Any, name: str, call: Callable[..., object], setup: Callable[[], Any], rounds: int
) -> None:
    """Benchmark `call(*setup())`: a fresh argument each round, its making not timed."""
    benchmark.name = name
    benchmark.pedantic(
        call, setup=lambda: (setup(), {}), rounds=rounds, iterations=1, warmup_rounds=1
    )
    medians[name] = benchmark.stats.stats.median


def peak(name: str, call: Callable[[], object]) -> None:
    """The peak of memory allocated while `call` runs once, warm, counted from zero."""
    call()
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        call()
        _current, highest = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    peaks[name] = highest


def page(benchmark: Any, client: Any, name: str, url: str, *, memory: bool = True) -> None:
    """A GET through the whole stack; a page that does not answer 200 measures nothing useful."""
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{name}: {url} answered {response.status_code}, not 200")
    timed(benchmark, name, lambda: client.get(url))
    if memory:
        peak(name, lambda: client.get(url))


def company_page(
    benchmark: Any, client: Any, name: str, url: str, *, members: int, page_seconds: float
) -> None:
    """A company page at one size: its median time and the queries of one request."""
    response = client.get(url)  # warm: a PDF rendered once is served from storage afterwards
    if response.status_code != 200:
        raise RuntimeError(f"{name}: {url} answered {response.status_code}, not 200")
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    one = time.perf_counter() - began
    # now: the next request empties the log (Django's reset_queries on request_started)
    query_count = len(queries.captured_queries)
    # bounded time: a page slower than SLOW answers once more, not three times
    rounds = max(MIN_ROUNDS, min(MAX_ROUNDS, int(page_seconds / max(one, 1e-6))))
    if one > SLOW:
        rounds = 1
    benchmark.name = f"{name} ({members} members)"
    benchmark.pedantic(lambda: client.get(url), rounds=rounds, iterations=1)
    pages.setdefault(name, {})[members] = (benchmark.stats.stats.median, query_count)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms".replace(",", " ")


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB".replace(",", " ")


def _ratio(value: float, base: float | None) -> str:
    return f"×{value / base:,.1f}".replace(",", " ") if base else "n/a"


def page_table() -> list[str]:
    """Each company page's median as a ratio to the one-query view's, and its queries, by size."""
    base = medians.get(BASELINE)
    sizes = sorted({members for by_size in pages.values() for members in by_size})
    if not pages:
        return []
    width = max(len(name) for name in pages)
    header = "".join(f"  {f'{members:,} members':>20}".replace(",", " ") for members in sizes)
    lines = [
        "Company pages: median time as a ratio to the one-query view's, then queries per request",
        f"{'page':<{width}}{header}",
    ]
    for name, by_size in pages.items():
        cells = []
        for members in sizes:
            if members in by_size:
                median, queries = by_size[members]
                cells.append(f"  {_ratio(median, base):>9} {queries:>3} queries")
            else:
                cells.append(f"  {'':>20}")
        lines.append(f"{name:<{width}}{''.join(cells)}")
    return lines


def table() -> list[str]:
    if not medians and not peaks:
        return page_table()
    base_time = medians.get(BASELINE)
    base_peak = peaks.get(BASELINE)
    width = max(len(name) for name in [*medians, *peaks])
    lines = [
        "Times: median of the rounds, ratio to the baseline's median measured in this run",
        f"{'name':<{width}}  {'median':>12}  {'ratio':>9}",
    ]
    lines += [
        f"{name:<{width}}  {_ms(median):>12}  {_ratio(median, base_time):>9}"
        for name, median in medians.items()
    ]
    if peaks:
        lines += [
            "",
            "Memory: peak allocated during one warm call (tracemalloc), ratio to the baseline's",
            f"{'name':<{width}}  {'peak':>12}  {'ratio':>9}",
        ]
        lines += [
            f"{name:<{width}}  {_kib(size):>12}  {_ratio(size, base_peak):>9}"
            for name, size in peaks.items()
        ]
    if pages:
        lines += ["", *page_table()]
    return lines
