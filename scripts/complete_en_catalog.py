"""English is the source language: its catalogue's translations are the msgids
themselves. Fill them in so the English catalogue is complete (run by `make messages`)."""

from pathlib import Path

import polib

path = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"
po = polib.pofile(str(path))
for entry in po:
    if entry.msgid_plural:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
    else:
        entry.msgstr = entry.msgid
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
po.save()
print(f"{path}: {len(po)} entries")
