"""Table tests for the spreadsheet cell normalisers. No database."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings

from smartunion.core.normalise import (
    IdNumber,
    NormaliseError,
    clean_name,
    clean_text,
    header_key,
    id_check_digit,
    normalise_id_number,
    normalise_mobile,
    parse_bool,
    parse_choice,
    parse_date,
    parse_money,
    to_halfwidth,
)

if not settings.configured:  # run with -p no:django: gettext needs some settings
    settings.configure(USE_I18N=False)

D = datetime.date
BAD = NormaliseError  # the expected "result" of a row that must be refused


def check(function: Callable[[Any], Any], raw: object, expected: object) -> Any:
    if expected is BAD:
        with pytest.raises(NormaliseError):
            function(raw)
        return None
    result = function(raw)
    assert result == expected
    assert type(result) is type(expected)
    return result


def test_normalise_error_is_a_value_error() -> None:
    assert issubclass(NormaliseError, ValueError)


# --- text -----------------------------------------------------------------------------------------------
# The text cleaners accept anything, so their "bad" rows are messy input that must come out clean.

HALFWIDTH = [
    pytest.param("ＡＢＣ１２３", "ABC123", id="letters-digits"),
    pytest.param("（必填）", "(必填)", id="brackets"),
    pytest.param("张三", "张三", id="cjk-untouched"),
    pytest.param("a\u3000b", "a b", id="ideographic-space"),
    pytest.param("！～", "!~", id="range-ends"),
    pytest.param("", "", id="empty"),
    pytest.param("，。", ",。", id="comma-but-not-cjk-stop"),
    pytest.param("￥３８５０", "￥3850", id="yen-outside-range"),
    pytest.param("a\u00a0b", "a\u00a0b", id="nbsp-is-clean-texts-job"),
    pytest.param("ｶﾀｶﾅ", "ｶﾀｶﾅ", id="halfwidth-katakana-untouched"),
]


@pytest.mark.parametrize(("raw", "expected"), HALFWIDTH)
def test_to_halfwidth(raw: str, expected: str) -> None:
    check(to_halfwidth, raw, expected)


CLEAN_TEXT = [
    pytest.param(None, "", id="none"),
    pytest.param(42, "42", id="int"),
    pytest.param(3.0, "3", id="integral-float"),
    pytest.param(3.25, "3.25", id="float"),
    pytest.param(1e-05, "0.00001", id="small-float-no-exponent"),
    pytest.param(Decimal("3850.00"), "3850.00", id="decimal"),
    pytest.param("  hello  ", "hello", id="strip"),
    pytest.param("a \t\r\n b", "a b", id="ascii-whitespace"),
    pytest.param("a\u00a0\u3000b", "a b", id="nbsp-ideographic"),
    pytest.param("\ufeffa\u200bb\u2003c\u202fd\u205fe ", "a b c d e", id="exotic-spaces"),
    pytest.param("ＡＢＣ　１２３", "ABC 123", id="fullwidth"),
    pytest.param("\u3000\u00a0\t", "", id="only-whitespace"),
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN_TEXT)
def test_clean_text(raw: object, expected: str) -> None:
    check(clean_text, raw, expected)


CLEAN_NAME = [
    pytest.param("张三", "张三", id="plain"),
    pytest.param("张 三", "张三", id="inner-space"),
    pytest.param("欧阳　修", "欧阳修", id="ideographic-space"),
    pytest.param(" 王\u00a0小 明 ", "王小明", id="several-spaces"),
    pytest.param("John  Smith", "John Smith", id="latin-keeps-one-space"),
    pytest.param("买买提·艾力", "买买提·艾力", id="middle-dot"),
    pytest.param("买买提•艾力", "买买提·艾力", id="bullet"),
    pytest.param("买买提．艾力", "买买提·艾力", id="fullwidth-stop"),
    pytest.param("买买提・艾力", "买买提·艾力", id="katakana-dot"),
    pytest.param("买买提‧艾力", "买买提·艾力", id="hyphenation-point"),
    pytest.param("买买提 · 艾力", "买买提·艾力", id="spaced-dot"),
    pytest.param("买买提.艾力", "买买提·艾力", id="ascii-stop-between-cjk"),
    pytest.param("J. Smith", "J. Smith", id="latin-initial"),
    pytest.param(None, "", id="blank"),
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN_NAME)
def test_clean_name(raw: object, expected: str) -> None:
    check(clean_name, raw, expected)


HEADER_KEY = [
    pytest.param("身份证号", "身份证号", id="plain"),
    pytest.param("身份证号（必填）", "身份证号", id="fullwidth-note"),
    pytest.param("身份证号(必填)", "身份证号", id="ascii-note"),
    pytest.param("*工号", "工号", id="asterisk"),
    pytest.param("＊ 工 号 ", "工号", id="fullwidth-asterisk-spaces"),
    pytest.param("Mobile No.", "mobileno.", id="ascii-lower"),
    pytest.param("金额(元)(必填)", "金额", id="two-notes"),
    pytest.param("【必填】姓名", "【必填】姓名", id="leading-note-kept"),
    pytest.param("姓名【必填】", "姓名", id="lenticular-note"),
    pytest.param("（备注）", "(备注)", id="only-a-note"),
    pytest.param("出生(年)月", "出生(年)月", id="inner-brackets-kept"),
    pytest.param(None, "", id="blank"),
]


@pytest.mark.parametrize(("raw", "expected"), HEADER_KEY)
def test_header_key(raw: object, expected: str) -> None:
    check(header_key, raw, expected)


# --- dates ----------------------------------------------------------------------------------------------

PARSE_DATE = [
    pytest.param(D(1985, 3, 12), D(1985, 3, 12), id="date"),
    pytest.param(datetime.datetime(1985, 3, 12, 8, 30), D(1985, 3, 12), id="datetime"),
    pytest.param(31118, D(1985, 3, 12), id="serial"),
    pytest.param(31118.0, D(1985, 3, 12), id="serial-float"),
    pytest.param(31118.75, D(1985, 3, 12), id="serial-with-time"),
    pytest.param("31118", D(1985, 3, 12), id="serial-text"),
    pytest.param("３１１１８", D(1985, 3, 12), id="serial-fullwidth"),
    pytest.param(45292, D(2024, 1, 1), id="serial-2024"),
    pytest.param(1, D(1900, 1, 1), id="serial-1"),
    pytest.param(59, D(1900, 2, 28), id="serial-59-before-leap-bug"),
    pytest.param(61, D(1900, 3, 1), id="serial-61-after-leap-bug"),
    pytest.param(2958465, D(9999, 12, 31), id="serial-max"),
    pytest.param(19850312, D(1985, 3, 12), id="yyyymmdd-int"),
    pytest.param("19850312", D(1985, 3, 12), id="yyyymmdd-text"),
    pytest.param("1985.03.12", D(1985, 3, 12), id="dots"),
    pytest.param("1985.3.12", D(1985, 3, 12), id="dots-short"),
    pytest.param("1985/3/12", D(1985, 3, 12), id="slashes"),
    pytest.param("1985-3-12", D(1985, 3, 12), id="dashes"),
    pytest.param("1985-03-12 00:00:00", D(1985, 3, 12), id="with-time"),
    pytest.param("1985年3月12日", D(1985, 3, 12), id="chinese"),
    pytest.param("1985年03月12号", D(1985, 3, 12), id="chinese-hao"),
    pytest.param("1985 3 12", D(1985, 3, 12), id="spaces"),
    pytest.param(" １９８５－０３－１２\u00a0", D(1985, 3, 12), id="fullwidth-padded"),
    pytest.param("2000-02-29", D(2000, 2, 29), id="leap-day"),
    pytest.param(60, BAD, id="serial-60-fictitious-1900-02-29"),
    pytest.param(0, BAD, id="serial-0"),
    pytest.param(-5, BAD, id="negative"),
    pytest.param(2958466, BAD, id="serial-too-big"),
    pytest.param("1985-02-30", BAD, id="february-30"),
    pytest.param("1985-13-01", BAD, id="month-13"),
    pytest.param("19851301", BAD, id="yyyymmdd-month-13"),
    pytest.param("1900-02-29", BAD, id="not-a-leap-year"),
    pytest.param("12/03/1985", BAD, id="day-first-ambiguous"),
    pytest.param("1985-3/12", BAD, id="mixed-separators"),
    pytest.param("1985", BAD, id="year-only"),
    pytest.param(198503, BAD, id="year-month-only"),
    pytest.param("1985.03", BAD, id="year-dot-month"),
    pytest.param("1985年3月", BAD, id="chinese-no-day"),
    pytest.param("不详", BAD, id="text"),
    pytest.param("", BAD, id="empty"),
    pytest.param(None, BAD, id="none"),
    pytest.param(True, BAD, id="bool"),
    pytest.param(float("nan"), BAD, id="nan"),
]


@pytest.mark.parametrize(("raw", "expected"), PARSE_DATE)
def test_parse_date(raw: object, expected: object) -> None:
    check(parse_date, raw, expected)


# --- ID numbers -----------------------------------------------------------------------------------------


def make_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


ID_CHECK_DIGIT = [
    pytest.param("11010519491231002", "X", id="gb11643-example-x"),
    pytest.param("44052418800101001", "4", id="gb11643-example-4"),
    pytest.param("34052419800101001", "X", id="known-x"),
    pytest.param("11010119900307447", "7", id="known-7"),
    pytest.param("00000000000000000", "1", id="all-zero-sum-0"),
    pytest.param("11111111111111111", "0", id="all-ones"),
    pytest.param("1101051949123100", BAD, id="sixteen-digits"),
    pytest.param("110105194912310021", BAD, id="eighteen-digits"),
    pytest.param("1101051949123100X", BAD, id="letter"),
    pytest.param("１１０１０５１９４９１２３１００２", BAD, id="fullwidth-not-cleaned"),
    pytest.param("", BAD, id="empty"),
]


@pytest.mark.parametrize(("first17", "expected"), ID_CHECK_DIGIT)
def test_id_check_digit(first17: str, expected: str) -> None:
    check(id_check_digit, first17, expected)


MALE = make_id("32068219850312123")  # 17th digit 3: odd
FEMALE = make_id("32068219850312124")
MALE_FULLWIDTH = "".join(chr(ord(c) + 0xFEE0) for c in MALE)
TODAY = D(2025, 6, 1)

NORMALISE_ID = [
    pytest.param("11010519491231002X", IdNumber("11010519491231002X", D(1949, 12, 31), "F"), id="known-x"),
    pytest.param("34052419800101001X", IdNumber("34052419800101001X", D(1980, 1, 1), "M"), id="known-m"),
    pytest.param("110101199003074477", IdNumber("110101199003074477", D(1990, 3, 7), "M"), id="known-7"),
    pytest.param("11010519491231002x", IdNumber("11010519491231002X", D(1949, 12, 31), "F"), id="lower-x"),
    pytest.param("110105491231002", IdNumber("11010519491231002X", D(1949, 12, 31), "F"), id="legacy-15"),
    pytest.param(MALE, IdNumber(MALE, D(1985, 3, 12), "M"), id="computed-male"),
    pytest.param(FEMALE, IdNumber(FEMALE, D(1985, 3, 12), "F"), id="computed-female"),
    pytest.param(f" {MALE[:6]} {MALE[6:14]} {MALE[14:]} ", IdNumber(MALE, D(1985, 3, 12), "M"), id="spaced"),
    pytest.param(MALE_FULLWIDTH, IdNumber(MALE, D(1985, 3, 12), "M"), id="fullwidth"),
    pytest.param(
        make_id("11010520250531001"),
        IdNumber(make_id("11010520250531001"), D(2025, 5, 31), "M"),
        id="born-before-today",
    ),
    pytest.param(wrong_check(MALE), BAD, id="wrong-check-digit"),
    pytest.param("110105194912310021", BAD, id="known-with-wrong-check"),
    pytest.param("440524188001010014", BAD, id="valid-check-but-born-1880"),
    pytest.param(make_id("11010519850230001"), BAD, id="february-30"),
    pytest.param(make_id("11010519851301001"), BAD, id="month-13"),
    pytest.param(make_id("11010520250602001"), BAD, id="born-after-today"),
    pytest.param("110105850230001", BAD, id="legacy-15-bad-date"),
    pytest.param(MALE[:17], BAD, id="seventeen"),
    pytest.param(MALE + "1", BAD, id="nineteen"),
    pytest.param("11010519491231002Y", BAD, id="bad-letter"),
    pytest.param("X1010519491231002X", BAD, id="x-not-last"),
    pytest.param(110101199003074477, BAD, id="int"),
    pytest.param(3.2068219850312123e17, BAD, id="excel-float"),
    pytest.param("", BAD, id="empty"),
    pytest.param(None, BAD, id="none"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALISE_ID)
def test_normalise_id_number(raw: object, expected: object) -> None:
    check(lambda value: normalise_id_number(value, today=TODAY), raw, expected)


def test_normalise_id_number_defaults_to_today() -> None:
    assert normalise_id_number(MALE).birth_date == D(1985, 3, 12)
    with pytest.raises(NormaliseError):
        normalise_id_number(make_id("11010530000101001"))


# --- mobile numbers -------------------------------------------------------------------------------------

MOBILE = [
    pytest.param("13812345678", "13812345678", id="plain"),
    pytest.param(13812345678, "13812345678", id="int"),
    pytest.param(13812345678.0, "13812345678", id="float"),
    pytest.param("138 1234 5678", "13812345678", id="spaces"),
    pytest.param("138-1234-5678", "13812345678", id="dashes"),
    pytest.param("138.1234.5678", "13812345678", id="dots"),
    pytest.param("(138)12345678", "13812345678", id="parentheses"),
    pytest.param("+86 138 1234 5678", "13812345678", id="plus-86"),
    pytest.param("8613812345678", "13812345678", id="86"),
    pytest.param("0086-13812345678", "13812345678", id="0086"),
    pytest.param("＋８６　１３８１２３４５６７８", "13812345678", id="fullwidth"),
    pytest.param("1381234567", BAD, id="ten-digits"),
    pytest.param("138123456789", BAD, id="twelve-digits"),
    pytest.param("028-12345678", BAD, id="landline"),
    pytest.param("23812345678", BAD, id="not-starting-with-1"),
    pytest.param("1381234567a", BAD, id="letter"),
    pytest.param("+1 138 1234 5678", BAD, id="other-country"),
    pytest.param("", BAD, id="empty"),
    pytest.param(None, BAD, id="none"),
]


@pytest.mark.parametrize(("raw", "expected"), MOBILE)
def test_normalise_mobile(raw: object, expected: object) -> None:
    check(normalise_mobile, raw, expected)


# --- money ----------------------------------------------------------------------------------------------

MONEY = [
    pytest.param(Decimal("3850"), Decimal("3850.00"), id="decimal"),
    pytest.param(3850, Decimal("3850.00"), id="int"),
    pytest.param(3850.5, Decimal("3850.50"), id="float"),
    pytest.param(0.1 + 0.2, Decimal("0.30"), id="float-noise"),
    pytest.param(2.675, Decimal("2.68"), id="float-half-up-via-str"),
    pytest.param("3,850.00", Decimal("3850.00"), id="thousands"),
    pytest.param("1,234,567.8", Decimal("1234567.80"), id="millions"),
    pytest.param("3850元", Decimal("3850.00"), id="yuan"),
    pytest.param("￥3,850", Decimal("3850.00"), id="fullwidth-yen"),
    pytest.param("¥ 3850.5", Decimal("3850.50"), id="yen-space"),
    pytest.param("3850.00 元", Decimal("3850.00"), id="space-yuan"),
    pytest.param("人民币3850", Decimal("3850.00"), id="renminbi"),
    pytest.param("RMB 3850", Decimal("3850.00"), id="rmb"),
    pytest.param("３８５０．５", Decimal("3850.50"), id="fullwidth-digits"),
    pytest.param("1.2万", Decimal("12000.00"), id="wan"),
    pytest.param("1.2万元", Decimal("12000.00"), id="wan-yuan"),
    pytest.param("3850元整", Decimal("3850.00"), id="zheng"),
    pytest.param("0.125", Decimal("0.13"), id="round-half-up"),
    pytest.param("12.3400", Decimal("12.34"), id="trailing-zeros"),
    pytest.param("0", Decimal("0.00"), id="zero"),
    pytest.param(".5", Decimal("0.50"), id="leading-point"),
    pytest.param("-100", BAD, id="negative-text"),
    pytest.param("－100元", BAD, id="negative-fullwidth"),
    pytest.param("(100)", BAD, id="negative-accounting"),
    pytest.param(Decimal("-0.5"), BAD, id="negative-decimal"),
    pytest.param(-1, BAD, id="negative-int"),
    pytest.param("3,85", BAD, id="decimal-comma"),
    pytest.param("1.2.3", BAD, id="two-points"),
    pytest.param("三千八", BAD, id="chinese-numerals"),
    pytest.param("abc", BAD, id="text"),
    pytest.param("", BAD, id="empty"),
    pytest.param(float("inf"), BAD, id="infinity"),
    pytest.param(True, BAD, id="bool"),
    pytest.param("1" * 40, BAD, id="absurdly-large"),
]


@pytest.mark.parametrize(("raw", "expected"), MONEY)
def test_parse_money(raw: object, expected: object) -> None:
    result = check(parse_money, raw, expected)
    if result is not None:
        assert result.as_tuple().exponent == -2


# --- yes/no and choices ---------------------------------------------------------------------------------

BOOL = [
    pytest.param("是", True, id="shi"),
    pytest.param("否", False, id="fou"),
    pytest.param("Y", True, id="y"),
    pytest.param("n", False, id="n"),
    pytest.param("Yes", True, id="yes"),
    pytest.param("NO", False, id="no"),
    pytest.param("TRUE", True, id="true"),
    pytest.param("false", False, id="false"),
    pytest.param(1, True, id="int-1"),
    pytest.param("0", False, id="text-0"),
    pytest.param(1.0, True, id="float-1"),
    pytest.param("√", True, id="check"),
    pytest.param("×", False, id="cross"),
    pytest.param(" 有 ", True, id="you"),
    pytest.param("无", False, id="wu"),
    pytest.param("Ｙ", True, id="fullwidth"),
    pytest.param(True, True, id="bool"),
    pytest.param("maybe", BAD, id="maybe"),
    pytest.param("2", BAD, id="two"),
    pytest.param(2, BAD, id="int-2"),
    pytest.param("", BAD, id="empty"),
    pytest.param(None, BAD, id="none"),
    pytest.param("是的吧", BAD, id="sentence"),
]


@pytest.mark.parametrize(("raw", "expected"), BOOL)
def test_parse_bool(raw: object, expected: object) -> None:
    check(parse_bool, raw, expected)


SEX = {"M": "男", "F": "女", "male": "M", "female": "F", "男性": "男", "女性": "女"}
STATUS = {"active": "Active", "retired": "Retired", "in service": "active"}

CHOICE = [
    pytest.param("男", SEX, "M", id="label"),
    pytest.param("F", SEX, "F", id="stored-value"),
    pytest.param("m", SEX, "M", id="stored-value-lower"),
    pytest.param("Male", SEX, "M", id="synonym-to-value"),
    pytest.param("女性", SEX, "F", id="synonym-to-label"),
    pytest.param(" 女 ", SEX, "F", id="padded"),
    pytest.param("ＦＥＭＡＬＥ", SEX, "F", id="fullwidth"),
    pytest.param("RETIRED", STATUS, "retired", id="label-case"),
    pytest.param("In  Service", STATUS, "active", id="synonym-spaces"),
    pytest.param("未知", SEX, BAD, id="unknown"),
    pytest.param("", SEX, BAD, id="empty"),
    pytest.param(None, SEX, BAD, id="none"),
    pytest.param("Active ", {}, BAD, id="no-choices"),
    pytest.param("dead", STATUS, BAD, id="unknown-status"),
]


@pytest.mark.parametrize(("raw", "choices", "expected"), CHOICE)
def test_parse_choice(raw: object, choices: dict[str, str], expected: object) -> None:
    check(lambda value: parse_choice(value, choices), raw, expected)


# --- messages -------------------------------------------------------------------------------------------

MESSAGES = [
    pytest.param(parse_date, "1985-02-30", ["1985-02-30"], id="date-impossible"),
    pytest.param(parse_date, "不详", ["不详"], id="date-unreadable"),
    pytest.param(parse_date, 60, ["60"], id="date-serial-60"),
    pytest.param(
        normalise_id_number, wrong_check(MALE), [wrong_check(MALE), MALE[17]], id="id-says-expected"
    ),
    pytest.param(normalise_id_number, "110105194912310021", ["X"], id="id-known-expected-x"),
    pytest.param(normalise_id_number, "12345", ["12345", "18"], id="id-length"),
    pytest.param(normalise_id_number, 3.2068219850312123e17, ["320682198503121"], id="id-float"),
    pytest.param(normalise_mobile, "028-12345678", ["028-12345678"], id="mobile"),
    pytest.param(parse_money, "abc", ["abc"], id="money"),
    pytest.param(parse_bool, "maybe", ["maybe"], id="bool"),
    pytest.param(
        lambda value: parse_choice(value, SEX), "未知", ["未知", "男", "女"], id="choice-lists-labels"
    ),
]


@pytest.mark.parametrize(("function", "raw", "fragments"), MESSAGES)
def test_message_names_the_value(function: Callable[[Any], Any], raw: object, fragments: list[str]) -> None:
    with pytest.raises(NormaliseError) as caught:
        function(raw)
    for fragment in fragments:
        assert fragment in str(caught.value)


@pytest.mark.parametrize("value", ["12345678901.00", "1.2万万", "99999999999", 1e12])
def test_amounts_too_large_for_the_ledger_are_refused(value: object) -> None:
    with pytest.raises(NormaliseError):
        parse_money(value)


def test_the_largest_amount_the_ledger_holds_is_accepted() -> None:
    assert parse_money("9,999,999,999.99") == Decimal("9999999999.99")
