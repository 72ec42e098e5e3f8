import pytest
from django.urls import reverse

from dms.notifications.models import Category, Notification, Preference

pytestmark = pytest.mark.django_db


def note(user, title="hello", **kwargs):
    return Notification.objects.create(user=user, title=title, **kwargs)


@pytest.mark.parametrize("name", ["list", "bell", "preferences"])
def test_login_required(client, name):
    response = client.get(reverse(f"notifications:{name}"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("who", ["channel_manager", "dist_admin"])
def test_list_shows_only_own_notifications_in_the_right_layout(client, request, who, admin_user):
    user = request.getfixturevalue(who)
    note(user, "mine-1")
    note(admin_user, "someone-elses")
    client.force_login(user)
    response = client.get(reverse("notifications:list"))
    page = response.content.decode()
    assert "mine-1" in page and "someone-elses" not in page
    expected = "portal-top" if user.distributor_id else "sidebar"
    assert expected in page


def test_filters_unread_category_and_search(client, dist_admin):
    note(dist_admin, "contract-unread", category=Category.CONTRACT)
    note(dist_admin, "contract-read", category=Category.CONTRACT, read_at="2025-01-01T00:00:00Z")
    note(dist_admin, "review-unread", category=Category.REVIEW, body="needle in the body")
    client.force_login(dist_admin)

    def titles(**params):
        return [n.title for n in client.get(reverse("notifications:list"), params).context["page_obj"]]

    assert sorted(titles()) == ["contract-read", "contract-unread", "review-unread"]
    assert sorted(titles(show="unread")) == ["contract-unread", "review-unread"]
    assert sorted(titles(category="contract")) == ["contract-read", "contract-unread"]
    assert titles(show="unread", category="contract") == ["contract-unread"]
    assert titles(search="needle") == ["review-unread"]


def test_list_paginates_by_20_and_htmx_gets_only_the_results(client, dist_admin):
    for i in range(25):
        note(dist_admin, f"n{i:02d}")
    client.force_login(dist_admin)
    first = client.get(reverse("notifications:list"))
    assert len(first.context["page_obj"]) == 20
    second = client.get(reverse("notifications:list"), {"page": 2}, HTTP_HX_REQUEST="true")
    assert len(second.context["page_obj"]) == 5
    body = second.content.decode()
    assert 'id="results"' in body and "<html" not in body


def test_empty_state(client, dist_admin):
    client.force_login(dist_admin)
    response = client.get(reverse("notifications:list"))
    assert b'class="empty"' in response.content


def test_mark_all_read_marks_only_own(client, dist_admin, other_dist_admin):
    mine = [note(dist_admin), note(dist_admin)]
    theirs = note(other_dist_admin)
    client.force_login(dist_admin)
    assert client.get(reverse("notifications:mark_read")).status_code == 405
    response = client.post(reverse("notifications:mark_read"))
    assert response.status_code == 302
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_one_read_and_return_to_the_filtered_list(client, dist_admin, other_dist_admin):
    a, b = note(dist_admin, "a"), note(dist_admin, "b")
    theirs = note(other_dist_admin)
    client.force_login(dist_admin)
    back = reverse("notifications:list") + "?show=unread"
    response = client.post(reverse("notifications:mark_read"), {"id": [a.pk, theirs.pk], "next": back})
    assert response["Location"] == back
    assert Notification.objects.get(pk=a.pk).read_at is not None
    assert Notification.objects.get(pk=b.pk).read_at is None
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_mark_read_ignores_an_external_next(client, dist_admin):
    client.force_login(dist_admin)
    response = client.post(reverse("notifications:mark_read"), {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("notifications:list")


def test_open_marks_read_and_redirects_to_internal_path(client, dist_admin):
    n = note(dist_admin, url="/portal/contracts/")
    client.force_login(dist_admin)
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/portal/contracts/"
    n.refresh_from_db()
    assert n.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example.com/x", "//evil.example.com/x", "/\\evil.example.com", "",
                                 "javascript:alert(1)"])
def test_open_never_redirects_off_site(client, dist_admin, url):
    n = note(dist_admin, url=url)
    client.force_login(dist_admin)
    response = client.get(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")
    n.refresh_from_db()
    assert n.read_at is not None


def test_another_users_notification_is_404(client, dist_admin, channel_manager):
    theirs = note(channel_manager, url="/backoffice/")
    client.force_login(dist_admin)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_bell_fragment_shows_unread_count(client, dist_admin):
    note(dist_admin)
    note(dist_admin)
    note(dist_admin, read_at="2025-01-01T00:00:00Z")
    client.force_login(dist_admin)
    response = client.get(reverse("notifications:bell"))
    body = response.content.decode()
    assert 'id="bell-count"' in body and ">2<" in body and "<html" not in body
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_preferences_default_on_and_are_saved(client, channel_manager):
    client.force_login(channel_manager)
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert all(form[f"{c}_in_app"].value() and form[f"{c}_email"].value() for c in Category.values)
    data = {f"{c}_in_app": "on" for c in Category.values} | {f"{c}_email": "on" for c in Category.values}
    del data["contract_email"]
    del data["review_in_app"]
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    prefs = {p.category: (p.in_app, p.email) for p in Preference.objects.filter(user=channel_manager)}
    assert prefs["contract"] == (True, False)
    assert prefs["review"] == (False, True)
    assert prefs["system"] == (True, True)
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert form["contract_email"].value() is False and form["review_in_app"].value() is False


def test_saved_preference_changes_what_notify_delivers(client, dist_admin):
    from dms.notifications.services import notify

    client.force_login(dist_admin)
    data = {f"{c}_in_app": "on" for c in Category.values if c != "contract"}
    client.post(reverse("notifications:preferences"), data)
    notify([dist_admin], category=Category.CONTRACT, title="silent")
    notify([dist_admin], category=Category.REVIEW, title="loud")
    unread = set(Notification.objects.filter(user=dist_admin, read_at__isnull=True).values_list("title", flat=True))
    assert unread == {"loud"}
