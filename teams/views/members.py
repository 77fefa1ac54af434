"""Suspend, reactivate or remove a member: a confirmation page (GET), then the change (POST)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.http import current_user
from accounts.models import User
from audit.services import client_ip
from companies.models import Membership
from invitations.views.common import team_url
from permissions.checks import CompanyRequest, require_company_admin
from teams.selectors import team_member
from teams.services import TeamRefused, member_reactivate, member_remove, member_suspend
from teams.views.common import member_url


@dataclass(frozen=True)
class MemberAction:
    url_name: str
    title: str | Promise
    question: str | Promise
    consequence: str | Promise
    button: str | Promise
    done: str | Promise
    danger: bool
    service: Callable[..., Membership]
    back_to_team: bool = False


SUSPEND = MemberAction(
    url_name="teams:member_suspend",
    title=_("Suspendre un membre"),
    question=_("Suspendre l’accès de %(name)s ?"),
    consequence=_(
        "Dès sa prochaine action, cette personne ne pourra plus accéder à l’espace de "
        "l’entreprise. Ses droits sont conservés : vous pourrez la réactiver à tout moment."
    ),
    button=_("Confirmer la suspension"),
    done=_("L’accès de %(name)s est suspendu."),
    danger=True,
    service=member_suspend,
)
REACTIVATE = MemberAction(
    url_name="teams:member_reactivate",
    title=_("Réactiver un membre"),
    question=_("Réactiver l’accès de %(name)s ?"),
    consequence=_("Cette personne retrouve l’accès à l’espace de l’entreprise avec ses droits."),
    button=_("Confirmer la réactivation"),
    done=_("L’accès de %(name)s est réactivé."),
    danger=False,
    service=member_reactivate,
)
REMOVE = MemberAction(
    url_name="teams:member_remove",
    title=_("Retirer un membre"),
    question=_("Retirer %(name)s de l’équipe ?"),
    consequence=_(
        "Cette personne perd tout accès à l’espace de l’entreprise et tous ses droits. Pour lui "
        "rendre l’accès, il faudra l’inviter à nouveau."
    ),
    button=_("Confirmer le retrait"),
    done=_("%(name)s a été retiré(e) de l’équipe."),
    danger=True,
    service=member_remove,
    back_to_team=True,
)


def _name(user: User) -> str:
    return user.get_full_name() or user.email


def _act(request: CompanyRequest, membership_id: int, action: MemberAction) -> HttpResponse:
    member = team_member(company=request.company, membership_id=membership_id)
    if member is None:
        raise Http404
    if request.method != "POST":
        context = {"company": request.company, "member": member, "action": action}
        context["question"] = str(action.question) % {"name": _name(member.user)}
        context["url"] = reverse(action.url_name, args=[request.company.pk, membership_id])
        return render(request, "teams/member_confirm.html", context)
    try:
        action.service(
            membership_id=membership_id,
            company=request.company,
            actor=current_user(request),
            ip_address=client_ip(request),
        )
    except Membership.DoesNotExist:
        raise Http404 from None
    except TeamRefused as refusal:
        messages.error(request, refusal.message)
        return HttpResponseRedirect(member_url(request, membership_id))
    messages.success(request, str(action.done) % {"name": _name(member.user)})
    if action.back_to_team:
        return HttpResponseRedirect(team_url(request))
    return HttpResponseRedirect(member_url(request, membership_id))


def _action_view(action: MemberAction) -> Callable[..., HttpResponseBase]:
    @require_http_methods(["GET", "POST"])
    @require_company_admin
    def view(request: CompanyRequest, company_id: int, membership_id: int) -> HttpResponse:
        return _act(request, membership_id, action)

    view.__name__ = view.__qualname__ = action.url_name.removeprefix("teams:") + "_view"
    return view


member_suspend_view = _action_view(SUSPEND)
member_reactivate_view = _action_view(REACTIVATE)
member_remove_view = _action_view(REMOVE)
