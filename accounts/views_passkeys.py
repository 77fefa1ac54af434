"""Mon compte → Clés d’accès: list, add, rename and remove one's passkeys."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import current_user
from accounts.passkey_forms import (
    PasskeyNameForm,
    PasskeyRegisterForm,
    PasskeyRemoveCodeForm,
    PasskeyRemoveWithPasskeyForm,
)
from accounts.services import SecondFactorRefused, login_passkey_verify, login_pending_user
from accounts.services.passkeys import (
    PasskeyChangeRefused,
    own_passkey,
    own_passkeys,
    passkey_register,
    passkey_registration_start,
    passkey_removal_refusal,
    passkey_removal_send_code,
    passkey_remove,
    passkey_rename,
    removal_passkey_ceremony,
)
from audit.services import client_ip
from otp.forms import PasskeyForm
from otp.models import Passkey
from otp.services import SignatureError, mask_phone

REMOVAL_SESSION_KEY = "portal_passkey_removal"


@login_not_required
@csrf_protect
@never_cache
@require_POST
def login_passkey(request: HttpRequest) -> HttpResponse:
    """The second step of login with a passkey: a right assertion logs the session in."""
    user = login_pending_user(request)
    if user is None:
        return HttpResponseRedirect(reverse("accounts:login"))
    form = PasskeyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.failure())
        return HttpResponseRedirect(reverse("accounts:login_second_step"))
    try:
        next_url = login_passkey_verify(
            request=request,
            user=user,
            assertion=form.cleaned_data["assertion"],
            now=timezone.now(),
        )
    except (SignatureError, SecondFactorRefused) as refusal:
        messages.error(request, refusal.message)
        return HttpResponseRedirect(reverse("accounts:login_second_step"))
    return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))


def _list_url() -> str:
    return reverse("accounts:passkeys")


def _passkeys_page(
    request: HttpRequest,
    *,
    form: PasskeyRegisterForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    ceremony = passkey_registration_start(user=user, now=timezone.now())
    context = {
        "passkeys": list(own_passkeys(user=user)),
        "form": form or PasskeyRegisterForm(initial={"challenge": ceremony.challenge_id}),
        "ceremony": ceremony,
        "error": error,
    }
    return render(request, "accounts/passkeys.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def passkeys(request: HttpRequest) -> HttpResponse:
    """The list, and adding one: the name typed, then the browser's new credential."""
    if request.method != "POST":
        return _passkeys_page(request)
    form = PasskeyRegisterForm(request.POST)
    if not form.is_valid():
        error = "" if "name" in form.errors else form.failure()
        return _passkeys_page(request, form=form, error=error, status=400)
    try:
        passkey = passkey_register(
            user=current_user(request),
            name=form.cleaned_data["name"],
            assertion=form.cleaned_data["assertion"],
            ip_address=client_ip(request),
            now=timezone.now(),
        )
    except (PasskeyChangeRefused, SignatureError) as refusal:
        return _passkeys_page(request, form=form, error=refusal.message, status=400)
    messages.success(
        request,
        _("Clé d’accès « %(name)s » ajoutée : elle peut désormais signer à la place du code SMS.")
        % {"name": passkey.name},
    )
    return HttpResponseRedirect(_list_url())


@require_POST
def passkey_rename_view(request: HttpRequest, passkey_id: int) -> HttpResponse:
    form = PasskeyNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("name", [])))
        return HttpResponseRedirect(_list_url())
    try:
        passkey = passkey_rename(
            user=current_user(request),
            passkey_id=passkey_id,
            name=form.cleaned_data["name"],
            ip_address=client_ip(request),
        )
    except Passkey.DoesNotExist:
        raise Http404 from None
    except PasskeyChangeRefused as refusal:
        messages.error(request, refusal.message)
        return HttpResponseRedirect(_list_url())
    messages.success(request, _("Clé d’accès renommée « %(name)s ».") % {"name": passkey.name})
    return HttpResponseRedirect(_list_url())


def _removal_page(
    request: HttpRequest,
    passkey: Passkey,
    *,
    code_form: PasskeyRemoveCodeForm | None = None,
    passkey_form: PasskeyRemoveWithPasskeyForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    refusal = passkey_removal_refusal(user=user, passkey=passkey)
    ceremony = (
        removal_passkey_ceremony(user=user, passkey=passkey, now=timezone.now())
        if refusal is None
        else None
    )
    pending = request.session.get(REMOVAL_SESSION_KEY)
    code_sent = isinstance(pending, dict) and pending.get("passkey") == passkey.pk
    context = {
        "passkey": passkey,
        "refusal": refusal,
        "error": error,
        "code_sent": code_sent,
        "masked_phone": mask_phone(user.mobile) if user.mobile else "",
        "lifetime_minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60,
        "code_form": code_form or PasskeyRemoveCodeForm(),
        "ceremony": ceremony,
        "passkey_form": passkey_form
        or PasskeyRemoveWithPasskeyForm(
            initial={"challenge": ceremony.challenge_id if ceremony else ""}
        ),
    }
    return render(request, "accounts/passkey_remove.html", context, status=status)


def _form_page(
    request: HttpRequest,
    passkey: Passkey,
    form: PasskeyRemoveCodeForm | PasskeyRemoveWithPasskeyForm,
) -> HttpResponse:
    """The page again with the form that was posted, its errors shown."""
    if isinstance(form, PasskeyRemoveWithPasskeyForm):
        error = "" if "password" in form.errors else form.failure()
        return _removal_page(request, passkey, passkey_form=form, error=error, status=400)
    return _removal_page(request, passkey, code_form=form, status=400)


def _own(request: HttpRequest, passkey_id: int) -> Passkey:
    passkey = own_passkey(user=current_user(request), passkey_id=passkey_id)
    if passkey is None:
        raise Http404
    return passkey


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def passkey_remove_view(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """The password and a second factor (a code by SMS, or another passkey), then removal."""
    passkey = _own(request, passkey_id)
    if request.method != "POST":
        return _removal_page(request, passkey)
    with_passkey = request.POST.get("method") == "passkey"
    form: PasskeyRemoveCodeForm | PasskeyRemoveWithPasskeyForm = (
        PasskeyRemoveWithPasskeyForm(request.POST)
        if with_passkey
        else PasskeyRemoveCodeForm(request.POST)
    )
    if not form.is_valid():
        return _form_page(request, passkey, form)
    pending = request.session.get(REMOVAL_SESSION_KEY)
    try:
        passkey_remove(
            request=request,
            user=current_user(request),
            passkey_id=passkey.pk,
            password=form.cleaned_data["password"],
            code_challenge_id=str(pending.get("challenge", ""))
            if isinstance(pending, dict)
            else "",
            code=form.cleaned_data.get("code", ""),
            assertion=form.cleaned_data.get("assertion"),
            now=timezone.now(),
        )
    except PasskeyChangeRefused as refusal:
        if refusal.field:
            form.add_error(refusal.field, refusal.message)
            return _form_page(request, passkey, form)
        return _removal_page(request, passkey, error=refusal.message, status=400)
    except SignatureError as failure:
        return _removal_page(request, passkey, error=failure.message, status=400)
    request.session.pop(REMOVAL_SESSION_KEY, None)
    messages.success(request, _("Clé d’accès « %(name)s » supprimée.") % {"name": passkey.name})
    return HttpResponseRedirect(_list_url())


@require_POST
def passkey_remove_send_code(request: HttpRequest, passkey_id: int) -> HttpResponse:
    passkey = _own(request, passkey_id)
    try:
        challenge = passkey_removal_send_code(
            user=current_user(request),
            passkey_id=passkey.pk,
            ip_address=client_ip(request),
            now=timezone.now(),
        )
    except (PasskeyChangeRefused, SignatureError) as refusal:
        return _removal_page(request, passkey, error=refusal.message, status=400)
    request.session[REMOVAL_SESSION_KEY] = {"passkey": passkey.pk, "challenge": str(challenge.pk)}
    return HttpResponseRedirect(reverse("accounts:passkey_remove", args=[passkey.pk]))
