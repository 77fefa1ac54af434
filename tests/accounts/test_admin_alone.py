"""The accounts' own user admin applies nothing that opens the door: unlocking a signature or a
login, resetting second factors, an administrator's new mobile or email and their account active
again are the back office's four-eyes proposals, so registering this admin again never brings
back a path where one agent alone applies them."""

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.forms import modelform_factory
from django.test import RequestFactory
from django.urls import reverse

from accounts.admin import PortalUserAdmin, SupportUserChangeForm
from accounts.models import User
from backoffice.admin import FourEyesUserChangeForm
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _alone() -> PortalUserAdmin:
    return PortalUserAdmin(User, AdminSite(name="alone"))


def test_the_accounts_admin_alone_has_no_action_that_unlocks_a_signature():
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)

    actions = _alone().get_actions(request)

    assert "unlock_signing" not in actions
    assert not hasattr(PortalUserAdmin, "unlock_signing")


def test_the_accounts_admin_alone_has_no_page_that_unlocks_a_login_or_resets_factors():
    names = {pattern.name for pattern in _alone().get_urls()}

    assert "accounts_user_second_factors" not in names
    assert not hasattr(PortalUserAdmin, "second_factors_view")


def test_the_registered_user_admin_proposes_them_instead():
    registered = admin.site._registry[User]

    assert type(registered).__module__.startswith("backoffice.admin")
    assert reverse("admin:accounts_user_second_factors", args=[1])
    assert "propose_unlock" in registered.actions


def _form_data(user: User, **changes: object) -> dict[str, object]:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mobile": str(user.mobile),
        "is_active": "on",
        "reason": "demande écrite du représentant légal, identité vérifiée",
    }
    return {**data, **changes}


def _user_form(form_class, user: User, **changes: object):
    fields = ("email", "first_name", "last_name", "mobile", "is_active")
    bound = modelform_factory(User, form=form_class, fields=fields)
    return bound(data=_form_data(user, **changes), instance=user)


@pytest.mark.parametrize(
    "change", [{"mobile": "+33698765432"}, {"email": "nouvelle@atelier-durand.example"}]
)
def test_the_accounts_admin_alone_refuses_an_administrators_new_mobile_or_email(admin, change):
    form = _user_form(SupportUserChangeForm, admin.user, **change)

    assert not form.is_valid()
    assert "second" in str(form.non_field_errors())


def test_the_accounts_admin_alone_refuses_to_reactivate_an_administrators_account(admin):
    User.objects.filter(pk=admin.user.pk).update(is_active=False)
    admin.user.refresh_from_db()

    form = _user_form(SupportUserChangeForm, admin.user)

    assert not form.is_valid()


def test_the_accounts_admin_alone_still_changes_a_collaborators_mobile(collaborator_with):
    member = collaborator_with()

    form = _user_form(SupportUserChangeForm, member.user, mobile="+33698765432")

    assert form.is_valid(), form.errors


def test_the_back_offices_form_takes_an_administrators_new_mobile_to_propose_it(admin):
    form = _user_form(FourEyesUserChangeForm, admin.user, mobile="+33698765432")

    assert form.is_valid(), form.errors
