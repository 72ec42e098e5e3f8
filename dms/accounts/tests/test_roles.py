import pytest
from django.contrib.auth.models import Group

from dms.accounts.roles import ROLE_PERMISSIONS, Role, sync_roles
from dms.core.testing.factories import UserFactory


def perms_of(group):
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
def test_the_migration_created_every_role_with_exactly_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)
    for role, perms in ROLE_PERMISSIONS.items():
        assert perms_of(Group.objects.get(name=role)) == set(perms), role


@pytest.mark.django_db
def test_sync_repairs_a_group_changed_by_hand():
    group = Group.objects.get(name=Role.WAREHOUSE)
    group.permissions.clear()
    sync_roles()
    assert perms_of(group) == set(ROLE_PERMISSIONS[Role.WAREHOUSE])


@pytest.mark.django_db
@pytest.mark.parametrize("role, perm, allowed", [
    (Role.ADMIN, "distributors.final_review_distributor", True),
    (Role.CHANNEL_MANAGER, "distributors.final_review_distributor", False),
    (Role.CHANNEL_MANAGER, "distributors.review_distributor", True),
    (Role.SALES_OPS, "distributors.import_distributor", True),
    (Role.FINANCE, "distributors.add_distributor", False),
    (Role.WAREHOUSE, "distributors.view_contract", False),
    (Role.DISTRIBUTOR_ADMIN, "accounts.manage_portal_users", True),
    (Role.DISTRIBUTOR_STAFF, "accounts.manage_portal_users", False),
])
def test_role_permissions(role, perm, allowed):
    assert UserFactory(roles=[role]).has_perm(perm) is allowed
