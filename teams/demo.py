"""A large demo team for `make run` (`manage.py load_demo --members 1000`): enough people to try
the search, filters, sort and pages of Mes équipes and of the access review.

Deterministic and idempotent: member n is always the same person (a French name, accents
included), with the same role, status, rights, arrival and last login; running it again with
the same number puts them back, with another number adds or removes the generated members only.
Everything is written in bulk (a few queries whatever the number) and the password is hashed
once for all of them.
"""

import datetime
import unicodedata

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from companies.models import Company, Membership, MembershipStatus, Role
from permissions.catalogue import Right
from permissions.models import Grant

# the generated people's addresses: nothing else uses this domain
EMAIL_DOMAIN = "membres.demo.example"

FIRST_NAMES = (
    "Hélène", "Zoé", "Jérôme", "Françoise", "Loïc", "Anaïs", "Noël", "Maëlle", "Raphaël",
    "Agnès", "Cécile", "Élodie", "Benoît", "Gaëlle", "Jérémie", "Léa", "Thomas", "Inès",
    "Éric", "Chloé", "Mathieu", "Célia", "Rémi", "Sébastien", "Amélie", "Hugo", "Camille",
    "Gérald", "Nadège", "Ludovic", "Sophie", "Yannick", "Bérénice", "Karim", "Aurélie", "Joël",
)  # fmt: skip
LAST_NAMES = (
    "Lefèvre", "Bérenger", "Dupré", "Gérard", "Martin", "Moreau", "Rousseau", "Lemaître",
    "Fournier", "Girard", "Mercier", "Faure", "Bénard", "Chevalier", "Lambert", "Boucher",
    "Lacroix", "Barbier", "Duchêne", "Perrin", "Renaud", "Brunet", "Gauthier", "Leclère",
    "Daubié", "Noël", "Ménard", "Aubert", "Robin", "Hoarau", "Ngô", "Benali", "O’Connor",
    "Le Goff", "Müller", "Caron", "Lévêque",
)  # fmt: skip


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def member_email(number: int) -> str:
    first, last = _name(number)
    return f"{_ascii(first)}.{_ascii(last)}.{number:04d}@{EMAIL_DOMAIN}"


def _name(number: int) -> tuple[str, str]:
    # 36 and 37 have no common factor: every pair of names comes once in 1,332 people
    return FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]


def _role(number: int) -> Role:
    return Role.ADMIN if number % 37 == 0 else Role.COLLABORATOR


def _status(number: int) -> MembershipStatus:
    return MembershipStatus.SUSPENDED if number % 11 == 0 else MembershipStatus.ACTIVE


def _rights(number: int) -> list[str]:
    if _role(number) == Role.ADMIN or number % 13 == 0:
        return []
    every = {
        Right.DOCUMENTS: 1,
        Right.TREASURY: 3,
        Right.COMPANY_REQUESTS: 4,
        Right.FUND_OPERATIONS: 7,
        Right.BANK_DETAILS: 10,
        Right.EARLY_BUYOUT: 15,
    }
    return [right.value for right, step in every.items() if number % step == 0]


def _last_login(number: int, now: datetime.datetime) -> datetime.datetime | None:
    if number % 6 == 0:
        return None  # never came
    return now - datetime.timedelta(hours=number * 7 % (24 * 120))


def _joined(number: int, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=number * 3 % 900, minutes=number)


@transaction.atomic
def load_demo_members(*, company: Company, count: int, password_hash: str) -> int:
    """Exactly `count` generated members in the company (numbered 1 to `count`); the number of
    memberships it created."""
    now = timezone.now()
    numbers = range(1, count + 1)
    emails = {member_email(n): n for n in numbers}
    generated = Membership.objects.filter(company=company, user__email__endswith=f"@{EMAIL_DOMAIN}")
    generated.exclude(user__email__in=list(emails)).delete()

    existing = dict(User.objects.filter(email__in=list(emails)).values_list("email", "pk"))
    User.objects.bulk_create(
        [
            User(
                email=email,
                first_name=_name(n)[0],
                last_name=_name(n)[1],
                password=password_hash,
                last_login=_last_login(n, now),
            )
            for email, n in emails.items()
            if email not in existing
        ],
        batch_size=500,
    )
    users = list(User.objects.filter(email__in=list(emails)).only("pk", "email"))
    for user in users:
        number = emails[user.email]
        user.first_name, user.last_name = _name(number)
        user.password = password_hash
        user.last_login = _last_login(number, now)
        user.is_active = True
    User.objects.bulk_update(
        users, ["first_name", "last_name", "password", "last_login", "is_active"], batch_size=500
    )

    held = set(generated.values_list("user_id", flat=True))
    created = Membership.objects.bulk_create(
        [Membership(user=user, company=company) for user in users if user.pk not in held],
        batch_size=500,
    )
    members = list(generated.select_related("user").only("pk", "user__email"))
    for member in members:
        number = emails[member.user.email]
        member.role = _role(number)
        member.status = _status(number)
        member.created_at = _joined(number, now)  # bulk_update skips auto_now_add
    Membership.objects.bulk_update(members, ["role", "status", "created_at"], batch_size=500)

    Grant.objects.filter(membership__in=generated).delete()
    Grant.objects.bulk_create(
        [
            Grant(membership=member, right=right)
            for member in members
            for right in _rights(emails[member.user.email])
        ],
        batch_size=1000,
    )
    return len(created)
