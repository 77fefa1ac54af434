from django.utils import timezone

from portal.queueing import mail_task
from teams import services


@mail_task
def notify_member_of_rights(*, change_id: int) -> bool:
    return services.rights_change_notify_member(change_id=change_id, now=timezone.now())


@mail_task
def notify_admins_of_money_rights(*, change_id: int) -> int:
    return services.rights_change_notify_admins(change_id=change_id, now=timezone.now())
