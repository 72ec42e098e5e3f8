"""Translations are complete: every msgid in the code has a zh-hans (and English) entry,
none untranslated or fuzzy, and the compiled catalogues match the sources."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
LANGS = ["zh_Hans", "en"]


def po_path(root, lang):
    return root / "locale" / lang / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_is_complete(lang):
    po = polib.pofile(str(po_path(ROOT, lang)))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{lang}: fuzzy entries {fuzzy[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches(lang):
    po = polib.pofile(str(po_path(ROOT, lang)))
    with open(po_path(ROOT, lang).with_suffix(".mo"), "rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in po.translated_entries():
        if e.msgid_plural:
            continue
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid
        if mo._catalog.get(key) != e.msgstr:
            stale.append(e.msgid)
    assert stale == [], f"{lang}: .mo out of date (run `make messages`), e.g. {stale[:5]}"


def test_chinese_is_really_chinese():
    po = polib.pofile(str(po_path(ROOT, "zh_Hans")))
    def text(e):  # a plural entry's translation is in msgstr_plural
        return " ".join(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr

    latin_only = [e.msgid for e in po.translated_entries()
                  if e.msgid.strip() and not any("\u4e00" <= ch <= "\u9fff" for ch in text(e))
                  and any(c.isalpha() for c in re.sub(r"%\(\w+\)[sd]", "", e.msgid))  # words, not placeholders
                  and e.msgid not in {"English", "API", "CNY", "PDF", "Excel", "ID", "IP", "OK", "DMS", "SKU"}]
    assert latin_only == []


def test_no_msgid_is_missing_from_the_catalogue(tmp_path):
    """Extract the messages afresh from a copy of the sources and compare."""
    for name in ("dms", "config", "templates", "locale", "manage.py"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    env = {"DMS_DEV": "1", "DJANGO_SETTINGS_MODULE": "config.settings.base", "PATH": "/usr/bin:/bin",
           "DMS_VAR_DIR": str(tmp_path / "var")}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v0"],
                   cwd=tmp_path, env=env, check=True, timeout=300)
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path(tmp_path, "zh_Hans")))}
    ours = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path(ROOT, "zh_Hans")))}
    missing = sorted(m for _c, m in fresh - ours)
    assert missing == [], f"{len(missing)} msgids not in locale/zh_Hans (run `make messages`): {missing[:10]}"
