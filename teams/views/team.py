"""Mes équipes: the team of a company, and the page of one member."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from invitations.selectors import open_invitations
from otp.selectors import subject_authorisations
from permissions.catalogue import specs_for
from permissions.checks import CompanyRequest, require_company_admin
from teams.display import member_rows
from teams.forms import MemberRightsForm
from teams.selectors import (
    pending_rights_change,
    team_member,
    team_members,
    team_rights,
)
from teams.services import member_rights
from teams.views.common import rights_options


@require_GET
@require_company_admin
def team(request: CompanyRequest, company_id: int) -> HttpResponse:
    context = {
        "company": request.company,
        "members": member_rows(
            company_id=request.company.pk,
            members=team_members(company=request.company),
            rights=team_rights(company=request.company),
        ),
        "invitations": open_invitations(company=request.company),
    }
    template = "teams/team.html"
    if request.htmx:
        template += "#invitation-table"
    return render(request, template, context)


def member_page(
    request: CompanyRequest,
    membership_id: int,
    *,
    form: MemberRightsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = team_member(company=request.company, membership_id=membership_id)
    if member is None:
        raise Http404
    held = [] if member.is_admin else member_rights(member)
    checked = form["rights"].value() or [] if form is not None and form.is_bound else held
    context = {
        "company": request.company,
        "member": member,
        "is_self": member.user_id == request.user.pk,
        "rights": specs_for(held),
        "form": form or MemberRightsForm(initial={"rights": held}),
        "options": rights_options(member, checked=checked, held=held),
        "pending": None if member.is_admin else pending_rights_change(membership=member),
        "authorisations": subject_authorisations(company=request.company, email=member.user.email),
    }
    return render(request, "teams/member.html", context, status=status)


@require_GET
@require_company_admin
def member(request: CompanyRequest, company_id: int, membership_id: int) -> HttpResponse:
    return member_page(request, membership_id)
