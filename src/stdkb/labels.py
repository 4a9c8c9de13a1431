"""Clause-number recognition: find numbering labels at the start of a line or inside run-on text.

A :class:`Label` says which numbering *family* a label belongs to ("decimal" 1 / 1.1 / 1.1.1, "cn_dun" 一、,
"cn_paren" (一), "num_dun" 1、, "num_paren" (1), "num_rparen" 1), "circled" ①, "alpha." A. / "alpha、" A、,
"alpha_paren" (a), "ord:chapter" 第一章 ..., "appendix" 附录 / Appendix A, "bare" a bare number glued to text or
followed by a space), its integer value (or a tuple for decimals), the normalised label ("(一)", "2.2.3",
"第三条") and where the clause text starts.

This module only *proposes* labels; :mod:`stdkb.segment` decides which proposals are clause starts by
checking them against the numbering the document actually uses (a "1" glued to text is only a clause
when a list starts there or it continues one). The words (章/节/条, 附录, Section, units that mark a number
as a value) are language data in ``lang/*/segment.json``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Union

from .text import fold

_LANG_DIR = Path(__file__).parent / "lang"


@lru_cache(maxsize=None)
def lang_data(lang: str, name: str) -> dict:
    path = _LANG_DIR / lang / f"{name}.json" if lang else _LANG_DIR / f"{name}.json"
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二三四五六七八九十百千两"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12}

def _roman_numerals(limit: int) -> dict:
    """Lower-case Roman numerals 1..limit: {"i": 1, ..., "xiv": 14, ...}."""
    out = {}
    for v in range(1, limit + 1):
        tens, ones = divmod(v, 10)
        out["x" * tens + ["", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"][ones]] = v
    return out


_ROMAN_ALL = _roman_numerals(39)  # what "(xiv)" can hold: four letters of i/v/x at most


def cn_to_int(s: str) -> Optional[int]:
    """Small Chinese ordinal numbers used in clause labels (一 .. 九百九十九); None if not a number."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            unit = CN_UNITS[ch]
            total += (current or 1) * unit
            current = 0
        else:
            return None
    return total + current


@dataclass(slots=True)
class Label:
    family: str
    value: Union[int, tuple]
    label: str  # normalised: "2.2.3", "1", "一", "(一)", "第三条", "A", "附录"
    raw: str  # the characters consumed, delimiter included ("（一）", "1、", "第一阶段:")
    start: int  # offset in the line where the label starts
    end: int  # offset where the clause text starts
    delim: str = ""  # "glued", "space", ".", "、", ")" ...

    @property
    def depth(self) -> int:
        return len(self.value) if isinstance(self.value, tuple) else 1


_CJK = r"\u3400-\u9fff\uf900-\ufaff"


def _patterns() -> dict:
    if not _P:
        _P.update(_build_patterns())
    return _P


def _build_patterns() -> dict:
    zh = lang_data("zh", "segment")
    en = lang_data("en", "segment")
    suffixes = sorted(zh["ordinal_suffixes"], key=len, reverse=True)
    appendix = sorted(zh["appendix_words"], key=len, reverse=True)
    en_app = sorted(en["appendix_words"], key=len, reverse=True)
    en_kw = sorted(en["keyword_labels"], key=len, reverse=True)
    followers = sorted(set(zh["value_followers"]) | set(en["value_followers"]), key=len, reverse=True)
    P = {}
    P["ord"] = re.compile(r"第\s*([%s\d]{1,6})\s*(%s)" % (CN_NUM, "|".join(map(re.escape, suffixes))))
    P["appendix"] = re.compile(r"(%s)\s*([A-Z]|\d{1,2}|[一二三四五六七八九十]{1,3})?(?=[\s:：.、(（" % "|".join(map(re.escape, appendix)) + _CJK + r"]|$)")
    # "A.1", "B.2.3": clauses of a lettered appendix
    P["alpha_decimal"] = re.compile(r"([A-Z])((?:\.\d{1,3}){1,5})\.?(?![\d.])")
    P["en_appendix"] = re.compile(r"(%s)\s+([A-Z]|\d{1,2})\b\.?" % "|".join(map(re.escape, en_app)))
    P["en_kw"] = re.compile(r"(%s)\s+(\d{1,3}(?:\.\d{1,3}){0,5}|[IVXivx]{1,5})\b\.?" % "|".join(map(re.escape, en_kw)), re.I)
    P["cn_paren"] = re.compile(r"\(\s*([一二三四五六七八九十]{1,3})\s*\)")
    P["cn_dun"] = re.compile(r"([一二三四五六七八九十]{1,3})\s*[、.．](?!\d)")
    P["num_paren"] = re.compile(r"\(\s*(\d{1,3})\s*\)")
    P["alpha_paren"] = re.compile(r"\(\s*([a-zA-Z]|[ivx]{1,4})\s*\)")
    P["circled"] = re.compile(r"([%s])" % CIRCLED)
    # a number: multi-level ("2.2.3", group 1) if there is one, else a single number (group 2) and its delimiter
    # ("、" or ")" in group 3, "." in group 4, or white space / CJK text following)
    decimal = r"(\d{1,3}(?:\.\d{1,3}){1,5})\.?(?![\d.])"
    num = r"(\d{1,3})(?:\s*(、|\))|(\.)(?![\d.])|(?=\s|[%s]))" % _CJK
    P["number"] = re.compile("(?:%s)|(?:%s)" % (decimal, num))
    P["alpha"] = re.compile(r"([A-Za-z])\s*(、|\.|\)|．)(?=\s|[%s]|$|[A-Z])" % _CJK)
    P["followers"] = followers
    cjk_f = [f for f in followers if not f.isascii()]
    latin_f = [f for f in followers if f.isascii()]
    # a CJK unit must touch the number ("50米"); a Latin one may follow a space ("5 s", "30 minutes")
    P["follower_re"] = re.compile(r"(?:%s)|\s*(?:%s)" % ("|".join(map(re.escape, cjk_f)), "|".join(map(re.escape, latin_f))))
    P["latin_follower_re"] = re.compile(r"\s*(?:%s)" % "|".join(map(re.escape, latin_f)))
    P["follower_first"] = (frozenset(x[0] for x in followers)
                           if all(followers) and not any(x[0].isspace() for x in followers) else None)
    P["latin_first"] = frozenset(x[0] for x in latin_f if x)
    return P


def _value_follows(text: str, pos: int, latin_only: bool = False) -> bool:
    """True when what follows ``pos`` marks the preceding number as a value ("50米", "2.0米高", "30cm").
    ``latin_only``: after a space only a Latin unit counts ("5 s"); a CJK word after a space starts a title."""
    P = _P or _patterns()
    # every follower starts with one of a few characters (or white space before a Latin unit): most numbers
    # are followed by something else, answered without the regex (an alternation of 100+ words)
    first = P["follower_first"]
    if first is not None:
        if pos >= len(text):
            return False
        c = text[pos]
        if c.isspace():  # only a Latin unit may follow a space
            k = pos + 1
            n = len(text)
            while k < n and text[k].isspace():
                k += 1
            if k >= n or text[k] not in P["latin_first"]:
                return False
        elif c not in first:
            return False
    m = (P["latin_follower_re"] if latin_only else P["follower_re"]).match(text, pos)
    if not m:
        return False
    end = m.end()
    # a Latin unit must not run on into a word: "1 Scope" is a label, "5 s" or "4 h." is a value
    tok = text[pos:end].strip()
    if tok and tok[-1].isascii() and tok[-1].isalpha() and end < len(text) and text[end].isascii() and text[end].isalpha():
        return False
    return True


# characters a label can start with (besides ASCII letters: Section, A., (a) start with "(" or a letter)
_START_CHARS = frozenset("0123456789第附(一二三四五六七八九十" + CIRCLED)
_CN_LABEL_DIGITS = frozenset("一二三四五六七八九十")
_SWALLOW = re.compile(r"[:：]*[ \t]*")  # a colon and/or white space after a label belongs to the label
_DUN_FAMILY = {"、": "num_dun", ")": "num_rparen"}
_P: dict = {}  # _patterns(), once built (a global is cheaper than the cached call on this hot path)


def _finish(line: str, f: str, n: int, pos: int, family: str, value, label: str, end: int, delim: str) -> Label:
    # swallow a following colon/space: they belong to the label, not the clause text
    if end < n and f[end] in ":： \t":
        if f[end] == " " and (end + 1 == n or f[end + 1] not in " \t"):
            end += 1  # (the usual single space, without the regex)
        else:
            end = _SWALLOW.match(f, end).end()
    return Label(family, value, label, line[pos:end], pos, end, delim)


_PARTS: dict = {}  # "2.2.3" -> (2, 2, 3): the same numbers recur in every document


def _parts(num: str) -> tuple:
    parts = _PARTS.get(num)
    if parts is None:
        if len(_PARTS) > 4096:  # (bounded: a few hundred distinct numbers in real documents)
            _PARTS.clear()
        parts = _PARTS[num] = tuple(map(int, num.split(".")))
    return parts


def parse_label(line: str, pos: int = 0, *, folded: Optional[str] = None) -> Optional[Label]:
    """Propose a label starting exactly at ``pos`` of ``line``. ``folded`` is ``fold(line)`` if already known."""
    f = folded if folded is not None else fold(line)
    n = len(f)
    if pos >= n:
        return None
    ch = f[pos]
    if ch not in _START_CHARS and not (ch.isascii() and ch.isalpha()):
        return None  # most lines start with text: answer before any regex
    P = _P or _patterns()
    if "0" <= ch <= "9":  # (not isdigit(): circled numbers are digits for Python)
        # one regex: a multi-level number ("2.2.3") if there is one, else a single number and its delimiter
        m = P["number"].match(f, pos)
        if m is None:
            return None
        num = m.group(1)
        if num is not None:
            if num[0] == "0" or ".0" in num:  # 2.0米, 1.05: values, not clause numbers
                return None
            parts = _parts(num)
            end = m.end()
            if end < n:
                c = f[end]
                if c.isdigit():
                    return None
                if (c == " " and end + 1 < n and P["follower_first"] is not None and not f[end + 1].isspace()
                        and f[end + 1] not in P["latin_first"]):
                    pass  # "2.1 服务理念": a word after the space, no unit (what _value_follows answers, sooner)
                elif _value_follows(f, end):
                    return None
                if c not in " \t:：、" and not ("\u3400" <= c <= "\u9fff") and not c.isalpha():
                    return None
                return _finish(line, f, n, pos, "decimal", parts, num, end, "space" if c in " \t" else "glued")
            return _finish(line, f, n, pos, "decimal", parts, num, end, "glued")
        v = int(m.group(2))
        d = m.group(3) or m.group(4) or ""
        end = m.end()
        if d:
            delim = d
        elif end < n and f[end] in " \t":
            delim = "space"
        else:
            delim = "glued"
        if delim in ("space", "glued", ".") and _value_follows(f, end):
            return None
        if delim == "space":
            # "1 总则": the text after the space must start a word, not another number or a unit
            k = end
            while k < n and f[k] in " \t":
                k += 1
            if k >= n or _value_follows(f, k, latin_only=True) or f[k].isdigit():
                return None
            # a CJK unit after a space: "第 2 版", "共 3 人。" (but "3 人员要求", "1 安检要求" are titles)
            if f[k] in "版年月日号" or (_value_follows(f, k) and (k + 1 >= n or not ("\u3400" <= f[k + 1] <= "\u9fff"))):
                return None
        return _finish(line, f, n, pos, _DUN_FAMILY.get(delim, "bare"), v, str(v), end, delim)
    if ch == "第":
        m = P["ord"].match(f, pos)
        if m:
            v = cn_to_int(m.group(1))
            if v is not None and v > 0:
                kind = lang_data("zh", "segment")["ordinal_suffixes"][m.group(2)]
                return _finish(line, f, n, pos, "ord:" + kind, v, "第" + line[m.start(1):m.end(1)].strip() + m.group(2),
                               m.end(), "")
        return None
    if ch == "附":
        m = P["appendix"].match(f, pos)
        if m:
            suffix = m.group(2) or ""
            v = (ord(suffix) - 64) if suffix.isalpha() and suffix.isascii() else (cn_to_int(suffix) or 0)
            word = re.sub(r"\s+", "", m.group(1))
            value = (suffix,) if suffix.isalpha() and suffix.isascii() else v
            return _finish(line, f, n, pos, "appendix", value, word + suffix, m.end(), "")
        return None
    if ch == "(":
        k = pos + 1
        while k < n and f[k] in " \t":
            k += 1
        nxt = f[k] if k < n else ""
        if nxt.isdigit():
            m = P["num_paren"].match(f, pos)
            if m:
                return _finish(line, f, n, pos, "num_paren", int(m.group(1)), f"({int(m.group(1))})", m.end(), "()")
        elif nxt and nxt in CN_NUM:
            m = P["cn_paren"].match(f, pos)
            if m:
                g = m.group(1)
                return _finish(line, f, n, pos, "cn_paren", cn_to_int(g), f"({g})", m.end(), "()")
        else:
            m = P["alpha_paren"].match(f, pos)
            if m:
                g = m.group(1)
                if len(g) > 1:
                    v = _ROMAN_ALL.get(g)
                    if v is None:
                        return None  # "(iiii)", "(vx)": letters, not a number
                    return _finish(line, f, n, pos, "roman_paren", v, f"({g})", m.end(), "()")
                return _finish(line, f, n, pos, "alpha_paren", ord(g.lower()) - 96, f"({g})", m.end(), "()")
        return None
    if ch in _CN_LABEL_DIGITS:
        m = P["cn_dun"].match(f, pos)
        if m:
            return _finish(line, f, n, pos, "cn_dun", cn_to_int(m.group(1)), m.group(1), m.end(), "、")
        return None
    if ch in CIRCLED:
        return _finish(line, f, n, pos, "circled", CIRCLED.index(ch) + 1, ch, pos + 1, "")
    if ch.isalpha() and ch.isascii():
        m = P["alpha_decimal"].match(f, pos)
        if m and (m.end() >= n or f[m.end()] in " \t" or "\u3400" <= f[m.end()] <= "\u9fff"):
            parts = (m.group(1),) + tuple(int(x) for x in m.group(2).strip(".").split("."))
            label = m.group(1) + m.group(2)
            return _finish(line, f, n, pos, "decimal", parts, label, m.end(),
                           "space" if m.end() < n and f[m.end()] in " \t" else "glued")
        m = P["en_kw"].match(f, pos)
        if m:
            kw = m.group(1).lower()
            fam = lang_data("en", "segment")["keyword_labels"][kw]
            num = m.group(2)
            if (fam == "decimal" or "." in num) and num[0].isdigit():
                # "Chapter 1.2": a multi-level number is a clause number whatever the keyword says
                parts = tuple(int(x) for x in num.split("."))
                return _finish(line, f, n, pos, "decimal", parts, num, m.end(), "space")
            if num[0].isdigit():
                return _finish(line, f, n, pos, "ord:" + fam, int(num), f"{m.group(1)} {num}", m.end(), "")
            return _finish(line, f, n, pos, "ord:" + fam, ROMAN.get(num.lower(), 0), f"{m.group(1)} {num}", m.end(), "")
        m = P["en_appendix"].match(f, pos)
        if m:
            suffix = m.group(2)
            v = (suffix,) if suffix.isalpha() else int(suffix)
            return _finish(line, f, n, pos, "appendix", v, f"{m.group(1)} {suffix}", m.end(), "")
        m = P["alpha"].match(f, pos)
        if m:
            g = m.group(1)
            d = m.group(2).replace("．", ".")
            # "e.g." / "i.e." / "No." are not labels
            if d == "." and m.end() < n and f[m.end()] == "." or f[pos:pos + 4].lower() in ("e.g.", "i.e."):
                return None
            fam = ("alpha" if g.isupper() else "alpha_l") + d
            return _finish(line, f, n, pos, fam, ord(g.lower()) - 96, g, m.end(), d)
    return None
