"""Back-office distributor pages: list, export, create/edit, 360° page, lifecycle
actions, contacts, portal users and the Excel import."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dms.accounts.models import User
from dms.audit.models import AuditLog
from dms.core.testing.factories import (
    ContractFactory,
    DistributorFactory,
    QualificationFactory,
    make_credit_code,
    portal_user,
    tier,
)
from dms.distributors import services
from dms.distributors.importer import import_distributors, match_header
from dms.distributors.models import Contact, Distributor, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the page text in English (the source language)."""
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        yield

LIST = reverse("distributors:list")
CREATE = reverse("distributors:create")
IMPORT = reverse("distributors:import")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def names(response):
    return [d.name for d in response.context["page_obj"].object_list]


def xlsx_rows(response):
    wb = load_workbook(BytesIO(response.content))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


# --- list ----------------------------------------------------------------------------


def test_list_filters_by_status_tier_province_manager_tag_and_flag(admin_client, channel_manager):
    a = DistributorFactory(name="Alpha", region_code="440305", channel_manager=channel_manager)
    b = DistributorFactory(name="Beta", region_code="110105", status=Distributor.Status.SUSPENDED)
    c = DistributorFactory(name="Gamma", tier=tier(2), parent=a, region_code="440106", qualification_flag=True)
    tag = Tag.objects.create(name="KA")
    b.tags.add(tag)

    assert sorted(names(admin_client.get(LIST))) == ["Alpha", "Beta", "Gamma"]
    assert names(admin_client.get(LIST, {"status": "suspended"})) == ["Beta"]
    assert names(admin_client.get(LIST, {"tier": 2})) == ["Gamma"]
    assert sorted(names(admin_client.get(LIST, {"province": "44"}))) == ["Alpha", "Gamma"]
    assert names(admin_client.get(LIST, {"channel_manager": channel_manager.pk})) == ["Alpha"]
    assert names(admin_client.get(LIST, {"tag": "KA"})) == ["Beta"]
    assert names(admin_client.get(LIST, {"flagged": "true"})) == ["Gamma"]
    assert c.pk  # used above


def test_list_search_matches_code_credit_code_and_contact(admin_client):
    a = DistributorFactory(name="Alpha")
    DistributorFactory(name="Beta")
    Contact.objects.create(distributor=a, name="王小明", phone="13800138000", is_primary=True)
    assert names(admin_client.get(LIST, {"search": "王小"})) == ["Alpha"]
    assert names(admin_client.get(LIST, {"search": a.credit_code[:10]})) == ["Alpha"]
    assert names(admin_client.get(LIST, {"search": a.code})) == ["Alpha"]


def test_list_sorts_both_ways(admin_client):
    for name in ["Mango", "Apple", "Zucchini"]:
        DistributorFactory(name=name)
    assert names(admin_client.get(LIST, {"sort": "name"})) == ["Apple", "Mango", "Zucchini"]
    assert names(admin_client.get(LIST, {"sort": "-name"})) == ["Zucchini", "Mango", "Apple"]


def test_list_paginates_and_shows_empty_state(admin_client):
    response = admin_client.get(LIST)
    assert "No distributors yet." in response.content.decode()
    DistributorFactory.create_batch(23)
    page2 = admin_client.get(LIST, {"page": 2})
    assert len(page2.context["page_obj"].object_list) == 3
    assert "No distributor matches" in admin_client.get(LIST, {"search": "nothing-like-this"}).content.decode()


def test_list_htmx_returns_only_the_results(admin_client):
    DistributorFactory(name="Alpha")
    response = admin_client.get(LIST + "?search=Alp&status=&tier=", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response["HX-Push-Url"] == LIST + "?search=Alp"
    assert "Alpha" in body
    assert "<aside" not in body and 'id="filters"' not in body
    assert 'hx-swap-oob="true"' in body  # the export link follows the filters


def test_list_query_count_does_not_grow_with_rows(admin_client, channel_manager, django_assert_num_queries):
    def add(n):
        for i in range(n):
            d = DistributorFactory(channel_manager=channel_manager)
            Contact.objects.create(distributor=d, name=f"c{i}", is_primary=True)
            d.tags.add(Tag.objects.get_or_create(name=f"t{i % 3}")[0])

    add(2)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(LIST)
    add(15)
    with django_assert_num_queries(len(few.captured_queries)):
        admin_client.get(LIST)


def test_export_uses_filters_and_escapes_formulas(admin_client):
    a = DistributorFactory(name="=HYPERLINK(\"http://evil\")", region_code="440305")
    Contact.objects.create(distributor=a, name="张三", phone="13800138000", email="z@example.com", is_primary=True)
    a.tags.add(Tag.objects.create(name="KA"))
    DistributorFactory(name="Other", status=Distributor.Status.SUSPENDED)

    response = admin_client.get(LIST, {"export": "xlsx", "status": "active"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response)
    assert len(rows) == 2  # header + the one active distributor
    header, row = rows
    assert len(header) == 16
    assert row[0] == a.code
    assert row[1] == "'=HYPERLINK(\"http://evil\")"
    assert row[3] == a.credit_code
    assert "深圳" in row[6]
    assert row[10:14] == ["张三", "13800138000", "z@example.com", "KA"]


def test_channel_manager_sees_only_his_distributors(client, distributor, other_distributor, channel_manager):
    client.force_login(channel_manager)
    assert names(client.get(LIST)) == [distributor.name]
    rows = xlsx_rows(client.get(LIST, {"export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [distributor.code]
    assert client.get(reverse("distributors:detail", args=[other_distributor.pk])).status_code == 404
    assert client.get(reverse("distributors:edit", args=[other_distributor.pk])).status_code == 404


@pytest.mark.parametrize("name,args", [
    ("distributors:list", []), ("distributors:create", []), ("distributors:import", []),
    ("distributors:detail", ["own"]), ("distributors:edit", ["own"]),
])
def test_distributor_user_gets_404(client, dist_admin, distributor, name, args):
    client.force_login(dist_admin)
    url = reverse(name, args=[distributor.pk] if args else [])
    assert client.get(url).status_code == 404


def test_warehouse_cannot_create_or_import(client, make_staff):
    client.force_login(make_staff("warehouse"))
    assert client.get(LIST).status_code == 200
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"name": "x"}).status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert Distributor.objects.count() == 0


# --- create / edit -------------------------------------------------------------------


def form_data(**overrides):
    data = {
        "name": "深圳新经销", "legal_name": "深圳新经销有限公司", "credit_code": make_credit_code(7),
        "tier": tier(1).pk, "parent": "", "region_code": "440305", "sales_territory": "华南", "address": "科技园",
        "bank_name": "", "bank_account": "", "channel_manager": "", "tags": "KA， 华南,KA",
        "contact_name": "李四", "contact_phone": "13900139000", "contact_email": "li@example.com",
    }
    data.update(overrides)
    return data


def test_create_distributor_with_primary_contact_and_tags(admin_client, channel_manager):
    response = admin_client.post(CREATE, form_data(channel_manager=channel_manager.pk))
    d = Distributor.objects.get(name="深圳新经销")
    assert response.status_code == 302 and response.url == reverse("distributors:detail", args=[d.pk])
    assert d.status == Distributor.Status.PROSPECT
    assert d.region_code == "440305" and d.channel_manager == channel_manager
    assert sorted(t.name for t in d.tags.all()) == ["KA", "华南"]
    contact = d.contacts.get()
    assert contact.is_primary and contact.phone == "13900139000"


def test_create_with_invalid_credit_code_shows_error_and_creates_nothing(admin_client):
    code = make_credit_code(7)
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    response = admin_client.post(CREATE, form_data(credit_code=bad))
    assert response.status_code == 200
    errors = response.context["form"].errors["credit_code"]
    assert "check character" in errors[0]
    assert "check character" in response.content.decode()
    assert Distributor.objects.count() == 0
    assert Contact.objects.count() == 0


def test_create_with_duplicate_credit_code_is_refused(admin_client, distributor):
    response = admin_client.post(CREATE, form_data(credit_code=distributor.credit_code))
    assert response.status_code == 200
    assert "credit_code" in response.context["form"].errors
    assert Distributor.objects.count() == 1


def test_second_tier_needs_a_higher_tier_parent(admin_client, distributor):
    level2 = DistributorFactory(tier=tier(2), parent=distributor)
    response = admin_client.post(CREATE, form_data(tier=tier(2).pk))
    assert "parent" in response.context["form"].errors
    # a tier-2 distributor is not offered as a parent
    parents = list(response.context["form"].fields["parent"].queryset)
    assert distributor in parents and level2 not in parents
    response = admin_client.post(CREATE, form_data(tier=tier(2).pk, parent=distributor.pk))
    assert response.status_code == 302
    assert Distributor.objects.get(name="深圳新经销").parent == distributor


def test_create_form_offers_region_picker_and_channel_managers(admin_client, channel_manager, make_staff):
    make_staff("finance", username="fin")
    body = admin_client.get(CREATE).content.decode()
    assert 'data-region-level="0"' in body and 'data-region-value' in body
    form = admin_client.get(CREATE).context["form"]
    assert list(form.fields["channel_manager"].queryset) == [channel_manager]


def test_edit_updates_fields_and_tags(admin_client, distributor):
    url = reverse("distributors:edit", args=[distributor.pk])
    form = admin_client.get(url).context["form"]
    assert form.initial["name"] == distributor.name
    data = form_data(name="Renamed", credit_code=distributor.credit_code, tags="VIP", region_code="110105")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    distributor.refresh_from_db()
    assert distributor.name == "Renamed" and distributor.region_code == "110105"
    assert [t.name for t in distributor.tags.all()] == ["VIP"]


# --- 360 page ------------------------------------------------------------------------


def test_360_page_shows_contacts_qualifications_contracts_and_timeline(admin_client, channel_manager, make_staff):
    d = services.create_distributor(
        name="全景经销", credit_code=make_credit_code(99), tier=tier(1), region_code="440305",
        channel_manager=channel_manager, contacts=[{"name": "赵六", "phone": "13700137000"}],
    )
    new_manager = make_staff("channel_manager", username="cm_new")
    services.update_distributor(distributor_id=d.pk, sales_territory="华东大区", channel_manager=new_manager)
    QualificationFactory(distributor=d, number="LIC-778899", valid_to="2001-01-01")
    ContractFactory(distributor=d, number="HT-360-1", start_date="2024-01-01", end_date="2024-12-31")
    portal_user(d, "distributor_staff", username="quanjing_staff")

    response = admin_client.get(reverse("distributors:detail", args=[d.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert d.code in body and "全景经销" in body and "广东省 深圳市 南山区" in body
    assert "赵六" in body and "Primary" in body
    assert "LIC-778899" in body and "row-expired" in body
    assert reverse("distributors:qualification_create", args=[d.pk]) in body
    assert "HT-360-1" in body and reverse("distributors:contract_create", args=[d.pk]) in body
    assert "quanjing_staff" in body
    # the timeline: the territory change, before → after
    assert "华东大区" in body
    timeline = response.context["timeline"]
    logs = [item["log"] for item in timeline]
    assert logs == sorted(logs, key=lambda log: log.created_at, reverse=True)  # newest first
    update = next(item for item in timeline if item["log"].action == AuditLog.Action.UPDATE)
    assert {"field": "sales territory", "before": "—", "after": "华东大区"} in update["changes"]
    assert {"field": "channel manager", "before": "cm1", "after": "cm_new"} in update["changes"]
    assert {"Contact", "Qualification", "Contract"} <= {item["record_type"].capitalize() for item in timeline}
    # allowed actions for a prospect
    assert response.context["actions"] == ["submit", "terminate"]


def test_360_timeline_more_loads_older_entries(admin_client, distributor):
    for i in range(20):
        services.update_distributor(distributor_id=distributor.pk, address=f"addr {i}")
    url = reverse("distributors:detail", args=[distributor.pk])
    first = admin_client.get(url)
    assert len(first.context["timeline"]) == 15
    assert "timeline_page=2" in first.content.decode()
    more = admin_client.get(url, {"timeline_page": 2}, HTTP_HX_REQUEST="true")
    body = more.content.decode()
    assert "addr 0" in body and "<aside" not in body


def test_warehouse_sees_no_documents_or_timeline(client, make_staff, distributor):
    client.force_login(make_staff("warehouse"))
    response = client.get(reverse("distributors:detail", args=[distributor.pk]))
    assert response.status_code == 200
    assert "qualifications" not in response.context and not response.context["can_audit"]
    assert response.context["portal_users"] is None
    assert response.context["actions"] == []


# --- transitions ---------------------------------------------------------------------


def transition(client, d, action, **data):
    return client.post(reverse("distributors:transition", args=[d.pk, action]), data, follow=True)


def test_submit_suspend_reactivate_terminate(admin_client, distributor):
    prospect = DistributorFactory(status=Distributor.Status.PROSPECT)
    transition(admin_client, prospect, "submit")
    prospect.refresh_from_db()
    assert prospect.status == Distributor.Status.PENDING_REVIEW
    assert prospect.reviews.count() == 1

    response = transition(admin_client, distributor, "suspend", reason="overdue payments")
    distributor.refresh_from_db()
    assert distributor.status == Distributor.Status.SUSPENDED and distributor.status_reason == "overdue payments"
    assert "suspended" in response.content.decode()

    transition(admin_client, distributor, "reactivate")
    distributor.refresh_from_db()
    assert distributor.status == Distributor.Status.ACTIVE

    transition(admin_client, distributor, "terminate", reason="contract ended")
    distributor.refresh_from_db()
    assert distributor.status == Distributor.Status.TERMINATED


def test_refused_transition_shows_message_and_changes_nothing(admin_client, distributor):
    distributor.status = Distributor.Status.TERMINATED
    distributor.save()
    response = transition(admin_client, distributor, "reactivate")
    distributor.refresh_from_db()
    assert distributor.status == Distributor.Status.TERMINATED
    messages = [str(m) for m in response.context["messages"]]
    assert any("Cannot change status" in m for m in messages)


def test_suspend_needs_a_reason(admin_client, distributor):
    response = transition(admin_client, distributor, "suspend", reason="  ")
    distributor.refresh_from_db()
    assert distributor.status == Distributor.Status.ACTIVE
    assert any("reason" in str(m) for m in response.context["messages"])


def test_transition_permissions(client, channel_manager, distributor):
    client.force_login(channel_manager)  # may submit, may not suspend
    url = reverse("distributors:transition", args=[distributor.pk, "suspend"])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert client.get(url).status_code == 405
    assert client.post(reverse("distributors:transition", args=[distributor.pk, "explode"])).status_code == 404
    distributor.refresh_from_db()
    assert distributor.status == Distributor.Status.ACTIVE


# --- contacts and portal users -------------------------------------------------------


def test_contact_add_edit_delete(admin_client, distributor):
    add = reverse("distributors:contact_create", args=[distributor.pk])
    admin_client.post(add, {"name": "First", "phone": "13800138000"})
    admin_client.post(add, {"name": "Second", "email": "s@example.com", "is_primary": "on"})
    first, second = Contact.objects.get(name="First"), Contact.objects.get(name="Second")
    assert second.is_primary and not first.is_primary

    response = admin_client.post(reverse("distributors:contact_edit", args=[first.pk]),
                                 {"name": "First", "phone": "12345"})
    assert "phone" in response.context["form"].errors

    response = admin_client.post(reverse("distributors:contact_delete", args=[second.pk]), follow=True)
    assert Contact.objects.filter(pk=second.pk).exists()  # the primary of two cannot go
    assert any("primary" in str(m) for m in response.context["messages"])
    admin_client.post(reverse("distributors:contact_delete", args=[first.pk]))
    assert not Contact.objects.filter(pk=first.pk).exists()


def test_contact_of_another_managers_distributor_is_404(client, channel_manager, other_distributor):
    contact = Contact.objects.create(distributor=other_distributor, name="x", is_primary=True)
    client.force_login(channel_manager)
    assert client.get(reverse("distributors:contact_edit", args=[contact.pk])).status_code == 404
    assert client.post(reverse("distributors:contact_delete", args=[contact.pk])).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_portal_user_create_and_toggle(client, channel_manager, distributor, mailoutbox,
                                      django_capture_on_commit_callbacks):
    client.force_login(channel_manager)
    url = reverse("distributors:user_create", args=[distributor.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"username": "shop_clerk", "email": "clerk@example.com",
                                     "role": "distributor_staff", "password": ""})
    assert response.status_code == 302
    user = User.objects.get(username="shop_clerk")
    assert user.distributor == distributor and user.role_names == {"distributor_staff"}
    assert not user.has_usable_password()
    assert mailoutbox and mailoutbox[0].to == ["clerk@example.com"]

    response = client.post(url, {"username": "SHOP_CLERK", "role": "distributor_staff"})
    assert "username" in response.context["form"].errors

    toggle = reverse("distributors:user_toggle", args=[user.pk])
    client.post(toggle, {"active": "0"})
    user.refresh_from_db()
    assert not user.is_active
    client.post(toggle, {"active": "1"})
    user.refresh_from_db()
    assert user.is_active


def test_portal_user_toggle_outside_scope_is_404(client, channel_manager, other_dist_admin):
    client.force_login(channel_manager)
    response = client.post(reverse("distributors:user_toggle", args=[other_dist_admin.pk]), {"active": "0"})
    assert response.status_code == 404
    other_dist_admin.refresh_from_db()
    assert other_dist_admin.is_active


# --- import --------------------------------------------------------------------------


def xlsx_upload(headers, rows, name="import.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


ZH = ["名称", "法定名称", "统一社会信用代码", "级别", "上级经销商编码", "地区", "销售区域", "地址", "渠道经理用户名",
      "联系人", "电话", "邮箱", "标签"]


def test_import_good_rows_creates_all(admin_client, channel_manager, distributor):
    rows = [
        ["华南一号", "", make_credit_code(501), 1, "", "广东省 深圳市 南山区", "华南", "路1号", "cm1", "张三",
         13800138000, "z@example.com", "KA, 华南"],
        ["华南二号", "", make_credit_code(502), 2, distributor.code, "广东省 广州市", "", "", "", "", "", "", ""],
    ]
    response = admin_client.post(IMPORT, {"file": xlsx_upload(ZH, rows)}, follow=True)
    assert any("2 distributors imported" in str(m) for m in response.context["messages"])
    one = Distributor.objects.get(name="华南一号")
    two = Distributor.objects.get(name="华南二号")
    assert one.region_code == "440305" and one.channel_manager == channel_manager
    assert one.contacts.get().phone == "13800138000"
    assert sorted(t.name for t in one.tags.all()) == ["KA", "华南"]
    assert two.parent == distributor and two.tier.level == 2 and two.region_code.startswith("4401")


def test_import_accepts_english_headers(admin_user):
    rows = [{"Name": "English Co", "Credit code": make_credit_code(601), "Tier": 1, "Region": "北京市 朝阳区",
             "_row": 2}]
    result = import_distributors(rows, actor=admin_user)
    assert result.ok, result.errors
    assert Distributor.objects.get(name="English Co").region_code == "110105"


def test_import_with_bad_rows_imports_nothing_and_reports_rows(admin_client, distributor):
    good = make_credit_code(701)
    rows = [
        ["好的", "", good, 1, "", "广东省 深圳市 南山区", "", "", "", "", "", "", ""],  # row 2: fine
        ["坏码", "", good[:17] + ("0" if good[17] != "0" else "1"), 1, "", "", "", "", "", "", "", "", ""],  # 3
        ["重复", "", good, 1, "", "", "", "", "", "", "", "", ""],  # row 4: duplicate within file
        ["已存在", "", distributor.credit_code, 1, "", "火星省", "", "", "nobody", "", "12345", "not-mail", ""],  # 5
        ["二级无上级", "", make_credit_code(702), 2, "", "", "", "", "", "", "", "", ""],  # row 6
    ]
    response = admin_client.post(IMPORT, {"file": xlsx_upload(ZH, rows)})
    assert response.status_code == 200
    assert Distributor.objects.count() == 1  # only the pre-existing one
    result = response.context["result"]
    assert result.error_rows == [3, 4, 5, 6]
    by_row = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(e.message)
    assert any("check character" in m for m in by_row[3])
    assert any("row 2" in m for m in by_row[4])
    assert any("already exists" in m for m in by_row[5])
    assert any("Unknown region" in m for m in by_row[5])
    assert any("channel manager" in m for m in by_row[5])
    assert any("mobile" in m for m in by_row[5])
    assert any("e-mail" in m for m in by_row[5])
    assert any("parent" in m for m in by_row[6])
    body = response.content.decode()
    assert "Nothing was imported" in body

    report = admin_client.get(IMPORT, {"download": "errors"})
    rows = xlsx_rows(report)
    assert rows[0] == ["Row", "Column", "Error"]
    assert sorted({r[0] for r in rows[1:]}) == [3, 4, 5, 6]


def test_import_missing_required_column_and_unreadable_file(admin_client):
    response = admin_client.post(IMPORT, {"file": xlsx_upload(["名称", "级别"], [["x", 1]])})
    assert any("统一社会信用代码" in e.message for e in response.context["result"].errors)
    response = admin_client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert "file" in response.context["form"].errors
    assert Distributor.objects.count() == 0


def test_import_template_has_the_expected_headers(admin_client):
    response = admin_client.get(IMPORT, {"download": "template"})
    headers = xlsx_rows(response)[0]
    assert [match_header(h) for h in headers] == [
        "name", "legal_name", "credit_code", "tier", "parent_code", "region", "sales_territory", "address",
        "channel_manager", "contact_name", "contact_phone", "contact_email", "tags",
    ]
    assert match_header("名称/name") == "name" and match_header("Legal_Name") == "legal_name"


def test_import_rolls_back_when_a_service_call_fails(admin_user, monkeypatch):
    calls = []
    real = services.create_distributor

    def flaky(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 2:
            from dms.core.errors import ValidationFailed
            raise ValidationFailed(fields={"address": ["boom"]})
        return real(**kwargs)

    monkeypatch.setattr(services, "create_distributor", flaky)
    rows = [{"名称": n, "统一社会信用代码": make_credit_code(800 + i), "级别": 1, "_row": i + 2}
            for i, n in enumerate(["甲", "乙"])]
    result = import_distributors(rows, actor=admin_user)
    assert not result.ok and result.created_count == 0
    assert result.errors[0].row == 3 and result.errors[0].message == "boom"
    assert Distributor.objects.count() == 0
