import pytest
from django.core.exceptions import ValidationError

from dms.core.testing.factories import make_credit_code
from dms.distributors.validators import validate_phone, validate_uscc

# Real, published codes of well-known companies.
REAL_CODES = [
    "914403001922038216",  # Huawei Technologies Co., Ltd.
    "91110108551385082Q",  # Beijing Xiaomi Technology Co., Ltd.
    "91350100M000100Y43",  # example from GB 32100-2015 guidance
    "91440300708461136T",  # Tencent Technology (Shenzhen)
    "9131000005587870XB",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    validate_uscc(code)
    validate_uscc(code.lower())  # entered in lower case: normalised


@pytest.mark.parametrize("code", REAL_CODES)
def test_any_single_character_change_is_refused(code):
    for i in range(18):
        ch = "A" if code[i] != "A" else "B"
        with pytest.raises(ValidationError):
            validate_uscc(code[:i] + ch + code[i + 1:])


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("91440300708461136", "18"),  # too short
        ("9144030070846113611", "18"),  # too long
        ("91440300708461136I", "not allowed"),  # I is not in the alphabet
        ("9144030070846113-T", "not allowed"),
        ("", "18"),
    ],
)
def test_malformed_codes_explain_why(code, fragment, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as err:
        validate_uscc(code)
    assert fragment in " ".join(err.value.messages)


def test_generated_codes_validate():
    for seed in range(200):
        validate_uscc(make_credit_code(seed))


@pytest.mark.parametrize("phone", ["13800138000", "+86 13800138000", "010-12345678", "0755-8765432", "400-810-8888"])
def test_valid_phones(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "1380013800", "abc", "23800138000"])
def test_invalid_phones(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)
