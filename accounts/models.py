from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> "User":
        if not email:
            raise ValueError("An email is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email. The mobile is the bank's record, set by support."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    mobile = PhoneNumberField(
        _("mobile"),
        blank=True,
        help_text=_("Numéro de mobile vérifié (E.164), utilisé pour signer par SMS."),
    )
    is_staff = models.BooleanField(_("équipe support"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # kept in PostgreSQL, not Redis: checking a code must work while Redis is down
    consecutive_wrong_codes = models.PositiveIntegerField(_("codes erronés consécutifs"), default=0)
    signing_locked_at = models.DateTimeField(
        _("signature bloquée le"),
        null=True,
        blank=True,
        help_text=_("Trop de codes erronés : seul le support peut débloquer la signature."),
    )
    mobile_confirmed_at = models.DateTimeField(
        _("mobile confirmé le"),
        null=True,
        blank=True,
        help_text=_(
            "Date du dernier code reçu sur ce numéro : vide, il sera confirmé à la connexion."
        ),
    )
    consecutive_login_failures = models.PositiveIntegerField(
        _("seconds facteurs erronés consécutifs"), default=0
    )
    login_locked_at = models.DateTimeField(
        _("connexion bloquée le"),
        null=True,
        blank=True,
        help_text=_(
            "Trop de seconds facteurs erronés : seul le support peut débloquer la connexion."
        ),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        # the table portal created: moving the model to accounts kept its rows where they were
        db_table = "portal_user"
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class UserSession(models.Model):
    """Where an account is logged in: one row per session, so that Mon compte lists them and can
    end the others. The last activity is written at most once a minute."""

    session_key = models.CharField(_("clé de session"), max_length=40, unique=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("utilisateur")
    )
    # SHA-256 of the browser's device cookie: a login from a browser never seen is told by email
    device = models.CharField(_("navigateur (empreinte)"), max_length=64)
    user_agent = models.CharField(_("navigateur"), max_length=400, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    factor = models.CharField(_("second facteur"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("connecté le"))
    last_seen_at = models.DateTimeField(_("dernière activité"))
    ended_at = models.DateTimeField(_("terminée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["user", "device"], name="usersession_user_device")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%d/%m/%Y %H:%M}"
