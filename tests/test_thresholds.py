"""Thresholds: gold-set F1, every non-threshold trap, units/SI table (checked against pint)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from stdkb.extract import units
from stdkb.extract.thresholds import find_thresholds

GOLD = Path(__file__).parent / "data" / "gold" / "thresholds.jsonl"


def _load_gold():
    rows = []
    with GOLD.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def _close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-3, abs_tol=1e-3)


def _same(p, g) -> bool:
    return (
        _close(p.value, g["value"])
        and _close(p.max, g.get("max"))
        and p.unit == g["unit"]
        and p.comparator == g["comparator"]
    )


def score(rows):
    """(tp, fp, fn, per_ok, per_total, misses) over gold rows; matching on value, max, unit, comparator."""
    tp = fp = fn = per_ok = per_total = 0
    misses = []
    for row in rows:
        pred = find_thresholds(row["text"], row.get("lang", "zh"), row.get("context", ()))
        gold = list(row["thresholds"])
        used = [False] * len(pred)
        for g in gold:
            hit = next((i for i, p in enumerate(pred) if not used[i] and _same(p, g)), None)
            if hit is None:
                fn += 1
                misses.append(("FN", row["id"], g))
            else:
                used[hit] = True
                tp += 1
                if "per" in g:
                    per_total += 1
                    per_ok += pred[hit].per == g["per"]
        for i, p in enumerate(pred):
            if not used[i]:
                fp += 1
                misses.append(("FP", row["id"], (p.value, p.max, p.unit, p.comparator, p.text)))
    return tp, fp, fn, per_ok, per_total, misses


def f1(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def test_gold_is_big_enough():
    rows = _load_gold()
    assert len(rows) >= 120
    assert sum(1 for r in rows if r["lang"] == "en") >= 20
    assert sum(1 for r in rows if not r["thresholds"]) >= 20  # traps


def test_gold_f1():
    rows = _load_gold()
    tp, fp, fn, per_ok, per_total, misses = score(rows)
    p, r, f = f1(tp, fp, fn)
    report = "\n".join(f"{k} {i} {x}" for k, i, x in misses)
    print(f"thresholds P={p:.3f} R={r:.3f} F1={f:.3f} (tp={tp} fp={fp} fn={fn}); per {per_ok}/{per_total}\n{report}")
    assert f >= 0.90, report
    assert per_ok >= 0.8 * per_total


# --------------------------------------------------------------- examples from the issue


@pytest.mark.parametrize(
    "text,lang,expected",
    [
        ("一般故障排除不超过4小时", "zh", (4, None, "h", "<=")),
        ("对居民用户每2年检查不得少于1次", "zh", (1, None, "count", ">=")),
        ("每分钟吐字约120-140个", "zh", (120, 140, "char/min", "range")),
        ("汉字录入速度应不小于50字/分钟", "zh", (50, None, "char/min", ">=")),
        ("电话振铃3声内接听电话", "zh", (3, None, "count", "<=")),
        ("通话时间不得超过两分钟", "zh", (2, None, "min", "<=")),
        ("连续敲门三下", "zh", (3, None, "count", "=")),
        ("总分在160分及以上", "zh", (160, None, "points", ">=")),
        ("合同价500万元以上", "zh", (5000000, None, "CNY", ">=")),
        ("面积3000至1万㎡", "zh", (3000, 10000, "m2", "range")),
        ("两到三次", "zh", (2, 3, "count", "range")),
        ("等待5至10秒", "zh", (5, 10, "s", "range")),
        ("应至少坐满座椅的三分之二", "zh", (0.667, None, "ratio", ">=")),
        ("一半以上", "zh", (0.5, None, "ratio", ">=")),
        ("与身体成45度角", "zh", (45, None, "deg", "=")),
        ("应站在距门1m处", "zh", (1, None, "m", "=")),
        ("高度不低于2公分", "zh", (2, None, "cm", ">=")),
        ("十五分钟内到达", "zh", (15, None, "min", "<=")),
        ("面积不小于30平方米", "zh", (30, None, "m2", ">=")),
        ("温度20±2℃", "zh", (18, 22, "degC", "range")),
        ("试验室温度(23±2)℃", "zh", (21, 25, "degC", "range")),
        ("冷冻食品应在-18℃以下保存", "zh", (-18, None, "degC", "<=")),
        ("单笔金额超过￥5000的应复核", "zh", (5000, None, "CNY", ">")),
        ("经专有部分面积过半数的业主同意", "zh", (0.5, None, "ratio", ">")),
        ("Cash withdrawals over £5,000 need approval", "en", (5000, None, "GBP", ">")),
        ("require 24 hours' notice", "en", (24, None, "h", ">=")),
        ("No person shall work alone for more than 30 minutes", "en", (30, None, "min", "<=")),
        ("retain records for a minimum period of three (3) years", "en", (3, None, "year", ">=")),
        ("The maximum permissible noise exposure is 87 dB(A).", "en", (87, None, "dB", "<=")),
        ("池水余氯浓度保持在0.3～0.5mg/L", "zh", (0.3, 0.5, "mg/L", "range")),
        ("水温不低于26℃", "zh", (26, None, "degC", ">=")),
        ("within 4 hours", "en", (4, None, "h", "<=")),
        ("at least 50 m", "en", (50, None, "m", ">=")),
        ("no more than 3 rings", "en", (3, None, "count", "<=")),
        ("shall not exceed 30 minutes", "en", (30, None, "min", "<=")),
        ("wait 5-10 seconds", "en", (5, 10, "s", "range")),
    ],
)
def test_issue_examples(text, lang, expected):
    got = find_thresholds(text, lang)
    assert got, text
    t = got[0]
    v, mx, unit, cmp_ = expected
    assert _close(t.value, v) and _close(t.max, mx) and t.unit == unit and t.comparator == cmp_, (text, t)
    assert 0 < t.confidence <= 1 and t.rule


def test_frequency_per():
    t = find_thresholds("对居民用户每2年检查不得少于1次", "zh")[0]
    assert t.per == "2 year"
    t = find_thresholds("Gas installations shall be inspected at least once every 2 years.", "en")[0]
    assert (t.value, t.unit, t.comparator, t.per) == (1, "count", ">=", "2 year")


def test_english_details():
    got = find_thresholds("Engineers must arrive within half an hour and complete repairs within twenty-four hours.", "en")
    assert [(t.value, t.unit, t.comparator, t.per) for t in got] == [(0.5, "h", "<=", None), (24, "h", "<=", None)]
    got = find_thresholds("Callers shall not be kept on hold for longer than 2 minutes.", "en")
    assert [(t.value, t.unit, t.comparator) for t in got] == [(2, "min", "<=")]
    got = find_thresholds("Staff must not work more than 48 hours per week; rest at least 11 hours a day.", "en")
    assert [(t.value, t.comparator, t.per) for t in got] == [(48, "<=", "1 week"), (11, ">=", "1 d")]


def test_scoring_context_and_cable_context():
    assert find_thresholds("不低于80分", "zh", ["检查评分表"])[0].unit == "points"
    assert find_thresholds("3分钟内接听", "zh", ["检查评分表"])[0].unit == "min"
    assert find_thresholds("截面不小于6平方", "zh", ["临时用电 接地线"])[0].unit == "mm2"
    assert find_thresholds("面积不小于6平方", "zh", ["办公室"])[0].unit == "m2"


def test_si_values():
    a = find_thresholds("4小时内答复", "zh")[0]
    b = find_thresholds("240分钟内答复", "zh")[0]
    assert a.si_value == b.si_value == 14400 and a.si_unit == b.si_unit == "s"
    c = find_thresholds("距身体约30cm内", "zh")[0]
    assert c.si_unit == "m" and _close(c.si_value, 0.3)
    r = find_thresholds("等待5-10s", "zh")[0]
    assert r.si_value == 5 and r.si_max == 10
    assert units.to_si(50, "char/min") == (pytest.approx(50 / 60), "char/s")


# --------------------------------------------------------------- traps: not thresholds


@pytest.mark.parametrize(
    "text",
    [
        "云南省2016年上半年安全工程师模拟试题",  # dates
        "Jenny was compiled in January 2021, 2021年1月",
        "客户服务中心 二〇一〇年五月十四日",
        "文件编号:HSWIADM2018001 版次:第 2 版",  # document / version numbers
        "根据温住建发〔2011〕19号文件和GB/T 50326-2017执行",
        "本标准按照GB 50016—2014第5.2.3条的规定编制",
        "客服热线0577-88888888,服务号码96777",  # phone numbers
        "2.2.3 一般故障当日处理。 4.5.10 “我解决不了”。",  # clause numbers
        "第二次回访时应核实处理结果。再按第二次。",  # ordinal
        "问候客户:“您好,XX燃气公司3号客服员为您服务,请在3分钟内告诉我您的问题”",  # quoted script
        "统一零售价按物价部门核定",
        "一般故障及时处理",
        "如有疑问请咨询一下营业员",
        "各类机械配电箱必须符合一机一闸一漏保",
        "大门口七牌一图张挂整齐",
        "客服代表应一对一跟进",
        "做到三清、六好",
        "人工服务15秒接通率",  # the number names a metric
        "提供7*24*365全天候服务",
        "十分重要,千万不要忘记,万一发生事故",
        "公司经过10多年来的发展",
        "每周一上午10点30开始检查",
        "一方面提高服务质量,另一方面降低成本",  # 方 is not m3 here
        "负责生产现场7S管理",  # 7S management, not seconds
        "The service desk is available 24 hours a day, 7 days a week.",
        "See Section 3 and clause 4.2 of ISO 9001:2015, approved in 2021.",
    ],
)
def test_traps_are_not_thresholds(text):
    lang = "en" if text.isascii() else "zh"
    got = find_thresholds(text, lang)
    assert got == [], [(t.value, t.unit, t.text) for t in got]


def test_zai_before_years_is_not_a_deadline():
    # 在2小时更换 reads as "within"; 在10年专业积累的基础上 does not (at most a stated value)
    assert find_thresholds("保证备件在2小时更换", "zh")[0].comparator == "<="
    assert all(t.comparator != "<=" for t in find_thresholds("在10年专业积累的基础上总结而成", "zh"))


def test_full_width_digits():
    t = find_thresholds("不超过４小时", "zh")[0]
    assert (t.value, t.unit, t.comparator, t.text) == (4, "h", "<=", "不超过４小时")


def test_numbers_inside_quotes_skipped_but_outside_kept():
    got = find_thresholds("说:“请稍等3分钟”,并在5分钟内回复", "zh")
    assert [(t.value, t.unit) for t in got] == [(5, "min")]


# --------------------------------------------------------------- unit table vs pint


def test_unit_table_matches_pint():
    pint = pytest.importorskip("pint")
    ureg = pint.UnitRegistry()
    names = {"s": "s", "min": "min", "h": "h", "d": "day", "week": "week", "month": "month", "year": "year",
             "ms": "ms", "mm": "mm", "cm": "cm", "m": "m", "km": "km", "mm2": "mm**2", "cm2": "cm**2",
             "m2": "m**2", "km2": "km**2", "ha": "hectare", "m3": "m**3", "L": "L", "g": "g", "kg": "kg",
             "t": "metric_ton", "KB": "kB", "MB": "MB", "GB": "GB", "TB": "TB", "kV": "kV", "mA": "mA",
             "kW": "kW", "kPa": "kPa", "MPa": "MPa", "km/h": "km/h", "Mohm": "megaohm"}
    table = units.table()
    for sym, pname in names.items():
        e = table[sym]
        si = {"m2": "m**2", "m3": "m**3", "byte": "byte", "ohm": "ohm"}.get(e["si"], e["si"])
        expected = ureg.Quantity(1, pname).to(si).magnitude
        assert math.isclose(e["factor"], expected, rel_tol=1e-9), (sym, e["factor"], expected)


def test_every_surface_unit_is_canonical():
    from stdkb import lang

    table = units.table()
    for lg in ("zh", "en"):
        data = lang.load(lg, "units")
        for surface, sym in list(data["units"].items()) + list(data.get("special", {}).items()):
            assert sym in table, (lg, surface, sym)


def test_never_crashes_on_arbitrary_text():
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import given, settings, strategies as st

    alphabet = st.sampled_from(list("0123456789.-~至到±%℃米分钟小时秒天年月日次个声下万千百一二三两十半之内以上下不超过少于每年“”\"()（）第 mXxs*/") + ["不少于", "及以上", "分之", "at least ", " hours", "within ", "£"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(alphabet, max_size=30).map("".join), st.sampled_from(["zh", "en"]))
    def run(text, lang):
        for t in find_thresholds(text, lang):
            assert t.comparator in ("<=", ">=", "<", ">", "=", "range")
            assert t.value is not None and t.unit
            assert 0 < t.confidence <= 1
            if t.comparator == "range":
                assert t.max is not None and t.max >= t.value

    run()


def test_simple_chinese_numerals_table_agrees_with_cn2an():
    """cn_to_number reads the common spans (三, 两, 二十, 三千) from a table instead of importing cn2an: every
    entry must be exactly what cn2an returns."""
    import cn2an

    from stdkb.extract import numerals

    table = numerals._simple_numerals()
    assert {"一", "两", "十", "十五", "两十", "九十九", "三千", "九万"} <= set(table)
    for span, value in table.items():
        assert cn2an.cn2an(span, "smart") == value, span
        assert numerals.cn_to_number(span) == float(value)
    assert numerals.cn_to_number("一百零五") == 105.0  # not in the table: cn2an


def test_simple_chinese_numerals_do_not_import_cn2an():
    import subprocess
    import sys

    code = ("import sys; from stdkb.extract.thresholds import find_thresholds; "
            "r = find_thresholds('每两年检查不得少于三次,不超过二十分钟'); "
            "print(len(r), 'cn2an' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["2", "False"], out


def test_english_rewrites_change_nothing(monkeypatch):
    """The English patterns rewritten for speed (case-insensitive first-letter guards, number words bucketed by
    first letter, the digits of a number as an atomic group, the comparator word before a number found without a
    search) give the same thresholds as the plain patterns on random splices of numbers, units, comparator and period words (capitals, ſ, K, ı, İ)."""
    import random
    import re

    from stdkb.extract import thresholds as T

    fast_L = T._lang("en")
    with monkeypatch.context() as mp:
        mp.setattr(T, "first_class", lambda pattern: None)
        mp.setattr(T, "dispatch_alternation", lambda parts, ignorecase: None)
        mp.setattr(T, "_ATOMIC", False)
        plain_L = T._Lang("en")
    for name in ("rx", "per_rx", "count_rx"):
        assert getattr(plain_L, name).pattern != getattr(fast_L, name).pattern, name
    pieces = ["within", "at least", "not more than", "no more than", "NOT LESS THAN", "up to", "a maximum of",
              "more than", "less than", "maximum", "minimum", "between", "from", "and", "to", "every", "each", "per",
              "a day", "an hour", "twice", "once", "thrice", "daily", "weekly", "annually", "shall not exceed", "≤",
              "≥", "approximately", "about", "not", "never", "no person", "ſhall", "leaſt", "\u212a", "ı", "İ",
              "48", "2", "2.5", "1,000", "three", "Twenty-one", "a dozen", "half an", "three (3)", "(4)", "7",
              "hours", "h", "minutes", "min", "m", "mm", "km/h", "°C", "%", "days", "working days", "years", "kg",
              "per cent", "times", "GBP", "USD 20", "£5", "Section", "Clause", "version",
              " ", "  ", ", ", ". ", "; ", "-", "x", "\n", "e", "phone", "someone", "ONCE", "Twice", "Dozen",
              "Half A", "tHIRTY", "ſix", "é",
              "1,000,000", "2.5.1", "3,5", ".5", "10,00", "1,000.5", "12.", "0.75", "7,000,0"]
    rng = random.Random(11)
    texts = ["".join(rng.choice(pieces) + rng.choice([" ", "", " "]) for _ in range(rng.randint(1, 12)))
             for _ in range(6000)]
    texts = [t.upper() if i % 7 == 0 else (t.title() if i % 5 == 0 else t) for i, t in enumerate(texts)]
    fast = [T.find_thresholds(t, "en", ("Site Safety Rules",)) for t in texts]

    def slow_prefix(L, back):
        m = L.prefix_rx.search(back)
        return (m.start(), m.group("cmp")) if m else None

    monkeypatch.setattr(T, "_lang", lambda lang: plain_L)
    monkeypatch.setattr(T, "_prefix_at_end", slow_prefix)
    # the cheap pre-checks off ("" ends / is in every string): every search runs
    monkeypatch.setattr(T, "_EN_PERIOD_WORDS", ("",))
    monkeypatch.setattr(T, "_EN_LABEL_WORDS", ("",))
    plain_L.count_probe = re.compile("")
    plain_L.any_word_probe = None  # the any_num search itself decides whether to look at all

    slow = [T.find_thresholds(t, "en", ("Site Safety Rules",)) for t in texts]
    assert slow == fast
    assert sum(map(len, fast)) > 1000  # the splices do hold thresholds


def test_english_number_precheck_is_any_num():
    import random

    from stdkb.extract import thresholds as T

    L = T._lang("en")
    words = ["one", "Twice", "a dozen", "HALF AN", "phone", "ſix", "thirteen", "none", "x", " ", "é", "7", "٣", "三", "Ten"]
    rng = random.Random(2)
    for _ in range(3000):
        s = "".join(rng.choice(words) + rng.choice(["", " ", "-"]) for _ in range(rng.randint(0, 5)))
        fast = L.any_digit.search(s) is not None or (
            L.any_word_probe.search(s.lower()) is not None if s.isascii() else L.any_num.search(s) is not None)
        assert fast == (L.any_num.search(s) is not None), s


def test_units_by_lower_is_the_first_unit_of_that_case():
    from stdkb.extract import thresholds as T

    for lang in ("en", "zh"):
        L = T._lang(lang)
        for k in L.units:
            for surface in (k, k.upper(), k.lower(), k.title(), k.swapcase()):
                loop = next((v for kk, v in L.units.items() if kk.lower() == surface.lower()), None)
                assert L.units_by_lower.get(surface.lower()) == loop


@pytest.mark.parametrize("odd, plain", [
    ("The supplier shall respond at leaſt 5 times a year.", "The supplier shall respond at least 5 times a year."),
    ("The gap shall be no leſs than 2 m.", "The gap shall be no less than 2 m."),
    ("Staff shall answer within 2 hours, at leaſt twice a year.", "Staff shall answer within 2 hours, at least twice a year."),
    ("Each \u212aEEPER shall inspect at least twice a year.", "Each KEEPER shall inspect at least twice a year."),
])
def test_case_variants_a_pattern_accepts_are_looked_up_like_ascii(odd, plain):
    # Python's case-insensitive regex lets ſ stand for s and the Kelvin sign for k (K); the words it matched used to
    # be looked up lower-cased only, and 'at leaſt' raised KeyError (the whole file failed)
    def key(t):
        return [(x.value, x.unit, x.comparator, x.per, x.rule) for x in find_thresholds(t, lang="en")]
    assert key(odd) == key(plain) and key(plain)
