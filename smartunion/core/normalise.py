"""Cleaning of cells read from spreadsheets before they are validated.

HR offices send Excel files typed by hand: full-width digits, stray non-breaking spaces, dates in a
dozen spellings, ID numbers mangled into floats. Each function here turns one cell into a clean Python
value or raises :class:`NormaliseError` with a sentence the user can act on. All are pure: no database,
no settings beyond translation (and the local date for "not in the future").
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

__all__ = [
    "IdNumber",
    "NormaliseError",
    "clean_name",
    "clean_text",
    "header_key",
    "id_check_digit",
    "normalise_id_number",
    "normalise_mobile",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_money",
    "to_halfwidth",
]


class NormaliseError(ValueError):
    """A cell that cannot be cleaned; ``str(exc)`` is the message to show the user."""


# --- text -----------------------------------------------------------------------------------------------

_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

# \s covers ASCII whitespace, U+00A0, U+3000, U+2000–U+200A, U+202F, U+205F, U+2028/9; zero-width
# spaces and the BOM are not whitespace to Python but arrive in pasted cells all the same.
_WHITESPACE = re.compile(r"[\s\u200b\ufeff]+")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (Ａ１，) to ASCII and the ideographic space to a space; CJK is left alone."""
    return text.translate(_HALFWIDTH)


def clean_text(value: object) -> str:
    """Any cell as a trimmed single-spaced half-width string; blank cells become ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        if value.is_integer():
            return str(int(value))
        # repr is the shortest exact form; going through Decimal avoids exponents like 1e-05.
        return format(Decimal(repr(value)), "f")
    elif isinstance(value, Decimal) and value.is_finite():
        text = format(value, "f")
    else:
        text = str(value)
    return _WHITESPACE.sub(" ", to_halfwidth(text)).strip()


# Ideographs (basic, extension A, compatibility, extensions B and later) and 〇.
_CJK = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SPACE_BY_CJK = re.compile(rf" (?=[{_CJK}·])|(?<=[{_CJK}·]) ")
_DOT_VARIANTS = re.compile(r"[•．・‧･∙⋅]")
# clean_text has already turned a full-width ． into "."; between two ideographs it is the name dot too.
_DOT_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) ?\. ?(?=[{_CJK}])")


def clean_name(value: object) -> str:
    """A person's name: 张 三 → 张三, 买买提•艾力 → 买买提·艾力; John Smith keeps its space."""
    if isinstance(value, str):
        value = _DOT_VARIANTS.sub("·", value)
    text = _DOT_VARIANTS.sub("·", clean_text(value))
    text = _DOT_BETWEEN_CJK.sub("·", text)
    return _SPACE_BY_CJK.sub("", text)


_TRAILING_NOTE = re.compile(r"(?:\([^()]*\)|【[^【】]*】)$")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def header_key(value: object) -> str:
    """The key a column header is matched by: *身份证号（必填） → 身份证号, Mobile No. → mobileno."""
    text = clean_text(value).replace(" ", "").replace("*", "")
    while True:
        stripped = _TRAILING_NOTE.sub("", text)
        if stripped == text or not stripped:  # a header that is only a note keeps it
            break
        text = stripped
    return text.translate(_ASCII_LOWER)


# --- dates ----------------------------------------------------------------------------------------------

_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_FAKE_LEAP_DAY = 60  # Excel's 1900-02-29, a day that never was

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"  # a time of day Excel or a database added; ignored
_DATE_PATTERNS = (
    # 1985-03-12, 1985.3.12, 1985/3/12, 1985 3 12
    re.compile(
        rf"(?P<y>\d{{4}}) ?(?P<sep>[./-]| ) ?(?P<m>\d{{1,2}}) ?(?P=sep) ?(?P<d>\d{{1,2}})(?:[ T]{_CLOCK})?"
    ),
    # 1985年3月12日, 1985年03月12号
    re.compile(rf"(?P<y>\d{{4}}) ?年 ?(?P<m>\d{{1,2}}) ?月 ?(?P<d>\d{{1,2}}) ?[日号]?(?: ?{_CLOCK})?"),
)
_WHOLE_NUMBER = re.compile(r"(\d+)(?:\.0*)?")


def _example_date_error(shown: str) -> NormaliseError:
    return NormaliseError(
        _("“%(value)s” is not a date: write it like 1985-03-12.") % {"value": shown},
    )


def _real_date(year: int, month: int, day: int, shown: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise NormaliseError(
            _("“%(value)s” is not a real date: check the month and the day.") % {"value": shown},
        ) from None


def _date_from_number(number: int, shown: str) -> datetime.date:
    if 19000101 <= number <= 29991231:
        return _real_date(number // 10000, number // 100 % 100, number % 100, shown)
    # A bare year, or a year and month, would otherwise be read as a serial: a day in 1905, or in the 2420s.
    if 1900 <= number <= 2100 or (190001 <= number <= 210012 and 1 <= number % 100 <= 12):
        raise NormaliseError(
            _("“%(value)s” is not a full date: write the year, month and day, like 1985-03-12.")
            % {"value": shown},
        )
    if number == _EXCEL_FAKE_LEAP_DAY:
        raise NormaliseError(
            _("“%(value)s” is Excel’s 29 February 1900, a day that did not exist: type the date again.")
            % {"value": shown},
        )
    if not 1 <= number <= _EXCEL_MAX_SERIAL:
        raise _example_date_error(shown)
    # Excel counts 1900-01-01 as day 1 and then invents 1900-02-29, so later serials are one day ahead.
    epoch = datetime.date(1899, 12, 31) if number < _EXCEL_FAKE_LEAP_DAY else datetime.date(1899, 12, 30)
    return epoch + datetime.timedelta(days=number)


def parse_date(value: object) -> datetime.date:
    """A date from a date cell, an Excel serial number, YYYYMMDD or the usual written forms.

    Serial 60 (Excel's fictitious 1900-02-29) is refused; 59 is 1900-02-28 and 61 is 1900-03-01. The time
    of day in a datetime or a fractional serial is dropped. Numbers that look like a bare year (1985) or
    year and month (198503) are refused rather than read as serials.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    shown = clean_text(value)
    if not shown:
        raise NormaliseError(_("The date is empty: write it like 1985-03-12."))
    if isinstance(value, bool):
        raise _example_date_error(shown)
    if isinstance(value, int):
        return _date_from_number(value, shown)
    if isinstance(value, float | Decimal):
        if not (value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)):
            raise _example_date_error(shown)
        return _date_from_number(math.floor(value), shown)

    number = _WHOLE_NUMBER.fullmatch(shown)
    if number:  # a serial or YYYYMMDD typed as text
        return _date_from_number(int(number.group(1)), shown)
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(shown)
        if match:
            return _real_date(int(match["y"]), int(match["m"]), int(match["d"]), shown)
    raise _example_date_error(shown)


# --- resident ID numbers (GB 11643) ---------------------------------------------------------------------


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_SEVENTEEN_DIGITS = re.compile(r"[0-9]{17}")
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_ID_15 = re.compile(r"[0-9]{15}")


def id_check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character ("0"–"9" or "X") for the first 17 digits of an ID."""
    if not _SEVENTEEN_DIGITS.fullmatch(first17):
        raise NormaliseError(
            _("“%(value)s” is not the first 17 digits of an ID number.") % {"value": first17},
        )
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalise_id_number(value: object, *, today: datetime.date | None = None) -> IdNumber:
    """An 18-character resident ID checked for its birth date and check digit; 15-digit IDs are upgraded.

    ``today`` is for tests; it defaults to the local date.
    """
    if isinstance(value, int | float | Decimal):
        # A float keeps only about 16 digits, so the last ones of an 18-digit ID are already lost.
        raise NormaliseError(
            _(
                "“%(value)s” was stored as a number, so Excel may have changed its last digits: "
                "format the column as Text and type the ID number again."
            )
            % {"value": clean_text(value)},
        )
    shown = clean_text(value)
    number = shown.replace(" ", "").lstrip("'").upper()
    if not number:
        raise NormaliseError(_("The ID number is empty."))
    if _ID_15.fullmatch(number):
        birth_digits = "19" + number[6:12]
        first17 = number[:6] + birth_digits + number[12:15]
    elif _ID_18.fullmatch(number):
        birth_digits = number[6:14]
        first17 = number[:17]
    else:
        raise NormaliseError(
            _("“%(value)s” is not an ID number: it has 18 characters, 17 digits and then a digit or X.")
            % {"value": shown},
        )

    birth_date: datetime.date | None
    try:
        birth_date = datetime.date(int(birth_digits[:4]), int(birth_digits[4:6]), int(birth_digits[6:]))
    except ValueError:
        birth_date = None
    if today is None:
        today = timezone.localdate() if settings.USE_TZ else datetime.date.today()
    if birth_date is None or birth_date.year < 1900 or birth_date > today:
        raise NormaliseError(
            _("“%(value)s” has an impossible birth date (%(digits)s): check digits 7 to 14.")
            % {"value": shown, "digits": birth_digits},
        )

    expected = id_check_digit(first17)
    if len(number) == 18 and number[17] != expected:
        raise NormaliseError(
            _(
                "“%(value)s” has a wrong check digit: with these first 17 digits the last character "
                "would be %(expected)s. Check the number for a typo."
            )
            % {"value": shown, "expected": expected},
        )
    return IdNumber(
        number=first17 + expected,
        birth_date=birth_date,
        sex="M" if int(first17[16]) % 2 else "F",
    )


# --- mobile numbers -------------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-–—.()]")
_MOBILE = re.compile(r"1[0-9]{10}")


def normalise_mobile(value: object) -> str:
    """An 11-digit mainland mobile number without separators or country code: 13812345678."""
    shown = clean_text(value)
    if not shown:
        raise NormaliseError(_("The mobile number is empty."))
    number = _PHONE_SEPARATORS.sub("", shown)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not _MOBILE.fullmatch(number):
        raise NormaliseError(
            _("“%(value)s” is not a mobile number: it has 11 digits starting with 1, like 13812345678.")
            % {"value": shown},
        )
    return number


# --- money ----------------------------------------------------------------------------------------------

_CENT = Decimal("0.01")
_CURRENCY = re.compile(r"人民币|rmb|cny|[元圆整¥￥]", re.IGNORECASE)
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")


def _not_money(shown: str) -> NormaliseError:
    return NormaliseError(
        _("“%(value)s” is not an amount of money: write it in yuan, like 3850.00.") % {"value": shown},
    )


def parse_money(value: object) -> Decimal:
    """An amount in yuan to the fen: "￥3,850" → Decimal("3850.00"), "1.2万" → Decimal("12000.00")."""
    shown = clean_text(value)
    if not shown:
        raise NormaliseError(_("The amount is empty: write it in yuan, like 3850.00."))
    if isinstance(value, bool):
        raise _not_money(shown)
    if isinstance(value, Decimal | int | float):
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise _not_money(shown)
    else:
        text = _CURRENCY.sub("", shown).replace(" ", "").replace("−", "-")
        if text.startswith("-") or (text.startswith("(") and text.endswith(")")):
            raise NormaliseError(
                _("“%(value)s” is negative: amounts must be zero or more.") % {"value": shown},
            )
        text = text.removeprefix("+")
        multiplier = 1
        if text.endswith("万"):
            text, multiplier = text[:-1], 10000
        if "," in text:
            if not _GROUPED.fullmatch(text):
                raise NormaliseError(
                    _("“%(value)s” has commas in the wrong places: write the amount like 3850.00.")
                    % {"value": shown},
                )
            text = text.replace(",", "")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise _not_money(shown)
        amount = Decimal(text) * multiplier
    if amount < 0:
        raise NormaliseError(_("“%(value)s” is negative: amounts must be zero or more.") % {"value": shown})
    try:
        amount = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise _not_money(shown) from None
    if amount >= MAX_MONEY:  # money columns hold 12 digits, two of them after the point
        raise NormaliseError(
            _("“%(value)s” is too large for an amount in yuan: check for extra digits.") % {"value": shown}
        )
    return amount if amount else Decimal("0.00")  # no "-0.00"


MAX_MONEY = Decimal("10000000000")


# --- yes/no and choices ---------------------------------------------------------------------------------

_BOOLEANS = {
    **dict.fromkeys(("是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"), True),
    **dict.fromkeys(("否", "n", "no", "false", "0", "×", "✗", "✘", "无", "没有"), False),
}


def parse_bool(value: object) -> bool:
    """是/否, Y/N, yes/no, true/false, 1/0, √/×, 有/无 in any case."""
    if isinstance(value, bool):
        return value
    shown = clean_text(value)
    answer = _BOOLEANS.get(shown.casefold())
    if answer is None:
        raise NormaliseError(_("“%(value)s” is not a yes or no: write 是 or 否.") % {"value": shown})
    return answer


def _choice_key(value: object) -> str:
    return clean_text(value).casefold()


def parse_choice(value: object, choices: Mapping[str, object]) -> str:
    """The stored value for a cell that holds a choice's label, its stored value or a synonym.

    ``choices`` maps stored values to labels, in order (``dict(Model.Kind.choices)``). A synonym is an
    extra key after them whose value is a stored value or a label: ``{"M": "男", "F": "女", "男性": "M"}``.
    Matching ignores case, full-width characters and spacing.
    """
    stored: dict[str, str] = {}  # stored value → label
    by_label: dict[str, str] = {}  # key of a label → stored value
    synonyms: dict[str, str] = {}  # key of a synonym → stored value
    for key, label in choices.items():
        target = label if isinstance(label, str) and label in stored else by_label.get(_choice_key(label))
        if target is not None:
            synonyms.setdefault(_choice_key(key), target)
        else:
            stored[key] = str(label)
            by_label.setdefault(_choice_key(label), key)

    wanted = _choice_key(value)
    by_stored = {_choice_key(key): key for key in reversed(stored)}
    for lookup in (by_stored, by_label, synonyms):
        if wanted and wanted in lookup:
            return lookup[wanted]
    raise NormaliseError(
        _("“%(value)s” is not one of the choices: use %(choices)s.")
        % {"value": clean_text(value), "choices": " / ".join(stored.values())},
    )


def pinyin_initials(name: str) -> str:
    """The lower-case pinyin initials of a Chinese name ("zs" for 张三), for search as officers type it.
    Heteronyms take their most common reading; letters in the name are kept as they are."""
    from pypinyin import Style, lazy_pinyin

    return "".join(
        part[:1] for part in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    ).lower()[:50]
