"""Background work: the birthday campaign's monthly selection."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from personalization.preferences.selectors import birthday_customers
from shopapp.shops.models import InstallState, Shop


@shared_task(
    name="personalization.preferences.tasks.birthday_customers_select",
    time_limit=300,
    soft_time_limit=280,
)
def birthday_customers_select(shop_id: int, month: int | None = None) -> list[int]:
    """Ids of the shop's customers to send the birthday offer to this month (or `month`).

    The campaigns code sends the email; this is the selection it calls or schedules: customers
    with a stated birthday in the month who chose email and still accept marketing."""
    shop = Shop.objects.filter(pk=shop_id, install_state=InstallState.INSTALLED).first()
    if shop is None:
        return []
    chosen_month = month or timezone.localdate().month
    return [customer.pk for customer in birthday_customers(shop=shop, month=chosen_month)]
