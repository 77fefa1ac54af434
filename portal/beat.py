"""Celery beat with a pulse a health check can read.

Beat answers no remote-control ping (unlike a worker), and a live process proves nothing: a beat
stuck on its broker sends no periodic task. So after every completed tick this scheduler touches a
file beside its schedule file (`-s var/celerybeat-schedule` gives `var/celerybeat-schedule.alive`).
Beat ticks at least every `--max-interval` seconds, so a file older than a few intervals means beat
stopped scheduling. Used with `celery -A portal beat -S portal.beat:HeartbeatScheduler`.
"""

from pathlib import Path
from typing import Any

from celery.beat import PersistentScheduler

HEARTBEAT_SUFFIX = ".alive"


def heartbeat_path(schedule_filename: str) -> Path:
    return Path(f"{schedule_filename}{HEARTBEAT_SUFFIX}")


class HeartbeatScheduler(PersistentScheduler):
    def __init__(self, *args: Any, schedule_filename: str, **kwargs: Any) -> None:
        self.heartbeat = heartbeat_path(schedule_filename)
        super().__init__(*args, schedule_filename=schedule_filename, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        # after the tick: a beat that hangs while sending its due tasks stops touching the file
        self.heartbeat.touch()
        return interval
