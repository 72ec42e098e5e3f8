"""Template helpers for the portal's ordering pages."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from dms.core.templatetags.dms import money

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_lines(context):
    """How many lines the user's cart holds (the navigation badge); "" when empty."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.distributor_id:
        return ""
    if not hasattr(request, "_cart_lines"):  # one query per request, however often the badge is drawn
        from dms.portal.views_orders import cart_line_count

        request._cart_lines = cart_line_count(user) or ""
    return request._cart_lines


@register.filter
def promotion_rule(promotion) -> str:
    """"10% off", "¥8.00 each", "buy 10 get 1 free" — what the promotion gives."""
    rule = promotion.Rule
    if promotion.rule == rule.PERCENT_OFF:
        value = format(promotion.value, "f")
        value = value.rstrip("0").rstrip(".") if "." in value else value
        return _("%(value)s%% off") % {"value": value}
    if promotion.rule == rule.FIXED_PRICE:
        return _("%(price)s each") % {"price": money(promotion.value)}
    if promotion.rule == rule.BUY_N_GET_M:
        return _("buy %(n)s get %(m)s free") % {"n": promotion.buy_quantity, "m": promotion.free_quantity}
    return promotion.get_rule_display()


@register.filter
def local_date(value):
    return timezone.localtime(value).date() if value else ""


@register.filter
def order_status_label(value) -> str:
    from dms.orders.models import Order

    try:
        return Order.Status(value).label
    except ValueError:
        return value


@register.filter
def actor_label(user) -> str:
    """Who did it, as the distributor should read it: its own people by name, the brand's
    staff as "the brand", jobs as "the system"."""
    if user is None:
        return _("System")
    if user.distributor_id:
        return user.get_full_name() or user.username
    return _("Brand")
