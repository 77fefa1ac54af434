"""Mes équipes: the team of a company, and the page of one member."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from invitations.display import invitation_rows
from otp.selectors import subject_authorisations
from permissions.checks import CompanyRequest, require_company_admin
from permissions.end_dates import dated_specs
from teams.display import counts_text, member_rows
from teams.forms import MemberRightsForm
from teams.selectors import granted_end_dates, granted_rights, member_for_page, team_page
from teams.views.common import member_filters, page_number, rights_options, varies_with_htmx


@require_GET
@require_company_admin
def team(request: CompanyRequest, company_id: int) -> HttpResponse:
    form, filters = member_filters(request)
    found = team_page(
        company=request.company,
        filters=filters,
        number=page_number(request),
        invitations_number=page_number(request, "invitations_page"),
    )
    context = {
        "company": request.company,
        "filters": form,
        "narrowed": filters.narrows,
        "counts": counts_text(
            members=found.members_total,
            invitations=found.invitations_total,
            results=found.members.count if filters.narrows else None,
        ),
        "members_page": found.members,
        "members": member_rows(company_id=request.company.pk, members=found.members.rows),
        "invitations_page": found.invitations,
        "invitations": invitation_rows(
            company_id=request.company.pk, invitations=found.invitations.rows
        ),
    }
    template = "teams/team.html"
    # a history restore (back button, cache missed) needs the whole page
    if request.htmx and not request.htmx.history_restore_request:
        template += "#team-results"
    return varies_with_htmx(render(request, template, context))


def member_page(
    request: CompanyRequest,
    membership_id: int,
    *,
    form: MemberRightsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    member = member_for_page(company=request.company, membership_id=membership_id)
    if member is None:
        raise Http404
    held = [] if member.is_admin else granted_rights(member)
    ends_on = {} if member.is_admin else granted_end_dates(member)
    checked = form["rights"].value() or [] if form is not None and form.is_bound else held
    context = {
        "company": request.company,
        "member": member,
        "is_self": member.user_id == request.user.pk,
        "rights": dated_specs(held, ends_on),
        "form": form
        or MemberRightsForm(
            initial={"rights": held, **MemberRightsForm.end_dates_initial(ends_on)}
        ),
        "options": rights_options(member, checked=checked, held=held),
        "pending_change_id": None
        if member.is_admin
        else getattr(member, "pending_change_id", None),
        "authorisations": subject_authorisations(company=request.company, email=member.user.email),
    }
    return render(request, "teams/member.html", context, status=status)


@require_GET
@require_company_admin
def member(request: CompanyRequest, company_id: int, membership_id: int) -> HttpResponse:
    return member_page(request, membership_id)
