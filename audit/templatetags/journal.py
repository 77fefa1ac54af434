from typing import Any

from django import template

from audit.journal import member_timeline
from audit.sentences import sentence, shown_ip
from companies.models import Company, Membership

register = template.Library()


@register.inclusion_tag("audit/_timeline.html")
def timeline(company: Company, member: Membership) -> dict[str, Any]:
    """A member's latest events on their page, with the link to the whole journal for them."""
    events = member_timeline(company=company, membership=member)
    return {
        "company": company,
        "member": member,
        "rows": [(event, sentence(event), shown_ip(event)) for event in events],
    }
