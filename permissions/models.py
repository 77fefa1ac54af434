from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Membership
from permissions.catalogue import Right


class Grant(models.Model):
    """One right held by one membership, as signed in an access authorisation."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="grants", verbose_name=_("membre")
    )
    right = models.CharField(_("droit"), max_length=32, choices=Right.choices)
    granted_at = models.DateTimeField(_("accordé le"), auto_now_add=True)
    # the last day the right is held (Paris time), as signed; none: until someone removes it
    ends_on = models.DateField(_("jusqu’au"), null=True, blank=True)
    # the end date the administrators were asked to extend: once per grant and end date
    end_notice_for = models.DateField(_("fin annoncée pour le"), null=True, blank=True)

    class Meta:
        verbose_name = _("droit accordé")
        verbose_name_plural = _("droits accordés")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "right"], name="grant_membership_right_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(right__in=Right.values), name="grant_right_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.get_right_display()}"
