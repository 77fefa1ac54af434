"""Counters shared by every process, kept in the cache (Redis): fixed windows, atomic increments.

Each caller decides what a Redis outage means for it: this module only raises
RateLimitUnavailable. Sending a code fails closed; logging in fails open.
"""

import contextlib
import datetime
import math
from dataclasses import dataclass
from typing import Any

import redis
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import ngettext

PREFIX = "rl"


class RateLimitUnavailable(Exception):
    """The shared counters (Redis) cannot be reached: nothing was counted."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after_seconds: int = 0
    count: int = 0


def _seconds(now: datetime.datetime | None) -> float:
    return (now or timezone.now()).timestamp()


def _window(key: str, window_seconds: int, now: datetime.datetime | None) -> tuple[str, int]:
    """The cache key of the window holding `now`, and the seconds until that window ends."""
    moment = _seconds(now)
    index = int(moment // window_seconds)
    ends_in = math.ceil((index + 1) * window_seconds - moment)
    return f"{PREFIX}:{key}:{window_seconds}:{index}", max(ends_in, 1)


def _shared(operation: Any, *args: Any) -> Any:
    try:
        return operation(*args)
    except (redis.RedisError, OSError) as exc:
        raise RateLimitUnavailable(str(type(exc).__name__)) from exc


def _increment(cache_key: str, timeout: int, delta: int = 1) -> int:
    _shared(cache.add, cache_key, 0, timeout)
    try:
        return int(_shared(cache.incr, cache_key, delta))
    except ValueError:
        # the key expired between add and incr: this is the first hit of a new window
        _shared(cache.add, cache_key, delta, timeout)
        return delta


def hit(
    key: str, *, limit: int, window_seconds: int, now: datetime.datetime | None = None
) -> Decision:
    """Count one event; allowed while the window holds at most `limit` events (this one included).

    A refused event is counted too: call undo() if it should not be.
    """
    cache_key, ends_in = _window(key, window_seconds, now)
    count = _increment(cache_key, ends_in + 1)
    allowed = count <= limit
    return Decision(allowed, 0 if allowed else ends_in, count)


def peek(
    key: str, *, limit: int, window_seconds: int, now: datetime.datetime | None = None
) -> Decision:
    """Whether one more event would be allowed, counting nothing."""
    cache_key, ends_in = _window(key, window_seconds, now)
    count = int(_shared(cache.get, cache_key, 0) or 0)
    allowed = count < limit
    return Decision(allowed, 0 if allowed else ends_in, count)


def undo(key: str, *, window_seconds: int, now: datetime.datetime | None = None) -> None:
    """Take back one event counted by hit() with the same `now` (a send that did not happen)."""
    cache_key, _ends_in = _window(key, window_seconds, now)
    # ValueError: the window is gone, nothing left to take back
    with contextlib.suppress(ValueError):
        _shared(cache.decr, cache_key)


def streak(key: str, *, quiet_seconds: int) -> int:
    """Count one event of a run that ends after `quiet_seconds` without any; returns the run."""
    cache_key = f"{PREFIX}:{key}:streak"
    count = _increment(cache_key, quiet_seconds)
    _shared(cache.touch, cache_key, quiet_seconds)
    return count


def streak_clear(key: str) -> None:
    _shared(cache.delete, f"{PREFIX}:{key}:streak")


def block(key: str, *, seconds: int, now: datetime.datetime | None = None) -> None:
    """Refuse `key` for `seconds` from now (see blocked_for)."""
    _shared(cache.set, f"{PREFIX}:{key}:block", _seconds(now) + seconds, seconds)


def blocked_for(key: str, *, now: datetime.datetime | None = None) -> int:
    """Seconds left of a block() on `key`; 0 when not blocked."""
    until = _shared(cache.get, f"{PREFIX}:{key}:block")
    if until is None:
        return 0
    return max(math.ceil(float(until) - _seconds(now)), 0)


def retry_message(seconds: int) -> str:
    """ "Réessayez dans 7 minutes." (rounded up; hours past two hours)."""
    minutes = max(math.ceil(seconds / 60), 1)
    if minutes <= 120:
        return ngettext(
            "Réessayez dans %(n)s minute.", "Réessayez dans %(n)s minutes.", minutes
        ) % {"n": minutes}
    hours = math.ceil(minutes / 60)
    return ngettext("Réessayez dans %(n)s heure.", "Réessayez dans %(n)s heures.", hours) % {
        "n": hours
    }
