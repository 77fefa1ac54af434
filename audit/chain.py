"""The audit journal as a hash chain: an edit, a deletion or an insertion shows.

Each event stores `previous_hash` (the chain hash of the event before it, in id order) and
`chain_hash` = SHA-256(previous_hash + "\\n" + canonical JSON of its content). `ChainHead` (one
row) holds the last hash and the number of events. Anyone holding a chain head written down
earlier (the daily log line of `audit_chain_head_log`) can tell whether the journal up to that
point was changed since, even by someone with every right on the database: recomputing the chain
after an edit yields other hashes than the one written down.

One chain for the whole journal, not one per company: events without a company (failed logins,
support's own) are covered too, and deleting all the events of one company still breaks the one
chain. The cost is that inserts are serialised: each takes the lock on the head row (SELECT ...
FOR UPDATE, in the one statement that also inserts the event and moves the head on) until its
transaction commits. Audit events are written at the end of short
transactions, so the wait is short; per-company chains would lower it but leave events without a
company unchained and a whole company's deletion undetectable without a second chain of heads.

The content hashed is every column but the id and the hashes, in a canonical JSON form: keys
sorted, no spaces, UTF-8, times in UTC with microseconds, the IP address in its normal form and
`data` as JSON reads it back. `verify_audit` recomputes it with a server-side cursor, in bounded
memory.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from audit.models import AuditEvent, ChainHead

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "occurred_at",
    "action",
    "actor_id",
    "actor_email",
    "company_id",
    "target_type",
    "target_id",
    "target_repr",
    "ip_address",
    "data",
)


def canonical(values: dict[str, Any]) -> bytes:
    """The content of an event as the bytes that are hashed (see the module's docstring)."""
    occurred_at: datetime.datetime = values["occurred_at"]
    ip = values["ip_address"]
    document = {
        **{name: values[name] for name in CHAINED_FIELDS},
        "occurred_at": occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "ip_address": str(ipaddress.ip_address(ip)) if ip else None,
        "data": json.loads(json.dumps(values["data"])),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def link_hash(previous_hash: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(previous_hash.encode() + b"\n" + canonical(values)).hexdigest()


def event_values(event: AuditEvent) -> dict[str, Any]:
    return {name: getattr(event, name) for name in CHAINED_FIELDS}


def _locked_head() -> ChainHead:
    try:
        return ChainHead.objects.select_for_update().get(pk=1)
    except ChainHead.DoesNotExist:
        # an empty journal (a fresh or flushed database): the chain starts here
        ChainHead.objects.bulk_create([ChainHead(pk=1, last_hash=GENESIS)], ignore_conflicts=True)
        return ChainHead.objects.select_for_update().get(pk=1)


_APPEND_SQL = """
WITH head AS (SELECT last_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE),
event AS (
    INSERT INTO audit_auditevent
        (occurred_at, action, actor_id, actor_email, company_id, target_type, target_id,
         target_repr, ip_address, data, previous_hash, chain_hash)
    SELECT %s::timestamptz, %s, %s::bigint, %s, %s::bigint, %s, %s, %s, %s::inet, %s::jsonb,
        head.last_hash,
        encode(sha256(convert_to(head.last_hash || E'\\n', 'UTF8') || %s::bytea), 'hex')
    FROM head
    RETURNING id, previous_hash, chain_hash
)
UPDATE audit_chainhead
SET last_hash = event.chain_hash, last_event_id = event.id, event_count = event_count + 1,
    updated_at = now()
FROM event WHERE audit_chainhead.id = 1
RETURNING event.id, event.previous_hash, event.chain_hash
"""


def chain_append(event: AuditEvent) -> AuditEvent:
    """Insert the event as the chain's next link (the head stays locked until commit).

    On PostgreSQL one statement locks the head, inserts the event with its hash (SHA-256 of the
    previous hash and the canonical bytes computed here) and moves the head on: an audited page
    pays one query for its event, as before the chain. Elsewhere (SQLite under `make run`) three.
    """
    if connection.vendor == "postgresql":
        values = event_values(event)
        ip = values["ip_address"]
        params = [
            values["occurred_at"],
            values["action"],
            values["actor_id"],
            values["actor_email"],
            values["company_id"],
            values["target_type"],
            values["target_id"],
            values["target_repr"],
            str(ipaddress.ip_address(ip)) if ip else None,
            json.dumps(values["data"]),
            canonical(values),
        ]
        with connection.cursor() as cursor:
            cursor.execute(_APPEND_SQL, params)
            row = cursor.fetchone()
            if row is None:  # no head yet (an empty, fresh or flushed journal)
                ChainHead.objects.bulk_create(
                    [ChainHead(pk=1, last_hash=GENESIS)], ignore_conflicts=True
                )
                cursor.execute(_APPEND_SQL, params)
                row = cursor.fetchone()
        event.pk, event.previous_hash, event.chain_hash = row
        event._state.adding = False
        event._state.db = connection.alias
        return event
    # no savepoint inside the caller's transaction: the three statements succeed or fail with it
    with transaction.atomic(savepoint=False):
        return _append(event)


def _append(event: AuditEvent) -> AuditEvent:
    head = _locked_head()
    event.previous_hash = head.last_hash
    event.chain_hash = link_hash(head.last_hash, event_values(event))
    event.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(
        last_hash=event.chain_hash,
        last_event_id=event.pk,
        event_count=F("event_count") + 1,
        updated_at=timezone.now(),
    )
    return event


def chain_append_many(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Insert the events, in order, as the chain's next links: three queries whatever their
    number (lock the head, insert every event, move the head on), for a change that touches many
    people at once (a signed batch of invitations). The hashes are computed here, as `_append`
    does, from the values the rows store; the head stays locked until commit, so no other event
    takes an id between them."""
    if len(events) <= 1:  # one event: `chain_append`'s single statement
        return [chain_append(event) for event in events]
    # no savepoint inside the caller's transaction: the statements succeed or fail with it
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        previous_hash = head.last_hash
        for event in events:
            event.previous_hash = previous_hash
            event.chain_hash = previous_hash = link_hash(previous_hash, event_values(event))
        # ids are taken in the order given, under the head's lock: the chain's order
        created = AuditEvent.objects.bulk_create(events)
        ChainHead.objects.filter(pk=1).update(
            last_hash=created[-1].chain_hash,
            last_event_id=created[-1].pk,
            event_count=F("event_count") + len(created),
            updated_at=timezone.now(),
        )
    return created


def chain_links(
    rows: Iterable[dict[str, Any]], previous_hash: str = GENESIS
) -> Iterator[tuple[str, str]]:
    """(previous_hash, chain_hash) for each event's values in order: to build a chain in bulk."""
    for values in rows:
        current = link_hash(previous_hash, values)
        yield previous_hash, current
        previous_hash = current


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    last_hash: str
    broken: ChainBreak | None

    @property
    def text(self) -> str:
        if self.broken is None:
            return f"chaîne intègre : {self.count} événements (dernière empreinte {self.last_hash})"
        where = f"événement #{self.broken.event_id}" if self.broken.event_id else "fin du journal"
        return f"chaîne rompue : {where} : {self.broken.reason}"


def chain_verify(*, chunk_size: int = 2000, expected: dict[int, str] | None = None) -> ChainReport:
    """Walk the journal in id order and report the first event that does not match.

    `expected` maps event ids to chain hashes written down earlier (the daily log line): each must
    still be there with that hash. The events and the head are read in one snapshot, so inserts
    made during the walk are simply not seen.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return _walk(chunk_size=chunk_size, expected=dict(expected or {}))


def _walk(*, chunk_size: int, expected: dict[int, str]) -> ChainReport:
    running, count, last_id = GENESIS, 0, None
    rows = (
        AuditEvent.objects.order_by("id")
        .values_list("id", *CHAINED_FIELDS, "previous_hash", "chain_hash")
        .iterator(chunk_size=chunk_size)
    )
    for row in rows:
        event_id, *content, previous_hash, chain_hash = row
        values = dict(zip(CHAINED_FIELDS, content, strict=True))
        if previous_hash != running:
            before = f"#{last_id}" if last_id else "le début du journal"
            return ChainReport(
                count,
                running,
                ChainBreak(
                    event_id,
                    f"son lien ne correspond pas à l’événement qui le précède ({before}) : "
                    "un événement a été supprimé ou inséré avant lui",
                ),
            )
        if link_hash(running, values) != chain_hash:
            return ChainReport(
                count,
                running,
                ChainBreak(
                    event_id,
                    "son contenu ne correspond plus à son empreinte : il a été modifié",
                ),
            )
        wanted = expected.pop(event_id, None)
        if wanted is not None and wanted != chain_hash:
            return ChainReport(
                count,
                running,
                ChainBreak(
                    event_id,
                    f"son empreinte n’est plus celle notée ({wanted}) : la chaîne a été "
                    "recalculée depuis",
                ),
            )
        running, count, last_id = chain_hash, count + 1, event_id
    if expected:
        missing = min(expected)
        return ChainReport(
            count,
            running,
            ChainBreak(missing, "cet événement noté dans le journal n’existe plus"),
        )
    head = ChainHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head is not None else GENESIS
    head_count = head.event_count if head is not None else 0
    if head_hash != running or head_count != count:
        return ChainReport(
            count,
            running,
            ChainBreak(
                None,
                f"la tête de chaîne ({head_count} événements, {head_hash}) ne correspond pas "
                f"au dernier événement (#{last_id}, {count} événements) : des événements ont été "
                "supprimés ou ajoutés à la fin",
            ),
        )
    return ChainReport(count, running, None)


def chain_head() -> ChainHead | None:
    return ChainHead.objects.filter(pk=1).first()


def chain_head_log() -> ChainHead | None:
    """Write the head to the logs: a line kept outside the database to check the chain against."""
    head = chain_head()
    if head is None:
        logger.info("audit chain head: empty journal")
        return None
    logger.info(
        "audit chain head: event_id=%s hash=%s events=%s (check: manage.py verify_audit "
        "--expect %s:%s)",
        head.last_event_id,
        head.last_hash,
        head.event_count,
        head.last_event_id,
        head.last_hash,
    )
    return head
