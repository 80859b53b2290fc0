"""The periodic scan for due behavioural messages: one task per shop, on the messaging queue."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from personalization.campaigns.models import Campaign, CampaignStatus, Placement
from personalization.messaging.services import messages_due_send
from shopapp.shops.models import InstallState, Shop


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def messages_scan_all() -> int:
    """Fan out: every installed (or demo) shop with a live email campaign gets its own scan."""
    shop_ids = set(
        Campaign.objects.filter(status=CampaignStatus.ACTIVE, placement=Placement.EMAIL)
        .values_list("shop_id", flat=True)
        .distinct()
    )
    for shop_id in shop_ids:
        messages_scan_shop.delay(shop_id)
    return len(shop_ids)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def messages_scan_shop(shop_id: int) -> int:
    shop = Shop.objects.filter(pk=shop_id).first()
    if shop is None or (shop.install_state != InstallState.INSTALLED and not shop.is_demo):
        return 0
    return messages_due_send(shop=shop, now=timezone.now()).sent
