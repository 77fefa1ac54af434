"""What a challenge keeps of the signed content and of the phone: a digest and a masked number."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import phonenumbers
from phonenumber_field.phonenumber import PhoneNumber


def payload_digest(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def mask_phone(number: PhoneNumber | str) -> str:
    """+33612345642 -> "+33 6 •• •• •• 42": enough to recognise one's phone, not to call it."""
    parsed = phonenumbers.parse(str(number), None)
    national = phonenumbers.national_significant_number(parsed)
    hidden = " ".join("••" for _ in range(max((len(national) - 3) // 2, 1)))
    return f"+{parsed.country_code} {national[0]} {hidden} {national[-2:]}"
