from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def days_until(day) -> int:
    """Days from today (local) to ``day``; negative when it has passed."""
    return (day - timezone.localdate()).days if day else 0
