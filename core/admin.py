"""Support sees every message the portal sent or tried to send, and sends a failed email again.

Nothing here shows a secret: the rows hold none (a link's token is made as the email leaves, a
signing code's SMS is kept masked), and the bodies are left out all the same.
"""

import logging
import re
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import outbox
from core.models import Message, MessageKind

logger = logging.getLogger(__name__)

# a belt to the braces: anything that looks like a code is masked before support reads it
_CODE = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "created_at",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "company_id",
        "sent_at",
        "failed_at",
    )
    list_filter = ("status", "kind", "company_id")
    search_fields = ("to",)
    date_hierarchy = "created_at"
    actions = ("resend",)
    fields = (
        "kind",
        "to",
        "subject",
        "sms_text",
        "template",
        "about_type",
        "about_id",
        "company_id",
        "status",
        "attempts",
        "last_error",
        "key",
        "created_at",
        "next_attempt_at",
        "sending_since",
        "sent_at",
        "failed_at",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("texte du SMS"))
    def sms_text(self, message: Message) -> str:
        if message.kind != MessageKind.SMS:
            return "—"
        return _CODE.sub(outbox.CODE_MASK, message.text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("core.change_message")

    @admin.action(description=gettext_lazy("Renvoyer les e-mails en échec"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        for message in queryset.order_by("pk"):
            try:
                outbox.message_resend(message_id=message.pk, now=timezone.now())
            except outbox.MessageNotResendable:
                self.message_user(
                    request,
                    _("%(to)s : seul un e-mail en échec peut être renvoyé.") % {"to": message.to},
                    messages.ERROR,
                )
            else:
                logger.info("Support user %s resent message %s.", request.user.pk, message.pk)
                self.message_user(
                    request, _("E-mail renvoyé : %(to)s") % {"to": message.to}, messages.SUCCESS
                )
