from celery import shared_task
from django.utils import timezone

from programmes.models import Region

from .services import region_thin


@shared_task
def thin_all_regions():
    """Each region's retention rules, applied once a night."""
    on = timezone.localdate()
    return [region_thin(region=region, on=on).pk for region in Region.objects.all()]
