import pytest


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_ok_when_database_is_migrated(client):
    response = client.get("/readyz/")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_readyz_503_when_broker_is_down(client, settings):
    settings.CELERY_BROKER_CONFIGURED = True
    from config.celery import app

    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        response = client.get("/readyz/")
    finally:
        app.conf.broker_url = old
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


@pytest.mark.django_db
def test_security_headers_and_csp(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http" not in csp  # no third-party origin anywhere
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_default_language_is_chinese_and_english_available(client):
    response = client.get("/accounts/login/")
    assert '<html lang="zh-hans"' in response.content.decode()
    assert "登录" in response.content.decode()
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Log in" in response.content.decode()
