"""Validators for Chinese business identifiers and contact details."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from this alphabet (no I, O, Z, S, V).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    return (value or "").strip().upper()


def validate_uscc(value: str):
    """Unified Social Credit Code (统一社会信用代码): format and check character."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A Unified Social Credit Code has 18 characters; this one has %(n)d."),
            params={"n": len(code)},
            code="invalid_credit_code",
        )
    if not USCC_RE.match(code):
        raise ValidationError(
            _("The Unified Social Credit Code contains characters that are not allowed (I, O, Z, S, V or symbols)."),
            code="invalid_credit_code",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("The Unified Social Credit Code's check character is wrong: please check the code for typos."),
            code="invalid_credit_code",
        )


PHONE_RE = re.compile(r"^(\+?86[- ]?)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|400-?\d{3}-?\d{4})$")


def validate_phone(value: str):
    if value and not PHONE_RE.match(value.replace(" ", "")):
        raise ValidationError(
            _("Enter a mainland China mobile (e.g. 13800138000) or landline number (e.g. 010-12345678)."),
            code="invalid_phone",
        )
