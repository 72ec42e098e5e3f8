"""China's administrative divisions (province / city / district), from the bundled
dataset ``data/pca-code.json`` (china-division, MIT licence, see data/LICENSE.china-division).

A region is stored as the adcode of its most specific level (6 digits for a district,
4 for a city, 2 for a province); the province is the code's first two digits.
"""

import json
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).parent / "data" / "pca-code.json"


@cache
def _index() -> dict[str, tuple[str, str | None]]:
    """code -> (name, parent code)."""
    out: dict[str, tuple[str, str | None]] = {}

    def walk(nodes, parent):
        for node in nodes:
            out[node["code"]] = (node["name"], parent)
            walk(node.get("children", []), node["code"])

    walk(json.loads(DATA.read_text(encoding="utf-8")), None)
    return out


def provinces() -> list[tuple[str, str]]:
    return [(code, name) for code, (name, parent) in _index().items() if parent is None]


def children(code: str) -> list[tuple[str, str]]:
    return [(c, name) for c, (name, parent) in _index().items() if parent == code]


def path(code: str) -> list[tuple[str, str]]:
    """[(province code, name), (city code, name), (district code, name)] for a code."""
    index, out = _index(), []
    while code and code in index:
        name, parent = index[code]
        out.append((code, name))
        code = parent
    return list(reversed(out))


def display_name(code: str) -> str:
    names = [name for _c, name in path(code) if name not in ("市辖区", "县")]
    return " ".join(names)


def lookup_by_name(text: str) -> str | None:
    """Resolve '广东省 深圳市 南山区' (or '广东省/深圳市') to the most specific code."""
    parts = [p for p in text.replace("/", " ").replace("-", " ").split() if p]
    code = None
    for part in parts:
        options = provinces() if code is None else children(code)
        match = next((c for c, name in options if name == part or name.startswith(part)), None)
        if match is None and code is not None:
            # skip a "市辖区" level: look one level deeper
            for mid, _n in options:
                match = next((c for c, name in children(mid) if name == part or name.startswith(part)), None)
                if match:
                    break
        if match is None:
            return None
        code = match
    return code


def validate_region(code: str):
    if code and code not in _index():
        raise ValidationError(_("Unknown region code “%(code)s”."), params={"code": code}, code="invalid_region")
