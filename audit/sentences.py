"""Each audit event as a sentence a company's administrator reads, in French or English.

Every action of the catalogue has a kind (the journal's filter) and a sentence; a test walks the
catalogue. The sentence names who acted (support staff as "Le support de la banque" with their
initials), whom or what it concerns, and support's reason when there is one. Counters and codes
kept for the bank's security are never put into words here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, TextChoices
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action, AuditEvent
from permissions.catalogue import CATALOGUE, Right


class Kind(TextChoices):
    ACCESS = "access", gettext_lazy("Accès et invitations")
    RIGHTS = "rights", gettext_lazy("Droits")
    SIGNATURES = "signatures", gettext_lazy("Signatures")
    REQUESTS = "requests", gettext_lazy("Demandes et opérations")
    SUPPORT = "support", gettext_lazy("Support de la banque")


# the bank's own security counters: a company reads their outcome (a locked signature), never them
HIDDEN: frozenset[str] = frozenset({Action.LOGIN_FAILED, Action.CODE_WRONG})


@dataclass(frozen=True)
class Phrase:
    kind: Kind
    text: str | Promise  # %(actor)s, %(target)s, %(rights)s, %(added)s, %(removed)s, %(phone)s…


P = Phrase
SENTENCES: dict[str, Phrase] = {
    Action.LOGIN: P(Kind.ACCESS, gettext_lazy("%(actor)s s’est connecté(e)")),
    Action.LOGIN_FAILED: P(Kind.ACCESS, gettext_lazy("Tentative de connexion échouée")),
    Action.LOGOUT: P(Kind.ACCESS, gettext_lazy("%(actor)s s’est déconnecté(e)")),
    Action.INVITATION_CREATED: P(
        Kind.ACCESS, gettext_lazy("%(actor)s a invité %(target)s avec les droits %(rights)s")
    ),
    Action.CODE_SENT: P(
        Kind.SIGNATURES, gettext_lazy("%(actor)s a reçu un code de signature par SMS (%(phone)s)")
    ),
    Action.CODE_WRONG: P(Kind.SIGNATURES, gettext_lazy("%(actor)s a saisi un code erroné")),
    Action.SIGNED: P(
        Kind.SIGNATURES,
        gettext_lazy("%(actor)s a signé l’autorisation d’accès de %(target)s (%(rights)s)"),
    ),
    Action.EMAILED: P(
        Kind.ACCESS, gettext_lazy("L’invitation de %(target)s a été envoyée par e-mail")
    ),
    Action.EMAIL_FAILED: P(
        Kind.ACCESS, gettext_lazy("L’e-mail d’invitation de %(target)s n’a pas pu être remis")
    ),
    Action.ACCEPTED: P(
        Kind.ACCESS,
        gettext_lazy("%(actor)s a accepté l’invitation et rejoint l’équipe (%(rights)s)"),
    ),
    Action.REVOKED: P(Kind.ACCESS, gettext_lazy("%(actor)s a révoqué l’invitation de %(target)s")),
    Action.RESENT: P(Kind.ACCESS, gettext_lazy("%(actor)s a renvoyé l’invitation de %(target)s")),
    Action.MOBILE_CHANGED: P(
        Kind.SIGNATURES, gettext_lazy("%(actor)s a changé son numéro de mobile (%(phone)s)")
    ),
    Action.SIGNING_LOCKED: P(
        Kind.SIGNATURES,
        gettext_lazy("La signature de %(target)s a été bloquée après trop de codes erronés"),
    ),
    Action.SIGNING_UNLOCKED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a débloqué la signature de %(target)s")
    ),
    Action.SUPPORT_MOBILE_CHANGED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a modifié le mobile de %(target)s (%(phone)s)")
    ),
    Action.SUPPORT_EMAIL_CHANGED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a modifié l’adresse e-mail de %(target)s")
    ),
    Action.SUPPORT_MEMBERSHIP_CHANGED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a modifié le rôle ou le statut de %(target)s")
    ),
    Action.SUPPORT_MEMBERSHIP_DELETED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a retiré %(target)s de l’entreprise")
    ),
    Action.SUPPORT_GRANTS_CHANGED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a modifié les droits de %(target)s : %(rights)s")
    ),
    Action.RIGHTS_ADDED: P(
        Kind.RIGHTS, gettext_lazy("%(actor)s a accordé à %(target)s les droits %(added)s")
    ),
    Action.RIGHTS_REMOVED: P(
        Kind.RIGHTS, gettext_lazy("%(actor)s a retiré à %(target)s les droits %(removed)s")
    ),
    Action.RIGHTS_REDATED: P(
        Kind.RIGHTS,
        gettext_lazy("%(actor)s a modifié la date de fin des droits %(redated)s de %(target)s"),
    ),
    Action.RIGHTS_ENDED: P(
        Kind.RIGHTS,
        gettext_lazy("Les droits %(removed)s de %(target)s ont pris fin à leur date de fin"),
    ),
    Action.MEMBER_SUSPENDED: P(
        Kind.ACCESS, gettext_lazy("%(actor)s a suspendu l’accès de %(target)s")
    ),
    Action.MEMBER_REACTIVATED: P(
        Kind.ACCESS, gettext_lazy("%(actor)s a réactivé l’accès de %(target)s")
    ),
    Action.MEMBER_REMOVED: P(
        Kind.ACCESS, gettext_lazy("%(actor)s a retiré %(target)s de l’équipe")
    ),
    Action.INVITATION_RIGHTS_EDITED: P(
        Kind.RIGHTS,
        gettext_lazy("%(actor)s a modifié les droits de l’invitation de %(target)s : %(rights)s"),
    ),
    Action.REQUEST_CREATED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a créé la demande %(target)s")
    ),
    Action.REQUEST_UPDATED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a complété la demande %(target)s")
    ),
    Action.REQUEST_SUBMITTED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a soumis la demande %(target)s")
    ),
    Action.REQUEST_STATUS_CHANGED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a changé le statut de la demande %(target)s")
    ),
    Action.ATTACHMENT_ADDED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a joint un document à la demande %(target)s")
    ),
    Action.ATTACHMENT_REMOVED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a retiré un document de la demande %(target)s")
    ),
    Action.DRAFT_APPROVED: P(
        Kind.REQUESTS,
        gettext_lazy("%(actor)s a approuvé le projet de documentation de la demande %(target)s"),
    ),
    Action.DRAFT_RETURNED: P(
        Kind.REQUESTS,
        gettext_lazy("%(actor)s a renvoyé le projet de documentation de la demande %(target)s"),
    ),
    Action.DOCUMENT_DOWNLOADED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a téléchargé un document (%(target)s)")
    ),
    Action.BANK_DETAILS_CHANGED: P(
        Kind.REQUESTS,
        gettext_lazy("%(actor)s a changé le RIB de l’entreprise (IBAN finissant par %(iban)s)"),
    ),
    Action.TREASURY_EXPORTED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a exporté la prévision de trésorerie")
    ),
    Action.TREASURY_ALERT_CHANGED: P(
        Kind.REQUESTS, gettext_lazy("%(actor)s a modifié l’alerte de trésorerie")
    ),
    Action.TREASURY_ALERT_SENT: P(
        Kind.REQUESTS, gettext_lazy("L’alerte de trésorerie a été envoyée")
    ),
    Action.LOGIN_LOCKED: P(
        Kind.ACCESS,
        gettext_lazy(
            "La connexion de %(target)s a été bloquée après trop de seconds facteurs erronés"
        ),
    ),
    Action.LOGIN_UNLOCKED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a débloqué la connexion de %(target)s")
    ),
    Action.SECOND_FACTORS_RESET: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a réinitialisé les seconds facteurs de %(target)s")
    ),
    Action.SESSIONS_ENDED: P(
        Kind.ACCESS, gettext_lazy("%(actor)s a déconnecté ses autres appareils")
    ),
    Action.PASSKEY_ADDED: P(Kind.SIGNATURES, gettext_lazy("%(actor)s a ajouté une clé d’accès")),
    Action.PASSKEY_RENAMED: P(Kind.SIGNATURES, gettext_lazy("%(actor)s a renommé une clé d’accès")),
    Action.PASSKEY_REMOVED: P(
        Kind.SIGNATURES, gettext_lazy("%(actor)s a supprimé une clé d’accès")
    ),
    Action.PROPOSAL_MADE: P(
        Kind.SUPPORT,
        gettext_lazy("%(actor)s a proposé %(proposal)s, à approuver par un second agent"),
    ),
    Action.PROPOSAL_APPROVED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a approuvé la proposition %(proposal)s")
    ),
    Action.PROPOSAL_REFUSED: P(
        Kind.SUPPORT, gettext_lazy("%(actor)s a refusé la proposition %(proposal)s")
    ),
    Action.ACCESS_REVIEW_STARTED: P(
        Kind.ACCESS, gettext_lazy("%(actor)s a ouvert la revue périodique des accès n° %(version)s")
    ),
    Action.ACCESS_REVIEW_SIGNED: P(
        Kind.SIGNATURES,
        gettext_lazy(
            "%(actor)s a signé la revue périodique des accès n° %(version)s (membres conservés : "
            "%(kept)s)"
        ),
    ),
    Action.ACCESS_REVIEW_REMOVALS: P(
        Kind.RIGHTS,
        gettext_lazy(
            "Revue des accès n° %(version)s : %(actor)s a retiré de l’équipe %(removed_members)s "
            "membre(s) et retiré des droits à %(removed_rights)s membre(s)"
        ),
    ),
}

# what a support proposal changes, by its kind (backoffice.kinds names the same codes)
PROPOSALS: dict[str, str | Promise] = {
    "mobile_change": gettext_lazy("de changer le mobile de %(target)s"),
    "email_change": gettext_lazy("de changer l’adresse e-mail de %(target)s"),
    "signing_unlock": gettext_lazy("de débloquer la signature de %(target)s"),
    "money_rights": gettext_lazy("d’accorder à %(target)s les droits %(rights)s"),
    "bank_details": gettext_lazy("de valider le changement de RIB (%(target)s)"),
    "login_unlock": gettext_lazy("de débloquer la connexion de %(target)s"),
    "factors_reset": gettext_lazy("de réinitialiser les seconds facteurs de %(target)s"),
    "admin_role": gettext_lazy("de faire de %(target)s un administrateur actif de l’entreprise"),
    "account_reactivation": gettext_lazy(
        "de réactiver le compte de %(target)s, qui détient des droits engageant des fonds"
    ),
    "member_reactivation": gettext_lazy(
        "de rétablir l’accès de %(target)s, qui détient les droits %(rights)s"
    ),
}


SOME_CHANGE = gettext_lazy("une modification de %(target)s")


def kind_of(action: str) -> Kind:
    return SENTENCES[action].kind


def actions_of(kind: Kind | str) -> list[str]:
    return [action for action, phrase in SENTENCES.items() if phrase.kind == kind]


def kind_filter(kind: Kind | str) -> Q:
    """The journal's filter by kind; support's filter also catches any act of a staff account."""
    q = Q(action__in=actions_of(kind))
    return q | Q(actor__is_staff=True) if kind == Kind.SUPPORT else q


def initials(first_name: str, last_name: str, email: str) -> str:
    parts = [part for part in (first_name, last_name) if part.strip()]
    if not parts:
        return email[:1].upper() + "."
    return " ".join(part.strip()[0].upper() + "." for part in parts)


def actor_name(event: AuditEvent) -> str:
    """Who acted: a person's name, support as the bank with initials, or the portal itself."""
    user = event.actor
    if user is None:
        return event.actor_email or _("Le portail")
    if user.is_staff:
        return _("Le support de la banque (%(initials)s)") % {
            "initials": initials(user.first_name, user.last_name, user.email)
        }
    return user.get_full_name() or user.email


def is_support(event: AuditEvent) -> bool:
    return event.actor is not None and event.actor.is_staff


def shown_ip(event: AuditEvent) -> str:
    """Where the person acted from; the bank's own addresses stay the bank's."""
    return "" if is_support(event) else event.ip_address or ""


def target_name(event: AuditEvent) -> str:
    """The person or object concerned, from what was recorded (no query): a member's name without
    the company, an invitee's name without the address."""
    if event.data.get("target_name"):
        return str(event.data["target_name"])
    text = event.target_repr
    if event.target_type == "membership":
        return text.split(" — ")[0]
    if event.target_type == "invitation":
        return text.split(" <")[0]
    return text or "—"


def rights_text(codes: Iterable[Any]) -> str:
    labels = [str(CATALOGUE[Right(code)].short_label) for code in codes if code in Right.values]
    if not labels:
        return _("aucun droit")
    if len(labels) == 1:
        return labels[0]
    return _("%(first)s et %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def _rights_of(data: dict[str, Any]) -> Any:
    for key in ("rights", "to"):
        if isinstance(data.get(key), list):
            return data[key]
    return []


def sentence(event: AuditEvent) -> str:
    """The event as one sentence in the active language, with support's reason when given."""
    phrase = SENTENCES.get(event.action)
    data = event.data if isinstance(event.data, dict) else {}
    params = {
        "actor": actor_name(event),
        "target": target_name(event),
        "rights": rights_text(_rights_of(data)),
        "added": rights_text(data.get("added") or []),
        "removed": rights_text(data.get("removed") or []),
        "redated": rights_text(data.get("redated") or []),
        "phone": str(data.get("new") or data.get("phone") or "—"),
        "iban": str(data.get("to_iban_end") or "—"),
        "version": str(data.get("version") or "—"),
        "kept": str(data.get("kept", "—")),
        "removed_members": str(data.get("removed_members", 0)),
        "removed_rights": str(data.get("removed_rights", 0)),
    }
    proposal = PROPOSALS.get(str(data.get("proposal_kind", "")), SOME_CHANGE)
    params["proposal"] = str(proposal) % params
    if phrase is None:
        text = event.get_action_display() or event.action
    else:
        text = str(phrase.text) % params
    reason = data.get("reason")
    if reason:
        return _("%(sentence)s — motif : %(reason)s") % {"sentence": text, "reason": reason}
    return text


def kind_label(action: str) -> str | Promise:
    phrase = SENTENCES.get(action)
    return phrase.kind.label if phrase else format_lazy("{}", action)
