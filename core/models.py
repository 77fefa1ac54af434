from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec")
    # what it announced no longer holds (a revoked invitation, a reset asked for no account)
    CANCELLED = "cancelled", _("Annulé")


class Message(models.Model):
    """One email or SMS of the portal, written in the transaction of the change that causes it.

    It never holds a secret: an invitation's link token is derived from the row at delivery, a
    password reset's link is made at delivery, a signing code's SMS is kept with the code masked.
    """

    kind = models.CharField(_("type"), max_length=10, choices=MessageKind.choices)
    to = models.CharField(_("destinataire"), max_length=254)
    # one notification to one person: writing it again changes nothing
    key = models.CharField(_("clé d’unicité"), max_length=200)
    about_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("à propos de (type)"),
    )
    about_id = models.CharField(_("à propos de (identifiant)"), max_length=64, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    # a plain number, so that support filters by company without this layer knowing companies
    company_id = models.PositiveBigIntegerField(
        _("entreprise (identifiant)"), null=True, blank=True
    )
    template = models.CharField(_("modèle"), max_length=200, blank=True)
    # made at delivery by the renderer an app registered under this name (see core.outbox)
    renderer = models.CharField(_("rendu à l’envoi"), max_length=50, blank=True)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    text = models.TextField(_("texte"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("créé le"))
    next_attempt_at = models.DateTimeField(_("prochain essai le"))
    sending_since = models.DateTimeField(_("en cours d’envoi depuis"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    failed_at = models.DateTimeField(_("échec le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["key"], name="core_message_key_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=MessageKind.values), name="core_message_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values),
                name="core_message_status_valid",
            ),
        ]
        indexes = [
            # the sweep's question: what is waiting, and since when
            models.Index(fields=["status", "next_attempt_at"], name="core_message_due"),
            models.Index(fields=["about_type", "about_id"], name="core_message_about"),
            models.Index(fields=["company_id", "created_at"], name="core_message_company"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to} ({self.get_status_display()})"


class StoredFile(models.Model):
    """A private file kept in the database (`core.storage.DatabaseStorage`), so that every web node
    serves what any node received. Its content is in `StoredFileChunk` rows of `chunk_size` bytes
    (the last one shorter): a download reads one chunk at a time, never the whole file."""

    name = models.CharField(_("nom"), max_length=255)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    chunk_size = models.PositiveIntegerField(_("taille des morceaux"))
    created_at = models.DateTimeField(_("créé le"))

    class Meta:
        verbose_name = _("fichier privé")
        verbose_name_plural = _("fichiers privés")
        constraints = [
            models.UniqueConstraint(fields=["name"], name="core_storedfile_name_unique"),
            models.CheckConstraint(
                condition=models.Q(chunk_size__gt=0), name="core_storedfile_chunk_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StoredFileChunk(models.Model):
    file = models.ForeignKey(
        StoredFile, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("fichier")
    )
    index = models.PositiveIntegerField(_("rang"))
    data = models.BinaryField(_("contenu"))

    class Meta:
        verbose_name = _("morceau de fichier")
        verbose_name_plural = _("morceaux de fichiers")
        constraints = [
            models.UniqueConstraint(fields=["file", "index"], name="core_storedfilechunk_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id} #{self.index}"
