from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from audit.chain import chain_append
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
    # an anonymous visitor (a failed login) is recorded without an actor
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
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
    return chain_append(event)
