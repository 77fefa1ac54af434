"""What every kind shares: the refusal shown to support, what applying knows, a kind's spec,
and how its subject is found."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Model

from accounts.models import User
from accounts.services import UserRefused
from accounts.services.second_factors import (
    SupportReasonRefused,
)
from backoffice.models import Proposal
from client_requests.models import ClientRequest
from client_requests.services import RequestRefused
from companies.models import Membership
from otp.limits import SigningUnlockRefused
from teams.services import (
    TeamRefused,
)


class ProposalRefused(Exception):
    """A refusal to show support, beside the field it concerns when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# the refusals of the services a proposal applies through: shown as the proposal's own
APPLY_REFUSALS = (
    UserRefused,
    TeamRefused,
    RequestRefused,
    SigningUnlockRefused,
    SupportReasonRefused,
)


@dataclass(frozen=True)
class Applying:
    proposal: Proposal
    approver: User
    ip_address: str | None
    now: datetime.datetime


@dataclass(frozen=True)
class KindSpec:
    subject: Callable[[str], Model]
    rows: Callable[[Proposal, Model], list[tuple[str, str, str]]]  # what, before, after
    apply: Callable[[Applying, Model], None]
    # refuses (ProposalRefused or the service's refusal) a proposal that could not be applied
    check: Callable[[Proposal, Model], None]
    # events about a person's account belong to no company (audit.journal shows them to theirs)
    about_account: bool = False


def user_subject(subject_id: str) -> Model:
    return get_user_model().objects.get(pk=int(subject_id))


def membership_subject(subject_id: str) -> Model:
    return Membership.objects.select_related("user", "company").get(pk=int(subject_id))


def request_subject(subject_id: str) -> Model:
    return ClientRequest.objects.select_related("company").get(pk=int(subject_id))
