import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dms.accounts.models import User
from dms.accounts.services import set_user_active
from dms.distributors import services

LOGIN = "/accounts/login/"
GOOD = "Secret-pass-123"


def attempt(client, username, password, ip):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_lockout_is_per_user_and_ip(client, dist_admin, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "d1admin", "wrong", "198.51.100.7")
    locked = attempt(client, "d1admin", GOOD, "198.51.100.7")
    assert locked.status_code == 429  # even the right password is refused from there
    # the attacker's failures do not lock the real user out from his own address
    ok = attempt(client, "d1admin", GOOD, "203.0.113.20")
    assert ok.status_code == 302 and ok["Location"] == "/"


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2_in_production_settings():
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.test import override_settings

    from config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("Secret-pass-123").startswith("argon2$")
    with pytest.raises(ValidationError):
        validate_password("12345678")


@pytest.mark.django_db
def test_deactivating_a_user_ends_his_session_at_once(client, dist_admin, admin_user):
    client.force_login(dist_admin)
    assert client.get("/portal/").status_code == 200
    set_user_active(user_id=dist_admin.pk, active=False, actor=admin_user)
    response = client.get("/portal/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_suspending_a_distributor_ends_its_users_sessions(client, dist_admin, admin_user):
    client.force_login(dist_admin)
    services.suspend_distributor(distributor_id=dist_admin.distributor_id, reason="unpaid", actor=admin_user)
    assert client.get("/portal/").status_code == 302
    response = attempt(client, "d1admin", GOOD, "203.0.113.5")
    assert response.status_code == 200  # the form again, with an error
    services.reactivate_distributor(distributor_id=dist_admin.distributor_id, actor=admin_user)
    assert attempt(client, "d1admin", GOOD, "203.0.113.5").status_code == 302


@pytest.mark.django_db
def test_staff_totp_login(client, channel_manager):
    device = TOTPDevice.objects.create(user=channel_manager, name="phone", confirmed=True)
    response = attempt(client, "cm1", GOOD, "203.0.113.1")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/otp/"
    assert client.get("/backoffice/").status_code == 302  # not logged in yet
    assert client.post("/accounts/login/otp/", {"token": "000000"}).status_code == 200
    # django-otp throttles after a failure; let the back-off pass
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post("/accounts/login/otp/", {"token": token})
    assert response.status_code == 302
    assert client.get("/backoffice/").status_code == 200


@pytest.mark.django_db
def test_totp_setup_from_the_security_page(client, channel_manager):
    client.force_login(channel_manager)
    client.post("/accounts/security/otp/start/")
    device = TOTPDevice.objects.get(user=channel_manager, confirmed=False)
    page = client.get("/accounts/security/").content.decode()
    assert "data:image/svg+xml;base64," in page
    token = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    client.post("/accounts/security/", {"token": token})
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
def test_password_change_and_reset_by_email(client, dist_admin):
    client.force_login(dist_admin)
    response = client.post("/accounts/password/change/", {
        "old_password": GOOD, "new_password1": "Another-pass-456", "new_password2": "Another-pass-456"})
    assert response.status_code == 302
    client.logout()
    client.post("/accounts/password/reset/", {"email": dist_admin.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link[link.index("/accounts/"):]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "Third-pass-789x", "new_password2": "Third-pass-789x"})
    assert User.objects.get(pk=dist_admin.pk).check_password("Third-pass-789x")


@pytest.mark.django_db
def test_weak_password_is_refused(client, dist_admin):
    client.force_login(dist_admin)
    response = client.post("/accounts/password/change/", {
        "old_password": GOOD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert User.objects.get(pk=dist_admin.pk).check_password(GOOD)


@pytest.mark.django_db
def test_createsuperuser_noinput(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root2")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Root-pass-2026!")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root2@example.com")
    call_command("createsuperuser", "--noinput")
    user = User.objects.get(username="root2")
    assert user.is_superuser and user.check_password("Root-pass-2026!") and user.is_brand_staff
