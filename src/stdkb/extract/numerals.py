"""Chinese and English numerals -> numbers, for numeral spans the threshold patterns found.

Only spans matched by :mod:`stdkb.extract.thresholds` patterns come here: converting whole sentences
corrupts words (统一零售价, 一般故障, 咨询一下 are not numbers). Chinese spans go through ``cn2an``
(imported lazily, results cached), except the common simple ones (三, 两, 二十, 三千), read from a table.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

#: characters that may make up a Chinese numeral span
CN_CHARS = "零〇一二三四五六七八九十两百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
#: a Chinese numeral span must start with one of these (百度, 千万不要, 万一 are words, not numbers)
CN_START = "零〇一二三四五六七八九十两壹贰叁肆伍陆柒捌玖拾"
CN_NUMERAL = f"[{CN_START}][{CN_CHARS}]*"
AR_NUMERAL = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"

_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AR = re.compile(r"^(?:" + AR_NUMERAL + r")$")


@lru_cache(maxsize=4096)
def cn_to_number(span: str) -> Optional[float]:
    """Convert a Chinese (or mixed, "1万", "1.5万") numeral span; None when it is not a number."""
    span = span.strip()
    if not span:
        return None
    if _AR.match(span):
        return float(span.replace(",", ""))
    v = _simple_numerals().get(span)
    if v is not None:  # 三, 两, 二十, 三千: no need for cn2an (whose import costs ~0.1 s CPU per process)
        return float(v)
    import cn2an  # lazy: 0.1 s import

    try:
        v = cn2an.cn2an(span, "smart")
    except Exception:  # cn2an raises ValueError and friends on non-numbers
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def _simple_numerals() -> dict:
    """The common spans and their values: a digit (零〇一二两三…九), X十Y below 100 (十, 十五, 一十, 二十, 两十,
    九十九), and X百 / X千 / X万. Exactly what ``cn2an.cn2an(span, "smart")`` returns for each of them
    (tests/test_thresholds.py checks every entry against cn2an); any other span goes to cn2an."""
    digits = dict(_DIGIT, 零=0, 〇=0)
    table = dict(digits)
    nonzero = [(ch, v) for ch, v in digits.items() if v]
    for t_ch, t in [("", 1)] + nonzero:
        for u_ch, u in [("", 0)] + nonzero:
            table[t_ch + "十" + u_ch] = t * 10 + u
    for ch, v in nonzero:
        for unit, mul in (("百", 100), ("千", 1000), ("万", 10000)):
            table[ch + unit] = v * mul
    return table


def cn_pair_range(span: str) -> Optional[tuple[float, float]]:
    """"两三" / "三四" / "五六" (two adjacent digits = an approximate range) -> (2, 3); else None."""
    if len(span) == 2 and span[0] in _DIGIT and span[1] in _DIGIT:
        a, b = _DIGIT[span[0]], _DIGIT[span[1]]
        if b == a + 1:
            return float(a), float(b)
    return None


def looks_like_cn_date(span: str) -> bool:
    """"二〇一〇" / "二零二一" (digit-by-digit years) rather than a quantity."""
    if "〇" in span:
        return True
    return len(span) >= 4 and all(ch in _DIGIT or ch == "零" for ch in span)


def to_number(span: str, words: Optional[dict] = None) -> Optional[float]:
    """Arabic, Chinese or (with ``words``, e.g. English number words) a numeral span -> float."""
    s = span.strip()
    if _AR.match(s):
        return float(s.replace(",", ""))
    if words:
        low = s.lower()
        if low in words:
            return float(words[low])
        parts = re.split(r"[- ]", low)
        if len(parts) == 2 and parts[0] in words and parts[1] in words:
            a, b = words[parts[0]], words[parts[1]]
            if b == 100:
                return float(a * 100)
            return float(a + b)
    return cn_to_number(s)


def fraction(den: str, num: str) -> Optional[float]:
    """"三分之二": den="三", num="二" -> 0.6667 (unrounded)."""
    d, n = to_number(den), to_number(num)
    if d is None or n is None or d == 0:
        return None
    return n / d
