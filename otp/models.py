import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from companies.models import Company

# A login code opens a session and nothing else: it never signs, and a signing code never logs in.
LOGIN_PURPOSE = "login"


class ChallengeStatus(models.TextChoices):
    PENDING = "pending", _("En attente du code")
    CONSUMED = "consumed", _("Signé")
    DEAD = "dead", _("Bloqué (trop d’erreurs)")


class SignatureMethod(models.TextChoices):
    SMS = "sms", _("Code reçu par SMS")
    PASSKEY = "passkey", _("Clé d’accès")


class SignatureChallenge(models.Model):
    """One request for a signature, bound to the digest of exactly what is being signed.

    By SMS, the code is never stored: it is derived from a secret and the challenge, and checked
    by deriving it again. By passkey, `nonce` is a fresh random value: the WebAuthn challenge is
    SHA-256(digest || nonce), so the assertion signs this content and can be checked again.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signature_challenges",
        verbose_name=_("signataire"),
    )
    purpose = models.CharField(_("objet"), max_length=40)
    payload_digest = models.CharField(_("empreinte du contenu signé"), max_length=64)
    status = models.CharField(
        _("statut"), max_length=10, choices=ChallengeStatus.choices, default=ChallengeStatus.PENDING
    )
    phone_masked = models.CharField(_("mobile (masqué)"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("créé le"))
    expires_at = models.DateTimeField(_("expire le"))
    send_count = models.PositiveSmallIntegerField(_("SMS envoyés"), default=0)
    last_sent_at = models.DateTimeField(_("dernier envoi"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("codes erronés"), default=0)
    consumed_at = models.DateTimeField(_("signé le"), null=True, blank=True)
    method = models.CharField(
        _("moyen de signature"),
        max_length=10,
        choices=SignatureMethod.choices,
        default=SignatureMethod.SMS,
    )
    nonce = models.BinaryField(_("aléa de la clé d’accès"), blank=True, default=b"")

    class Meta:
        verbose_name = _("demande de code de signature")
        verbose_name_plural = _("demandes de code de signature")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ChallengeStatus.values),
                name="challenge_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="challenge_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=models.Q(method__in=SignatureMethod.values),
                name="challenge_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.id}"


class Passkey(models.Model):
    """A WebAuthn credential a person registered (Mon compte), named by them; it signs and logs in.

    The public key is what every assertion is checked against; the counter only goes up.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="passkeys",
        verbose_name=_("utilisateur"),
    )
    name = models.CharField(_("nom"), max_length=60)
    credential_id = models.BinaryField(_("identifiant de la clé"), max_length=1023)
    public_key = models.BinaryField(_("clé publique (COSE)"))
    sign_count = models.PositiveBigIntegerField(_("compteur de signatures"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    created_at = models.DateTimeField(_("ajoutée le"))
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d’accès")
        verbose_name_plural = _("clés d’accès")
        constraints = [
            models.UniqueConstraint("credential_id", name="passkey_credential_id_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class AuthorisationKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    RIGHTS_CHANGE = "rights_change", _("Modification des droits")


class ClosingReason(models.TextChoices):
    SUPERSEDED = "superseded", _("Remplacée par une nouvelle version signée")
    RIGHTS_REMOVED = "rights_removed", _("Droits retirés par un administrateur")
    RIGHTS_ENDED = "rights_ended", _("Droits arrivés à leur date de fin")
    RIGHTS_CHANGED_BY_SUPPORT = (
        "rights_changed_by_support",
        _("Droits modifiés par le support de la banque"),
    )
    MEMBER_SUSPENDED = "member_suspended", _("Accès du membre suspendu")
    MEMBER_REMOVED = "member_removed", _("Membre retiré de l’entreprise")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation révoquée")
    INVITATION_RIGHTS_EDITED = (
        "invitation_rights_edited",
        _("Droits de l’invitation modifiés avant son acceptation"),
    )


class AccessAuthorisation(models.Model):
    """The signed evidence: who authorised whom, for which rights, when, and how it was proved.

    The authorisations of one person (their email) in one company are versions 1, 2, 3… in
    signed order; at most one is open, the one that stands for their rights today.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("nature"), max_length=20, choices=AuthorisationKind.choices)
    # one code may sign several authorisations: a batch of invitations signed at once
    challenge = models.ForeignKey(
        SignatureChallenge,
        on_delete=models.PROTECT,
        related_name="authorisations",
        verbose_name=_("demande de code de signature"),
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="access_authorisations",
        verbose_name=_("entreprise"),
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signed_authorisations",
        verbose_name=_("signataire"),
    )
    subject_email = models.EmailField(_("bénéficiaire (e-mail)"))
    subject_name = models.CharField(_("bénéficiaire"), max_length=310)
    rights = models.JSONField(_("droits accordés"))
    # {right: "YYYY-MM-DD"}: the last day of each end-dated right, as signed
    ends_on = models.JSONField(_("dates de fin"), default=dict, blank=True)
    statement = models.TextField(_("texte présenté au signataire"))
    payload_digest = models.CharField(_("empreinte SHA-256"), max_length=64)
    signed_at = models.DateTimeField(_("signé le"))
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    user_agent = models.CharField(_("navigateur"), max_length=400, blank=True)
    phone_masked = models.CharField(_("mobile (masqué)"), max_length=32)
    method = models.CharField(
        _("moyen de signature"),
        max_length=10,
        choices=SignatureMethod.choices,
        default=SignatureMethod.SMS,
    )
    # a passkey's evidence, kept whole: the assertion can be verified again at any time, even
    # after the passkey was removed (its public key is copied here)
    passkey = models.ForeignKey(
        Passkey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authorisations",
        verbose_name=_("clé d’accès"),
    )
    passkey_name = models.CharField(_("nom de la clé d’accès"), max_length=60, blank=True)
    credential_id = models.BinaryField(_("identifiant de la clé"), blank=True, default=b"")
    credential_public_key = models.BinaryField(_("clé publique (COSE)"), blank=True, default=b"")
    authenticator_data = models.BinaryField(
        _("données de l’authentificateur"), blank=True, default=b""
    )
    client_data_json = models.BinaryField(_("données du client (JSON)"), blank=True, default=b"")
    signature = models.BinaryField(_("signature"), blank=True, default=b"")
    sign_count = models.PositiveBigIntegerField(_("compteur de signatures"), null=True, blank=True)
    rp_id = models.CharField(_("identifiant du site (RP ID)"), max_length=253, blank=True)
    origin = models.CharField(_("origine"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"))
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    closed_reason = models.CharField(
        _("motif de clôture"), max_length=30, choices=ClosingReason.choices, blank=True
    )
    # the sealed PDF, produced once and then served as it is (storages["private"])
    sealed_pdf = models.CharField(_("PDF scellé"), max_length=255, blank=True)
    sealed_pdf_sha256 = models.CharField(
        _("empreinte SHA-256 du PDF scellé"), max_length=64, blank=True
    )
    sealed_at = models.DateTimeField(_("scellé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("autorisation d’accès signée")
        verbose_name_plural = _("autorisations d’accès signées")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AuthorisationKind.values),
                name="authorisation_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True, closed_reason="")
                | models.Q(closed_at__isnull=False, closed_reason__in=ClosingReason.values),
                name="authorisation_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(method=SignatureMethod.SMS)
                | (
                    models.Q(method=SignatureMethod.PASSKEY, sign_count__isnull=False)
                    & ~models.Q(rp_id="")
                    & ~models.Q(origin="")
                ),
                name="authorisation_passkey_evidence",
            ),
            models.UniqueConstraint(
                "company",
                Lower("subject_email"),
                "version",
                name="authorisation_one_number_per_version",
            ),
            models.UniqueConstraint(
                "company",
                Lower("subject_email"),
                condition=models.Q(closed_at__isnull=True),
                name="authorisation_one_open_per_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} → {self.subject_email} ({self.signed_at:%d/%m/%Y %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
