import pytest
from django.conf import settings
from django.urls import reverse

from dms.accounts.models import ApiToken
from dms.core.testing.factories import UserFactory, bearer, portal_user
from dms.distributors.models import Distributor

pytestmark = pytest.mark.django_db

PASSWORD = "Secret-pass-123"  # the factories' password
TOKEN_URL = "/api/v1/auth/token/"


def get_token(client, username, password, ip="192.0.2.10"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, content_type="application/json",
                       REMOTE_ADDR=ip)


def test_token_is_issued_and_authenticates(client, dist_admin):
    response = get_token(client, "d1admin", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "d1admin"


def test_wrong_password_is_401_with_code(client, dist_admin):
    response = get_token(client, "d1admin", "wrong-password")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "invalid_credentials"
    assert not ApiToken.objects.filter(user=dist_admin).exists()


def test_unknown_user_is_401(client, db):
    response = get_token(client, "nobody", PASSWORD)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_missing_fields_are_400(client, db):
    response = client.post(TOKEN_URL, {"username": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_lockout_after_failure_limit_is_per_user_and_ip(client, db):
    UserFactory(username="locky", roles=["admin"])
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert get_token(client, "locky", "wrong", ip="192.0.2.10").status_code == 401
    # The failure that reaches the limit locks this user out from this address ...
    response = get_token(client, "locky", "wrong", ip="192.0.2.10")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    # ... even with the right password now,
    response = get_token(client, "locky", PASSWORD, ip="192.0.2.10")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    # while the same user from another address still gets in,
    assert get_token(client, "locky", PASSWORD, ip="198.51.100.20").status_code == 200
    # and another user from the locked address too.
    UserFactory(username="other", roles=["admin"])
    assert get_token(client, "other", PASSWORD, ip="192.0.2.10").status_code == 200


def test_success_resets_failure_count(client, db):
    UserFactory(username="forgetful", roles=["admin"])
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert get_token(client, "forgetful", "wrong").status_code == 401
    assert get_token(client, "forgetful", PASSWORD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert get_token(client, "forgetful", "wrong").status_code == 401
    assert get_token(client, "forgetful", PASSWORD).status_code == 200


def test_two_factor_user_needs_code(client, db):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory(username="careful", roles=["admin"])
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    response = get_token(client, "careful", PASSWORD)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "otp_required"
    code = f"{totp(device.bin_key):06d}"
    response = client.post(TOKEN_URL, {"username": "careful", "password": PASSWORD, "otp": code},
                           content_type="application/json")
    assert response.status_code == 200


def test_me_for_staff_and_distributor_user(client, channel_manager, dist_admin, distributor):
    staff = client.get("/api/v1/me/", **bearer(channel_manager)).json()
    assert staff["roles"] == ["channel_manager"]
    assert staff["distributor"] is None
    mine = client.get("/api/v1/me/", **bearer(dist_admin)).json()
    assert mine == {"id": dist_admin.pk, "username": "d1admin", "email": dist_admin.email, "first_name": "",
                    "last_name": "", "roles": ["distributor_admin"], "distributor": distributor.pk}


def test_me_without_credentials_is_401(client, db):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_bad_token_is_401_invalid_token(client, db):
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


def test_logout_revokes_the_presented_token_only(client, dist_admin):
    first, second = bearer(dist_admin), bearer(dist_admin)
    assert client.post("/api/v1/auth/logout/", **first).status_code == 204
    assert client.get("/api/v1/me/", **first).status_code == 401
    assert client.get("/api/v1/me/", **second).status_code == 200


def test_deactivated_users_token_is_401(client, admin_user, distributor, dist_admin):
    headers = bearer(dist_admin)
    assert client.get("/api/v1/me/", **headers).status_code == 200
    url = f"/api/v1/distributors/{distributor.pk}/users/{dist_admin.pk}/deactivate/"
    assert client.post(url, **bearer(admin_user)).status_code == 200
    assert client.get("/api/v1/me/", **headers).status_code == 401


def test_inactive_user_token_is_401_even_if_not_revoked(client, dist_admin):
    headers = bearer(dist_admin)
    type(dist_admin).objects.filter(pk=dist_admin.pk).update(is_active=False)
    assert client.get("/api/v1/me/", **headers).status_code == 401


def test_suspended_distributor_token_stops_at_once(client, admin_user, distributor, dist_admin):
    headers = bearer(dist_admin)
    assert client.get(f"/api/v1/distributors/{distributor.pk}/", **headers).status_code == 200
    response = client.post(f"/api/v1/distributors/{distributor.pk}/suspend/", {"reason": "overdue payments"},
                           content_type="application/json", **bearer(admin_user))
    assert response.status_code == 200
    response = client.get(f"/api/v1/distributors/{distributor.pk}/", **headers)
    assert response.status_code == 401
    # and no new token can be had while suspended
    assert get_token(client, "d1admin", PASSWORD).status_code == 401


def test_token_of_user_whose_distributor_is_suspended_elsewhere_is_401(client, distributor):
    user = portal_user(distributor, "distributor_staff")
    headers = bearer(user)
    # Even a status change that revokes nothing (e.g. made directly) shuts the door.
    Distributor.objects.filter(pk=distributor.pk).update(status=Distributor.Status.SUSPENDED)
    assert client.get("/api/v1/me/", **headers).status_code == 401


def test_user_without_role_gets_403_on_data(client, db):
    nobody = UserFactory(username="norole")
    assert client.get("/api/v1/distributors/", **bearer(nobody)).status_code == 403
    assert client.get("/api/v1/reviews/", **bearer(nobody)).status_code == 403


def test_schema_is_served(client, db):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"/api/v1/distributors/{id}/suspend/" in response.content


def test_sign_in_attempts_are_throttled_per_address(client, db, monkeypatch):
    from dms.accounts.api import TokenThrottle

    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"auth_token": "3/min"})
    for i in range(3):
        assert get_token(client, f"guess{i}", "x", ip="192.0.2.30").status_code == 401
    response = get_token(client, "guess9", "x", ip="192.0.2.30")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert get_token(client, "guess9", "x", ip="192.0.2.31").status_code == 401
