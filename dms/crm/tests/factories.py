import datetime as dt

from dms.crm import services


def customer(distributor, *, actor=None, name="华强便利店", phone="13800138000", **kwargs):
    contacts = [{"name": "李店长", "phone": phone}] if phone else []
    return services.create_customer(distributor_id=distributor.pk, actor=actor, name=name, contacts=contacts,
                                    allow_duplicate=kwargs.pop("allow_duplicate", False), **kwargs)


def follow_up(c, *, actor=None, days_ago=0, next_in=None, **kwargs):
    today = dt.date.today()
    return services.add_follow_up(
        customer_id=c.pk, actor=actor, date=today - dt.timedelta(days=days_ago),
        channel=kwargs.pop("channel", "phone"), summary=kwargs.pop("summary", "电话沟通新品"),
        next_date=None if next_in is None else today + dt.timedelta(days=next_in), **kwargs)
