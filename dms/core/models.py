from django.db import models, transaction
from django.db.models import F


class Sequence(models.Model):
    """Named counters for human-readable numbers (distributor codes, contract numbers).

    Incremented with a conditional UPDATE, so concurrent callers never get the same value.
    """

    name = models.CharField(max_length=64, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.value}"


def next_value(name: str) -> int:
    with transaction.atomic():
        Sequence.objects.get_or_create(name=name)
        Sequence.objects.filter(name=name).update(value=F("value") + 1)
        return Sequence.objects.values_list("value", flat=True).get(name=name)
