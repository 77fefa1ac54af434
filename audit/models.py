from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from companies.models import Company


class Action(models.TextChoices):
    LOGIN = "login", _("Connexion")
    LOGIN_FAILED = "login_failed", _("Échec de connexion")
    LOGOUT = "logout", _("Déconnexion")
    INVITATION_CREATED = "invitation_created", _("Invitation créée")
    CODE_SENT = "code_sent", _("Code envoyé par SMS")
    CODE_WRONG = "code_wrong", _("Code erroné")
    SIGNED = "signed", _("Autorisation signée")
    EMAILED = "emailed", _("Invitation envoyée par e-mail")
    EMAIL_FAILED = "email_failed", _("Échec d’envoi de l’invitation")
    ACCEPTED = "accepted", _("Invitation acceptée")
    REVOKED = "revoked", _("Invitation révoquée")
    RESENT = "resent", _("Invitation renvoyée")
    MOBILE_CHANGED = "mobile_changed", _("Numéro de mobile changé")
    SIGNING_LOCKED = "signing_locked", _("Signature bloquée (codes erronés)")
    SIGNING_UNLOCKED = "signing_unlocked", _("Signature débloquée par le support")
    # a person's passkeys, from Mon compte
    PASSKEY_ADDED = "passkey_added", _("Clé d’accès ajoutée")
    PASSKEY_RENAMED = "passkey_renamed", _("Clé d’accès renommée")
    PASSKEY_REMOVED = "passkey_removed", _("Clé d’accès supprimée")
    # edits by support staff in the Django admin: the signing factor and who may do what
    SUPPORT_MOBILE_CHANGED = "support_mobile_changed", _("Mobile changé par le support")
    SUPPORT_MEMBERSHIP_CHANGED = (
        "support_membership_changed",
        _("Membre ajouté ou modifié par le support"),
    )
    SUPPORT_MEMBERSHIP_DELETED = "support_membership_deleted", _("Membre retiré par le support")
    SUPPORT_GRANTS_CHANGED = "support_grants_changed", _("Droits changés par le support")
    # rights adjusted by the company's administrator in Mes équipes
    RIGHTS_ADDED = "rights_added", _("Droits ajoutés (autorisation signée)")
    RIGHTS_REMOVED = "rights_removed", _("Droits retirés")
    RIGHTS_ENDED = "rights_ended", _("Droits arrivés à leur date de fin")
    RIGHTS_REDATED = "rights_redated", _("Dates de fin des droits modifiées (autorisation signée)")
    MEMBER_SUSPENDED = "member_suspended", _("Membre suspendu")
    MEMBER_REACTIVATED = "member_reactivated", _("Membre réactivé")
    MEMBER_REMOVED = "member_removed", _("Membre retiré")
    INVITATION_RIGHTS_EDITED = "invitation_rights_edited", _("Droits de l’invitation modifiés")
    # the company space: requests, documents and operations
    REQUEST_CREATED = "request_created", _("Demande créée")
    REQUEST_UPDATED = "request_updated", _("Demande complétée")
    REQUEST_SUBMITTED = "request_submitted", _("Demande soumise")
    REQUEST_STATUS_CHANGED = "request_status_changed", _("Statut de demande changé")
    ATTACHMENT_ADDED = "attachment_added", _("Pièce jointe ajoutée")
    ATTACHMENT_REMOVED = "attachment_removed", _("Pièce jointe retirée")
    DRAFT_APPROVED = "draft_approved", _("Projet de documentation approuvé")
    DRAFT_RETURNED = "draft_returned", _("Projet de documentation renvoyé")
    DOCUMENT_DOWNLOADED = "document_downloaded", _("Document téléchargé")
    BANK_DETAILS_CHANGED = "bank_details_changed", _("RIB de l’entreprise changé")
    TREASURY_EXPORTED = "treasury_exported", _("Prévision de trésorerie exportée")
    TREASURY_ALERT_CHANGED = "treasury_alert_changed", _("Alerte de trésorerie modifiée")
    TREASURY_ALERT_SENT = "treasury_alert_sent", _("Alerte de trésorerie envoyée")
    # logging in with two factors, and support's help with them
    LOGIN_LOCKED = "login_locked", _("Connexion bloquée (seconds facteurs erronés)")
    LOGIN_UNLOCKED = "login_unlocked", _("Connexion débloquée par le support")
    SECOND_FACTORS_RESET = (
        "second_factors_reset",
        _("Seconds facteurs réinitialisés par le support"),
    )
    SESSIONS_ENDED = "sessions_ended", _("Déconnexion des autres appareils")
    # support's back office: an email changed, and the four-eyes proposals
    SUPPORT_EMAIL_CHANGED = "support_email_changed", _("E-mail changé par le support")
    PROPOSAL_MADE = "proposal_made", _("Changement proposé par le support")
    PROPOSAL_APPROVED = "proposal_approved", _("Proposition approuvée par un second agent")
    PROPOSAL_REFUSED = "proposal_refused", _("Proposition refusée par un second agent")
    # the periodic access review, signed once for the whole team
    ACCESS_REVIEW_STARTED = "access_review_started", _("Revue périodique des accès ouverte")
    ACCESS_REVIEW_SIGNED = "access_review_signed", _("Revue périodique des accès signée")
    ACCESS_REVIEW_REMOVALS = (
        "access_review_removals",
        _("Retraits appliqués par la revue des accès"),
    )


class AuditEvent(models.Model):
    """Append-only: PostgreSQL refuses any UPDATE or DELETE of these rows (see the migration)."""

    occurred_at = models.DateTimeField(_("date"), db_index=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compte de l’auteur"),
    )
    actor_email = models.CharField(_("auteur"), max_length=254, blank=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entreprise"),
    )
    target_type = models.CharField(_("objet"), max_length=40, blank=True)
    target_id = models.CharField(_("identifiant"), max_length=64, blank=True)
    target_repr = models.CharField(_("cible"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    data = models.JSONField(_("détails"), default=dict, blank=True)
    # the chain (audit/chain.py): this event's hash covers its content and the previous hash
    previous_hash = models.CharField(_("empreinte précédente"), max_length=64, blank=True)
    chain_hash = models.CharField(_("empreinte chaînée"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("événement d’audit")
        verbose_name_plural = _("journal d’audit")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="audit_action_valid"
            ),
        ]
        # a person's events, newest first (audit.journal), and a member's latest action
        indexes = [
            models.Index(
                fields=["company", "actor", "-occurred_at"], name="audit_company_actor_occurred"
            ),
            models.Index(
                fields=["target_type", "target_id", "-occurred_at"], name="audit_target_occurred"
            ),
            models.Index(
                fields=["company", "target_type", "-occurred_at"],
                name="audit_company_type_occurred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%d/%m/%Y %H:%M} {self.get_action_display()} {self.target_repr}"


class ChainHead(models.Model):
    """The chain's last link: one row, locked by every insert (audit/chain.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(_("dernière empreinte"), max_length=64)
    last_event_id = models.BigIntegerField(_("dernier événement"), null=True, blank=True)
    event_count = models.BigIntegerField(_("nombre d’événements"), default=0)
    updated_at = models.DateTimeField(_("mis à jour le"), null=True, blank=True)

    class Meta:
        verbose_name = _("tête de la chaîne d’audit")
        verbose_name_plural = _("tête de la chaîne d’audit")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chain_head_single_row"),
        ]

    def __str__(self) -> str:
        return f"{self.event_count} · {self.last_hash}"
