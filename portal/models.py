from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SentEmail(models.Model):
    """One person's email of a notification sent to several people, recorded in the transaction
    that sends it: a retry after a mail failure emails only those not recorded yet."""

    notification = models.CharField(_("notification"), max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("destinataire"),
    )
    sent_at = models.DateTimeField(_("envoyé le"))

    class Meta:
        verbose_name = _("e-mail envoyé")
        verbose_name_plural = _("e-mails envoyés")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "recipient"], name="sent_email_once_per_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} → {self.recipient_id}"
