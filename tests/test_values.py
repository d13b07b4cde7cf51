"""Value notation: operators, numbers, units, words, dates."""

import pytest

from jixiao.forms.values import parse_number, parse_value


@pytest.mark.parametrize("raw, op, number, unit", [
    ("=40.00(班次)", "=", 40.0, "班次"),
    ("≥90.00(%)", "≥", 90.0, "%"),
    (">95.00(%)", ">", 95.0, "%"),
    ("<10.00(%)", "<", 10.0, "%"),
    ("=0.00(起)", "=", 0.0, "起"),
    ("≥ 4500.00(名)", "≥", 4500.0, "名"),
    ("≥90.00 (%)", "≥", 90.0, "%"),
    (">=200.00(台)", "≥", 200.0, "台"),
    ("≤1.00(年)", "≤", 1.0, "年"),  # a duration in brackets, not a date
    ("100%", None, 100.0, "%"),
    ("985米", None, 985.0, "米"),
    ("116822", None, 116822.0, None),
    ("1,094,910,000.00", None, 1094910000.0, None),
    ("＞＝９５％", "≥", 95.0, "%"),  # full-width
    ("不低于90%", "≥", 90.0, "%"),
    ("90%以上", "≥", 90.0, "%"),
    ("5天以内", "≤", 5.0, "天"),
    ("12个月", None, 12.0, "个月"),
])
def test_numeric(raw, op, number, unit):
    v = parse_value(raw)
    assert (v.kind, v.op, v.number, v.unit, v.raw) == ("numeric", op, number, unit, raw)


@pytest.mark.parametrize("raw, kind", [
    ("及时", "qualitative"), ("有效控制在标准 内", "qualitative"), ("建立健全", "qualitative"),
    ("11月底", "date"), ("2023年12月前完成", "date"), ("2024年重阳节前", "date"), ("6月支付", "date"),
    ("完成24批", "qualitative"), ("与政策规定一致", "qualitative"),
])
def test_words_and_dates(raw, kind):
    v = parse_value(raw)
    assert (v.kind, v.number, v.op) == (kind, None, None)
    assert v.word == raw.replace(" ", "")


def test_achievement_words():
    assert parse_value("达成指标").achievement == "reached"
    assert parse_value("部分达成指标并具有一定效果").achievement == "partial"
    assert parse_value("未达成").achievement == "not_reached"
    assert parse_value("提升").achievement is None


def test_empty_and_numbers():
    assert parse_value("") is None and parse_value(None) is None
    assert parse_number("3,013.00") == 3013.0 and parse_number("-") is None and parse_number("85.35%") == 85.35
    assert parse_number("优") is None
