import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from dms.crm.models import Customer, FollowUp

from .factories import customer, follow_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(distributor, dist_admin):
    c = customer(distributor, actor=dist_admin, name="华强便利店", region_code="440304", tags=["KA"])
    follow_up(c, actor=dist_admin, days_ago=2, next_in=0, summary="介绍新品", next_step="送样品")
    return c


def test_portal_list_search_filter_and_export(client, dist_admin, shop, other_distributor):
    customer(other_distributor, name="别家秘密客户")
    client.force_login(dist_admin)
    page = client.get(reverse("crm_portal:list")).content.decode()
    assert "华强便利店" in page and "别家秘密客户" not in page
    assert "华强便利店" not in client.get(reverse("crm_portal:list") + "?search=沃尔玛").content.decode()
    assert "华强便利店" in client.get(reverse("crm_portal:list") + "?search=0013 8000&follow_up=due&tag=KA",
                                    HTTP_HX_REQUEST="true").content.decode()
    export = client.get(reverse("crm_portal:list") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_portal_create_warns_on_duplicate_then_saves_when_confirmed(client, dist_admin, shop):
    client.force_login(dist_admin)
    data = {"name": "华强 便利店", "type": "store", "status": "prospect", "region_code": "", "address": "",
            "tags": "", "owner": "", "notes": "", "contacts-TOTAL_FORMS": "2", "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "王五", "contacts-0-phone": "13900000000"}
    response = client.post(reverse("crm_portal:create"), data)
    assert response.status_code == 400
    assert reverse("crm_portal:detail", args=[shop.pk]) in response.content.decode()
    assert Customer.objects.count() == 1
    response = client.post(reverse("crm_portal:create"), {**data, "allow_duplicate": "on"})
    assert response.status_code == 302 and Customer.objects.count() == 2
    created = Customer.objects.exclude(pk=shop.pk).get()
    assert created.contacts.get().name == "王五" and created.owner == dist_admin


def test_portal_edit_and_bad_contact_phone(client, dist_admin, shop):
    client.force_login(dist_admin)
    assert client.get(reverse("crm_portal:edit", args=[shop.pk])).status_code == 200
    data = {"name": "华强便利店(福田)", "type": "store", "status": "active", "region_code": "440304",
            "contacts-TOTAL_FORMS": "1", "contacts-INITIAL_FORMS": "0", "contacts-0-name": "李",
            "contacts-0-phone": "12345"}
    response = client.post(reverse("crm_portal:edit", args=[shop.pk]), data)
    assert response.status_code == 400
    shop.refresh_from_db()
    assert shop.name == "华强便利店"
    data["contacts-0-phone"] = "0755-88886666"
    assert client.post(reverse("crm_portal:edit", args=[shop.pk]), data).status_code == 302
    shop.refresh_from_db()
    assert shop.name == "华强便利店(福田)" and shop.status == "active"


def test_detail_and_htmx_follow_up(client, dist_admin, shop):
    client.force_login(dist_admin)
    page = client.get(reverse("crm_portal:detail", args=[shop.pk])).content.decode()
    assert "介绍新品" in page and "送样品" in page and "李店长" in page
    response = client.post(reverse("crm_portal:follow_up_add", args=[shop.pk]),
                           {"date": dt.date.today().isoformat(), "channel": "wechat", "summary": "微信确认订单"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "微信确认订单" in response.content.decode()
    assert "<html" not in response.content.decode()
    response = client.post(reverse("crm_portal:follow_up_add", args=[shop.pk]), {"date": "", "summary": ""},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and FollowUp.objects.count() == 2


def test_needs_on_the_page(client, dist_admin, shop):
    client.force_login(dist_admin)
    response = client.post(reverse("crm_portal:need_add", args=[shop.pk]),
                           {"need": "希望每周配送两次", "category": "delivery", "priority": "high"})
    assert response.status_code == 302
    need = shop.needs.get()
    client.post(reverse("crm_portal:need_status", args=[need.pk]), {"status": "met"})
    need.refresh_from_db()
    assert need.status == "met"
    page = client.get(reverse("crm_portal:segments")).content.decode()
    assert "Customer segments" in page or "客户" in page


def test_portal_dashboard_panel_lists_due_follow_ups(client, dist_admin, shop):
    client.force_login(dist_admin)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("crm_portal:detail", args=[shop.pk]) in page


def test_staff_see_aggregate_and_permitted_roles_the_customers(client, make_staff, channel_manager, shop):
    ops = make_staff("sales_ops", username="ops1")
    client.force_login(ops)
    page = client.get(reverse("crm:overview"))
    assert page.status_code == 200 and "华强便利店" not in page.content.decode()
    assert client.get(reverse("crm:list")).status_code == 403
    assert client.get(reverse("crm:detail", args=[shop.pk])).status_code == 403
    client.force_login(channel_manager)
    assert "华强便利店" in client.get(reverse("crm:list")).content.decode()
    page = client.get(reverse("crm:detail", args=[shop.pk])).content.decode()
    assert "介绍新品" in page and reverse("crm_portal:edit", args=[shop.pk]) not in page
    assert client.get(reverse("crm:list") + "?export=xlsx").status_code == 200
    assert client.get(reverse("backoffice:dashboard")).status_code == 200


def test_the_detail_permission_can_be_granted_to_another_role(client, make_staff, shop):
    ops = make_staff("sales_ops", username="ops2")
    Group.objects.get(name="sales_ops").permissions.add(Permission.objects.get(codename="view_customer_detail"))
    client.force_login(ops)
    assert "华强便利店" in client.get(reverse("crm:list")).content.decode()


def test_other_channel_manager_and_distributor_get_404(client, shop, other_distributor, other_dist_admin):
    client.force_login(other_distributor.channel_manager)
    assert client.get(reverse("crm:detail", args=[shop.pk])).status_code == 404
    assert "华强便利店" not in client.get(reverse("crm:list")).content.decode()
    client.force_login(other_dist_admin)
    assert client.get(reverse("crm_portal:detail", args=[shop.pk])).status_code == 404
    assert client.post(reverse("crm_portal:follow_up_add", args=[shop.pk]), {}).status_code == 404
