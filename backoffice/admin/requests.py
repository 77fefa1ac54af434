"""The request admin where validating a RIB change becomes a proposal."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from backoffice.admin.common import propose
from backoffice.models import ProposalKind
from client_requests.admin import ClientRequestAdmin, DecisionForm
from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest


class FourEyesClientRequestAdmin(ClientRequestAdmin):
    """Validating a RIB change (the company's bank details change) is proposed, then approved."""

    def decision_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        client_request = self._changeable(request, object_id)
        form = DecisionForm(request.POST, current_status=client_request.status)
        validating_rib = (
            client_request.kind == RequestKind.BANK_DETAILS_CHANGE
            and request.POST.get("to_status") == RequestStatus.DONE
        )
        if not validating_rib:
            return super().decision_view(request, object_id)
        if not form.is_valid():
            self._form_errors(request, form)
            return self._back(client_request)
        propose(
            request,
            kind=ProposalKind.BANK_DETAILS,
            subject=client_request,
            company=client_request.company,
            payload={"comment": form.cleaned_data["comment"]},
            reason=form.cleaned_data["reason"],
        )
        return self._back(client_request)


admin.site.unregister(ClientRequest)
admin.site.register(ClientRequest, FourEyesClientRequestAdmin)
