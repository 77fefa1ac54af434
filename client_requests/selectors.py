from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import User
from client_requests.kinds import (
    EARLY_BUYOUT_KINDS,
    RequestKind,
    RequestStatus,
    kinds_covered_by,
)
from client_requests.models import Attachment, ClientRequest, ClientRequestQuerySet, StatusChange
from companies.models import Company, Contract, ContractKind, ContractStatus, Membership
from permissions.checks import held_rights
from permissions.models import Grant


def visible_requests(*, membership: Membership) -> ClientRequestQuerySet:
    """The company's requests this member may see: their own, and those of kinds their rights cover."""
    kinds = kinds_covered_by(held_rights(membership))
    return (
        ClientRequest.objects.filter(company=membership.company)
        .filter(Q(author=membership.user) | Q(kind__in=kinds))
        .select_related("author", "contract")
        .order_by("-created_at", "-pk")
    )


def requests_of_kinds(
    *, membership: Membership, kinds: list[RequestKind] | tuple[RequestKind, ...]
) -> ClientRequestQuerySet:
    return visible_requests(membership=membership).filter(kind__in=kinds)


def filtered_requests(
    *,
    membership: Membership,
    status: RequestStatus | str = "",
    kind: RequestKind | str = "",
) -> ClientRequestQuerySet:
    """The follow-up page's list: what the member may see, narrowed by status and kind."""
    requests = visible_requests(membership=membership)
    if status:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    return requests


def can_see(*, membership: Membership, client_request: ClientRequest) -> bool:
    return client_request.author_id == membership.user_id or client_request.right in held_rights(
        membership
    )


def may_work(*, membership: Membership, client_request: ClientRequest) -> bool:
    """Completing, submitting and reviewing need the kind's right (see services.common._check_may_work)."""
    return client_request.right in held_rights(membership)


def company_request(*, company: Company, request_id: int) -> ClientRequest:
    """A request of this company; another company's looks exactly like a missing one."""
    try:
        return (
            ClientRequest.objects.select_related("author", "contract", "company", "submitted_by")
            .prefetch_related(
                Prefetch(
                    "attachments",
                    queryset=Attachment.objects.select_related(
                        "uploaded_by", "reviewed_by"
                    ).order_by("uploaded_at", "pk"),
                ),
                Prefetch(
                    "status_changes",
                    queryset=StatusChange.objects.select_related("changed_by").order_by(
                        "changed_at", "pk"
                    ),
                ),
            )
            .get(company=company, pk=request_id)
        )
    except ClientRequest.DoesNotExist:
        raise Http404 from None


def request_attachment(*, client_request: ClientRequest, attachment_id: int) -> Attachment:
    try:
        return Attachment.objects.select_related("request__company").get(
            request=client_request, pk=attachment_id
        )
    except Attachment.DoesNotExist:
        raise Http404 from None


def company_contracts(*, company: Company) -> QuerySet[Contract]:
    return Contract.objects.filter(company=company).order_by("reference", "pk")


def eligible_contracts(
    *, company: Company, kinds: tuple[ContractKind, ...] | tuple[str, ...]
) -> QuerySet[Contract]:
    """The company's active contracts of these kinds, the soonest to end first."""
    return Contract.objects.filter(
        company=company, kind__in=kinds, status=ContractStatus.ACTIVE
    ).order_by("end_date", "reference", "pk")


def open_bank_details_change(*, company: Company) -> ClientRequest | None:
    """The company's RIB change still waiting for the bank: there is at most one."""
    return (
        ClientRequest.objects.open()
        .filter(company=company, kind=RequestKind.BANK_DETAILS_CHANGE)
        .order_by("-created_at", "-pk")
        .first()
    )


def buyout_open(*, contract: Contract) -> bool:
    return (
        ClientRequest.objects.open().filter(contract=contract, kind__in=EARLY_BUYOUT_KINDS).exists()
    )


def request_followers(*, client_request: ClientRequest) -> list[User]:
    """Who is told of the bank's moves: the author, if still an active member, and the active
    members whose right covers the kind (administrators hold every right their company may)."""
    members = (
        Membership.objects.active()
        .filter(company_id=client_request.company_id)
        .select_related("company", "user")
        .prefetch_related(Prefetch("grants", queryset=Grant.objects.all()))
        .order_by("pk")
    )
    return [
        membership.user
        for membership in members
        if membership.user_id == client_request.author_id
        or client_request.right in held_rights(membership)
    ]
