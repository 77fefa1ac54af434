"""The refusals of signing by SMS code: each message is French and says what to do."""

from django.conf import settings
from django.utils.translation import gettext as _

from core import ratelimit


class SignatureError(Exception):
    """A refusal the signer must read; the message is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoMobileNumber(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Aucun numéro de mobile n’est enregistré pour vous : vous ne pouvez pas signer. "
                "Votre conseiller ou le support de la banque peut l’enregistrer après vérification "
                "de votre identité."
            )
        )


class ChallengeExpired(SignatureError):
    def __init__(self) -> None:
        super().__init__(_("Ce code a expiré. Demandez un nouveau code."))


class ChallengeLocked(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _("Trop de codes erronés : ce code est bloqué. Demandez un nouveau code pour signer.")
        )


class ChallengeUsed(SignatureError):
    def __init__(self) -> None:
        super().__init__(_("Ce code a déjà été utilisé."))


class CodeNotSent(SignatureError):
    def __init__(self) -> None:
        super().__init__(_("Demandez d’abord l’envoi du code par SMS."))


class ResendTooSoon(SignatureError):
    def __init__(self, wait_seconds: int) -> None:
        super().__init__(
            _("Un code vient d’être envoyé. Vous pourrez en demander un autre dans %(s)s s.")
            % {"s": wait_seconds}
        )
        self.wait_seconds = wait_seconds


class TooManySends(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Le nombre maximal d’envois de ce code est atteint. Recommencez la signature "
                "dans quelques minutes."
            )
        )


class SmsDeliveryFailed(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Le SMS n’a pas pu être envoyé. Aucun code n’a été décompté : réessayez dans "
                "un instant."
            )
        )


class SmsLimitReached(SignatureError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            _("Vous avez demandé trop de codes par SMS. %(retry)s")
            % {"retry": ratelimit.retry_message(retry_after_seconds)}
        )
        self.retry_after_seconds = retry_after_seconds


class SmsServiceUnavailable(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Le service d’envoi de codes est momentanément indisponible. "
                "Réessayez dans un instant."
            )
        )


class SigningLocked(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Trop de codes erronés ont été saisis à la suite : la signature est bloquée pour "
                "votre compte. Pour la débloquer, contactez %(support)s."
            )
            % {"support": settings.SUPPORT_CONTACT}
        )
