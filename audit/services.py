from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from audit.chain import chain_append, chain_append_many
from audit.models import Action, AuditEvent
from companies.models import Company

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind N trusted proxies, the Nth address from the right of the
    trusted header (settings.TRUSTED_PROXY_HEADER)."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        header = "HTTP_" + settings.TRUSTED_PROXY_HEADER.upper().replace("-", "_")
        forwarded = [a.strip() for a in request.META.get(header, "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: Action,
    actor: User | AnonymousUser | None = None,
    company: Company | None = None,
    target: models.Model | None = None,
    ip_address: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return chain_append(
        audit_event(
            action=action,
            actor=actor,
            company=company,
            target=target,
            ip_address=ip_address,
            data=data,
        )
    )


def audit_record_many(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Record events made by `audit_event`, in order, in a few queries whatever their number."""
    return chain_append_many(events)


def audit_event(
    *,
    action: Action,
    actor: User | AnonymousUser | None = None,
    company: Company | None = None,
    target: models.Model | None = None,
    ip_address: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """The event `audit_record` records, not saved yet (see `audit_record_many`)."""
    # an anonymous visitor (a failed login) is recorded without an actor
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent(
        occurred_at=timezone.now(),
        action=action,
        actor=user,
        actor_email=user.email if user is not None else "",
        company=company,
        target_type=target._meta.model_name or "" if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        ip_address=ip_address,
        data=data or {},
    )
