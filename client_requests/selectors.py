from django.db.models import Q
from django.http import Http404

from client_requests.kinds import RequestKind, kinds_covered_by
from client_requests.models import Attachment, ClientRequest, ClientRequestQuerySet
from permissions.checks import held_rights
from teams.models import Company, Membership


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


def can_see(*, membership: Membership, client_request: ClientRequest) -> bool:
    return client_request.author_id == membership.user_id or client_request.right in held_rights(
        membership
    )


def company_request(*, company: Company, request_id: int) -> ClientRequest:
    """A request of this company; another company's looks exactly like a missing one."""
    try:
        return (
            ClientRequest.objects.select_related("author", "contract", "company", "submitted_by")
            .prefetch_related("attachments", "status_changes__changed_by")
            .get(company=company, pk=request_id)
        )
    except ClientRequest.DoesNotExist:
        raise Http404 from None


def request_attachment(*, client_request: ClientRequest, attachment_id: int) -> Attachment:
    try:
        return Attachment.objects.get(request=client_request, pk=attachment_id)
    except Attachment.DoesNotExist:
        raise Http404 from None
