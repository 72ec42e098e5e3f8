"""Factories shared by every app's tests."""

import random
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from dms.accounts.models import ApiToken, User
from dms.distributors.models import Contract, Distributor, Qualification, Tier
from dms.distributors.validators import USCC_ALPHABET, uscc_check_char


def make_credit_code(seed: int | None = None) -> str:
    rnd = random.Random(seed)
    head = "91" + "".join(rnd.choice("0123456789") for _ in range(6))
    body = "".join(rnd.choice(USCC_ALPHABET) for _ in range(9))
    first17 = head + body
    return first17 + uscc_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "Secret-pass-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))
        if create:
            self.save()


def tier(level: int) -> Tier:
    return Tier.objects.get(level=level)


class DistributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distributor

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"测试经销商{n}")
    credit_code = factory.Sequence(lambda n: make_credit_code(n + 1000))
    tier = factory.LazyFunction(lambda: tier(1))
    region_code = "440305"
    status = Distributor.Status.ACTIVE


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    distributor = factory.SubFactory(DistributorFactory)
    type = Qualification.Type.BUSINESS_LICENCE
    number = factory.Sequence(lambda n: f"Q{n:06d}")
    verification_status = Qualification.Verification.VERIFIED


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    distributor = factory.SubFactory(DistributorFactory)
    number = factory.Sequence(lambda n: f"HT-T{n:05d}")
    status = Contract.Status.ACTIVE


def portal_user(distributor, role="distributor_admin", **kwargs) -> User:
    return UserFactory(distributor=distributor, roles=[role], **kwargs)


def bearer(user) -> dict:
    """Headers for the Django test client / DRF APIClient."""
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user)}"}


# --- catalog, inventory, orders ------------------------------------------------------

class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "catalog.Product"

    sku = factory.Sequence(lambda n: f"SKU{n:05d}")
    name = factory.Sequence(lambda n: f"产品{n}")
    unit = "箱"
    base_price = Decimal("100.00")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.Warehouse"

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.Sequence(lambda n: f"仓库{n}")
    is_default = False


def default_warehouse():
    from dms.inventory.models import Warehouse

    return Warehouse.objects.filter(is_default=True).first() or WarehouseFactory(is_default=True)


def stock(product, quantity: int, warehouse=None):
    """Receive ``quantity`` of ``product`` through the ledger."""
    from dms.inventory.services import record_receipt

    warehouse = warehouse or default_warehouse()
    record_receipt(warehouse=warehouse, lines={product.pk: quantity})
    return warehouse
