"""`manage.py verify_authorisation ID`: check a signed access authorisation again, from what the
bank keeps, and print what was checked. Exits with an error when a check fails.

Signed with a passkey: the WebAuthn challenge is recomputed from the content's digest and the
challenge's nonce, and the stored signature is verified with the stored public key. Signed by SMS
code: the code is never kept, so what can be checked is that its challenge was made for this
content and was consumed by the signature.
"""

import uuid

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn.helpers import bytes_to_base64url

from otp.models import ChallengeStatus, SignatureMethod
from otp.passkeys import assertion_reverify, webauthn_challenge
from otp.selectors import any_authorisation


class Command(BaseCommand):
    help = "Verify a signed access authorisation again and print what was checked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("authorisation_id", help="the authorisation's identifier (UUID)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            authorisation_id = uuid.UUID(str(options["authorisation_id"]))
        except ValueError:
            raise CommandError(_("Identifiant d’autorisation invalide.")) from None
        authorisation = any_authorisation(authorisation_id=authorisation_id)
        if authorisation is None:
            raise CommandError(_("Aucune autorisation avec cet identifiant."))
        signer = authorisation.signer
        signed_at = timezone.localtime(authorisation.signed_at)
        self.stdout.write(
            _(
                "Autorisation %(id)s, version %(version)s : %(company)s, accordée par %(signer)s "
                "à %(subject)s, signée le %(date)s."
            )
            % {
                "id": authorisation.pk,
                "version": authorisation.version,
                "company": authorisation.company.name,
                "signer": signer.email,
                "subject": authorisation.subject_email,
                "date": signed_at.strftime("%d/%m/%Y %H:%M:%S"),
            }
        )
        self.stdout.write(
            _("Empreinte SHA-256 du contenu signé : %s") % authorisation.payload_digest
        )
        challenge = authorisation.challenge
        if authorisation.method != SignatureMethod.PASSKEY:
            self.stdout.write(
                _("Signée avec un code SMS envoyé au %s (le code n’est jamais conservé).")
                % authorisation.phone_masked
            )
            checks = [
                (
                    _("la demande de code a été faite pour ce contenu (même empreinte)"),
                    challenge.payload_digest == authorisation.payload_digest,
                ),
                (
                    _("le code a été utilisé une fois, pour cette signature"),
                    challenge.status == ChallengeStatus.CONSUMED,
                ),
            ]
        else:
            self.stdout.write(
                _("Signée avec une clé d’accès : « %(name)s » (identifiant %(credential)s).")
                % {
                    "name": authorisation.passkey_name,
                    "credential": bytes_to_base64url(bytes(authorisation.credential_id)),
                }
            )
            self.stdout.write(
                _("Site (RP ID) : %(rp)s ; origine : %(origin)s ; compteur : %(count)s.")
                % {
                    "rp": authorisation.rp_id,
                    "origin": authorisation.origin,
                    "count": authorisation.sign_count,
                }
            )
            self.stdout.write(
                _("Défi recalculé : %s")
                % bytes_to_base64url(
                    webauthn_challenge(digest=authorisation.payload_digest, nonce=challenge.nonce)
                )
            )
            checks = assertion_reverify(authorisation).checks
        for label, ok in checks:
            self.stdout.write(f"[{'OK' if ok else _('ÉCHEC')}] {label}")
        if not all(ok for _label, ok in checks):
            raise CommandError(_("La signature de cette autorisation n’a pas pu être vérifiée."))
        self.stdout.write(self.style.SUCCESS(_("Signature vérifiée.")))
