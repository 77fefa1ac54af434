"""Seal the authorisations signed before sealing existed (the first download would, one by one)."""

from typing import Any

from django.core.management.base import BaseCommand

from otp.services import authorisation_seal, unsealed_authorisation_ids


class Command(BaseCommand):
    help = "Produce and store the sealed PDF of every access authorisation that has none yet."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for authorisation_id in list(unsealed_authorisation_ids()):
            authorisation_seal(authorisation_id=authorisation_id)
            count += 1
        self.stdout.write(f"{count} autorisation(s) scellée(s).")
