"""The accounts' own user admin applies nothing that opens the door: unlocking a signature or a
login and resetting second factors are the back office's four-eyes proposals, so registering
this admin again never brings back a path where one agent alone applies them."""

import pytest
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.test import RequestFactory

from accounts.admin import PortalUserAdmin
from accounts.models import User
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
    names = {pattern.name for pattern in registered.get_urls()}

    assert type(registered).__module__ == "backoffice.admin"
    assert "accounts_user_second_factors" in names
    assert "propose_unlock" in registered.actions
