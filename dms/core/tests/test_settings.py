import os
import subprocess
import sys

import pytest

CODE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
    "settings.ALLOWED_HOSTS, settings.SECURE_HSTS_SECONDS > 0]))"
)


def run(env):
    base = {k: v for k, v in os.environ.items() if k not in ("DMS_DEV", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    return subprocess.run([sys.executable, "-c", CODE], env={**base, **env}, capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.parametrize("env", [{}, {"SECRET_KEY": ""}])
def test_secret_key_is_required_outside_development(env):
    result = run(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_defaults_are_safe():
    result = run({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "dms.example.com"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[false, true, true, ["dms.example.com"], true]'
