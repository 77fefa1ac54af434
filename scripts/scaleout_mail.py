"""`make scaleout`'s mail backend: the development outbox's files, and a send that hangs on demand.

The run creates the file SCALEOUT_HANG_FLAG names; the next email any worker sends takes the flag
(a rename: one process only), writes beside it the worker's name (SCALEOUT_WORKER) and the
recipient, and never returns, until the run kills that worker in the middle of the send.
"""

import os
import time
from collections.abc import Sequence
from pathlib import Path

from django.core.mail.message import EmailMessage

from core.dev_outbox import OutboxEmailBackend


class HangingOutboxBackend(OutboxEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        flag = os.environ.get("SCALEOUT_HANG_FLAG", "")
        me = os.environ.get("SCALEOUT_WORKER", "")
        if flag and me and email_messages and self._take(Path(flag), me, email_messages[0]):
            while True:  # the run kills this worker now
                time.sleep(1)
        return super().send_messages(email_messages)

    @staticmethod
    def _take(flag: Path, me: str, email: EmailMessage) -> bool:
        try:
            os.rename(flag, flag.with_suffix(".taken"))
        except OSError:
            return False
        marker = flag.with_suffix(".hanging")
        marker.with_suffix(".tmp").write_text(f"{me}\n{','.join(email.to)}")
        os.rename(marker.with_suffix(".tmp"), marker)
        return True
