import os
import shutil

import pytest

from core import sms
from portal.celery import app as celery_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Playwright drives the browser from an event loop in the test's thread; the ORM calls the test
# makes between browser steps are synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "fr-FR", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def portal(live_server, settings):
    # tasks run in the live server's thread, as in `make run`
    celery_app.conf.task_always_eager = True
    settings.PORTAL_BASE_URL = live_server.url
    sms.outbox.clear()
    yield live_server.url
    celery_app.conf.changes.pop("task_always_eager", None)  # type: ignore[union-attr]
