"""A person's own account: checking their password, changing the mobile that signing codes go to,
and support's edits of it."""

from accounts.services.login import (
    INVALID_LOGIN,
    Factor,
    LoginRefused,
    SecondFactorRefused,
    authenticate_throttled,
    login_is_locked,
    login_password_step,
    login_pending_user,
    login_second_factor_complete,
    login_second_factor_failed,
)
from accounts.services.login_passkey import login_passkey_ceremony, login_passkey_verify
from accounts.services.login_sms import (
    login_sms_challenge,
    login_sms_send,
    login_sms_verify,
    no_second_factor_message,
)
from accounts.services.mobile_change import (
    MOBILE_CHANGE,
    MobileChangeRefused,
    mobile_change_confirm,
    mobile_change_payload,
    mobile_change_request,
    mobile_change_warn,
    mobile_is_bank_record,
    mobile_set_by_support_message,
)
from accounts.services.support import (
    EMAIL_TAKEN,
    NOT_A_MOBILE,
    UserRefused,
    mobile_refusal,
    user_update_by_support,
    user_update_refusal,
)

__all__ = [
    "EMAIL_TAKEN",
    "INVALID_LOGIN",
    "MOBILE_CHANGE",
    "NOT_A_MOBILE",
    "Factor",
    "LoginRefused",
    "MobileChangeRefused",
    "SecondFactorRefused",
    "UserRefused",
    "authenticate_throttled",
    "login_is_locked",
    "login_passkey_ceremony",
    "login_passkey_verify",
    "login_password_step",
    "login_pending_user",
    "login_second_factor_complete",
    "login_second_factor_failed",
    "login_sms_challenge",
    "login_sms_send",
    "login_sms_verify",
    "mobile_change_confirm",
    "mobile_change_payload",
    "mobile_change_request",
    "mobile_change_warn",
    "mobile_is_bank_record",
    "mobile_refusal",
    "mobile_set_by_support_message",
    "no_second_factor_message",
    "user_update_by_support",
    "user_update_refusal",
]
