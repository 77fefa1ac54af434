"""A person's own account: checking their password, changing the mobile that signing codes go to,
and support's edits of it."""

from accounts.services.login import INVALID_LOGIN, LoginRefused, authenticate_throttled
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
    "LoginRefused",
    "MobileChangeRefused",
    "UserRefused",
    "authenticate_throttled",
    "mobile_change_confirm",
    "mobile_change_payload",
    "mobile_change_request",
    "mobile_change_warn",
    "mobile_is_bank_record",
    "mobile_refusal",
    "mobile_set_by_support_message",
    "user_update_by_support",
    "user_update_refusal",
]
