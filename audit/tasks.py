"""The audit chain's head written to the logs once a day (kept outside the database)."""

from celery import shared_task

from audit.chain import chain_head_log


@shared_task
def audit_chain_head_log() -> str:
    head = chain_head_log()
    return head.last_hash if head is not None else ""
