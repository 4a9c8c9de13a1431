"""Word automatic numbering: render list labels the way Word shows them (ECMA-376 Part 1, §17.9).

python-docx exposes ``numbering.xml`` but does not compute the numbers, and many standards number their
clauses with Word lists, so the number ("2.2.3", "一、", "（一）", "第三条") is not in the paragraph text.

Model (what :class:`Numbering` implements):

* A paragraph is numbered by ``w:numPr`` (``w:numId`` + ``w:ilvl``) in its own properties, or inherited from
  its paragraph style (and that style's ``w:basedOn`` chain). ``numId`` 0 removes numbering. When the style
  gives the numId but no ilvl, the level whose ``w:pStyle`` names the style is used (else level 0).
* ``w:num`` points to a ``w:abstractNum``; its ``w:lvlOverride`` can carry ``w:startOverride`` and/or a full
  ``w:lvl`` replacing the abstract definition of that level. An abstractNum may be a ``w:numStyleLink`` to a
  numbering style whose numPr points to the real definition.
* Each level has ``w:start`` (default 0 per the spec), ``w:numFmt`` (default decimal), ``w:lvlText`` (``%1``
  .. ``%9`` are the counters of levels 1..9), ``w:isLgl`` (all counters shown as decimal) and
  ``w:lvlRestart`` (absent: the level restarts whenever a higher level is used; 0: never restarts; n: it
  restarts only when a level 1..n is used).
* Counters: nums without overrides that share an abstractNum continue one list (Word's behaviour); a num
  with a ``startOverride``/level override is its own list instance, starting from its override values.
  A counter that was never used (or was reset) shows its start value when a deeper level refers to it.

``bullet`` levels and empty renderings give no label (``None``).
"""
from __future__ import annotations

from typing import Optional

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{%s}" % W_NS
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return _W + tag


def _val(el, default=None):
    if el is None:
        return default
    v = el.get(_w("val"))
    return default if v is None else v


def _int(v, default=None):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def _on(el) -> bool:
    """An OOXML on/off property: present without val, or val in true/1/on."""
    if el is None:
        return False
    v = el.get(_w("val"))
    return v is None or v.lower() in ("1", "true", "on")


# --------------------------------------------------------------------------------------------- formats

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_UNITS = ("", "十", "百", "千")
_CN_LEGAL_UNITS = ("", "拾", "佰", "仟")
_TRAD_DIGITS = "零壹貳參肆伍陸柒捌玖"
_IDEO_TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"
_IDEO_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = [chr(0x2460 + i) for i in range(20)]  # ① .. ⑳
_PAREN = [chr(0x2474 + i) for i in range(20)]  # ⑴ .. ⒇
_FULLSTOP = [chr(0x2488 + i) for i in range(20)]  # ⒈ .. ⒛
_CIRCLED_CJK = [chr(0x3220 + i) for i in range(10)]  # ㈠ .. ㈩


def _cn_under_10000(n: int, digits: str, units, tens_short: bool) -> str:
    """Chinese counting of 1..9999 (一千零二十, 十一). ``tens_short``: 10..19 written 十.. not 一十.."""
    s = []
    zero = False
    parts = [(n // 1000) % 10, (n // 100) % 10, (n // 10) % 10, n % 10]
    started = False
    for i, d in enumerate(parts):
        unit = units[3 - i]
        if d == 0:
            if started:
                zero = True
            continue
        if zero:
            s.append(digits[0])
            zero = False
        if not (tens_short and d == 1 and unit == units[1] and not started):
            s.append(digits[d])
        s.append(unit)
        started = True
    return "".join(s)


def chinese_counting(n: int, legal: bool = False, thousand: bool = True) -> str:
    """Chinese number words: 1 一, 10 十, 11 十一, 20 二十, 105 一百零五, 10000 一万.

    ``legal``: financial characters (壹贰叁, 拾佰仟), where 10 is 壹拾. ``thousand=False`` follows Word's
    ``chineseCounting``: numbers from 100 on are written digit by digit (一〇一)."""
    if n <= 0:
        return _CN_DIGITS[0] if not legal else _CN_LEGAL_DIGITS[0]
    digits = _CN_LEGAL_DIGITS if legal else _CN_DIGITS
    units = _CN_LEGAL_UNITS if legal else _CN_UNITS
    if not thousand and not legal and n >= 100:
        return "".join("〇" if c == "0" else _CN_DIGITS[int(c)] for c in str(n))
    if n < 10000:
        return _cn_under_10000(n, digits, units, tens_short=not legal)
    hi, lo = divmod(n, 10000)
    head = chinese_counting(hi, legal=legal, thousand=True) + ("萬" if legal else "万")
    if lo == 0:
        return head
    tail = _cn_under_10000(lo, digits, units, tens_short=False)
    if lo < 1000:
        tail = digits[0] + tail
    return head + tail


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letter(n: int) -> str:
    """Word's letter numbering: A..Z, then AA..ZZ, AAA.. (the letter repeated)."""
    if n <= 0:
        return str(n)
    q, r = divmod(n - 1, 26)
    return chr(ord("A") + r) * (q + 1)


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


_EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
            "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_EN_ORD = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth",
           "twelve": "twelfth"}


def _cardinal_text(n: int) -> str:
    if n < 0 or n >= 1000:
        return str(n)
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        t, o = divmod(n, 10)
        return _EN_TENS[t] + ("-" + _EN_ONES[o] if o else "")
    h, rest = divmod(n, 100)
    return _EN_ONES[h] + " hundred" + (" " + _cardinal_text(rest) if rest else "")


def _ordinal_text(n: int) -> str:
    words = _cardinal_text(n)
    if words.isdigit():
        return words + _ordinal_suffix(n)
    head, _, last = words.rpartition(" ")
    pre, dash, tail = last.rpartition("-")
    if tail in _EN_ORD:
        tail = _EN_ORD[tail]
    elif tail.endswith("y"):
        tail = tail[:-1] + "ieth"
    else:
        tail = tail + "th"
    last = pre + dash + tail
    return (head + " " + last if head else last)


def format_number(n: int, fmt: str) -> Optional[str]:
    """Render counter ``n`` in OOXML number format ``fmt`` (ST_NumberFormat). ``None`` for bullets."""
    fmt = fmt or "decimal"
    if fmt == "bullet":
        return None
    if fmt == "none":
        return ""
    if fmt in ("decimal", "decimalHalfWidth"):
        return str(n)
    if fmt == "decimalZero":
        return "%02d" % n if 0 <= n < 10 else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in str(n))
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letter(n)
    if fmt == "lowerLetter":
        return _letter(n).lower()
    if fmt == "ordinal":
        return f"{n}{_ordinal_suffix(n)}"
    if fmt == "cardinalText":
        t = _cardinal_text(n)
        return t[:1].upper() + t[1:]
    if fmt == "ordinalText":
        t = _ordinal_text(n)
        return t[:1].upper() + t[1:]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return _PAREN[n - 1] if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return _FULLSTOP[n - 1] if 1 <= n <= 20 else f"{n}."
    if fmt == "ideographEnclosedCircle":
        return _CIRCLED_CJK[n - 1] if 1 <= n <= 10 else str(n)
    if fmt in ("chineseCountingThousand", "taiwaneseCountingThousand", "japaneseCounting", "koreanCounting"):
        return chinese_counting(n, thousand=True)
    if fmt in ("chineseCounting", "taiwaneseCounting"):
        return chinese_counting(n, thousand=False)
    if fmt in ("chineseLegalSimplified",):
        return chinese_counting(n, legal=True)
    if fmt in ("ideographLegalTraditional", "japaneseLegal"):
        return chinese_counting(n, legal=True).translate(str.maketrans(_CN_LEGAL_DIGITS, _TRAD_DIGITS))
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇" if c == "0" else _CN_DIGITS[int(c)] if c.isdigit() else c for c in str(n))
    if fmt == "ideographTraditional":  # 甲乙丙丁..., Word falls back to decimal after the tenth
        return _IDEO_TRADITIONAL[n - 1] if 1 <= n <= 10 else str(n)
    if fmt == "ideographZodiac":
        return _IDEO_ZODIAC[n - 1] if 1 <= n <= 12 else str(n)
    return str(n)  # unknown/unsupported formats: Word itself shows decimal


# --------------------------------------------------------------------------------------------- definitions

class Level:
    __slots__ = ("ilvl", "start", "fmt", "text", "is_lgl", "restart", "pstyle")

    def __init__(self, ilvl: int, el=None):
        self.ilvl = ilvl
        self.start = 0
        self.fmt = "decimal"
        self.text: Optional[str] = None
        self.is_lgl = False
        self.restart: Optional[int] = None
        self.pstyle: Optional[str] = None
        if el is not None:
            self.update(el)

    def update(self, el) -> None:
        s = el.find(_w("start"))
        if s is not None:
            self.start = _int(_val(s), self.start)
        f = el.find(_w("numFmt"))
        if f is None:
            # Word 2010+ writes custom formats as mc:AlternateContent with a w14 choice and a classic fallback
            f = el.find("{%s}AlternateContent/{%s}Fallback/%s" % (_MC, _MC, _w("numFmt")))
        if f is not None:
            self.fmt = _val(f, "decimal")
        t = el.find(_w("lvlText"))
        if t is not None:
            self.text = _val(t, None)
        self.is_lgl = _on(el.find(_w("isLgl")))
        r = el.find(_w("lvlRestart"))
        if r is not None:
            self.restart = _int(_val(r), None)
        p = el.find(_w("pStyle"))
        if p is not None:
            self.pstyle = _val(p)

    def copy(self) -> "Level":
        c = Level(self.ilvl)
        for k in self.__slots__:
            setattr(c, k, getattr(self, k))
        return c


class _Instance:
    """A list instance: the levels in force and their counters."""

    __slots__ = ("levels", "counters")

    def __init__(self, levels: dict):
        self.levels = levels
        self.counters: dict = {}  # ilvl -> current value; absent = not used since (re)start


class Numbering:
    """Numbering definitions of one DOCX plus the running counters while its paragraphs are read in order.

    ``numbering_el``: the ``w:numbering`` element (or ``None``); ``styles_el``: the ``w:styles`` element (or
    ``None``) for numbering inherited from paragraph styles and numbering-style links.
    """

    def __init__(self, numbering_el=None, styles_el=None):
        self.abstract: dict = {}  # abstractNumId -> {ilvl: Level}
        self.abstract_link: dict = {}  # abstractNumId -> numbering style id (numStyleLink)
        self.nums: dict = {}  # numId -> (abstractNumId, {ilvl: startOverride}, {ilvl: Level override})
        self.style_numpr: dict = {}  # styleId -> (numId or None, ilvl or None)
        self.style_based: dict = {}  # styleId -> basedOn styleId
        self._instances: dict = {}
        self._num_cache: dict = {}
        if styles_el is not None:
            self._load_styles(styles_el)
        if numbering_el is not None:
            self._load_numbering(numbering_el)

    # ---- loading
    def _load_styles(self, styles_el) -> None:
        for st in styles_el.iter(_w("style")):
            sid = st.get(_w("styleId"))
            if not sid:
                continue
            b = st.find(_w("basedOn"))
            if b is not None and _val(b):
                self.style_based[sid] = _val(b)
            ppr = st.find(_w("pPr"))
            numpr = ppr.find(_w("numPr")) if ppr is not None else None
            if numpr is not None:
                self.style_numpr[sid] = (_int(_val(numpr.find(_w("numId")))), _int(_val(numpr.find(_w("ilvl")))))

    def _load_numbering(self, el) -> None:
        for an in el.iter(_w("abstractNum")):
            aid = _int(an.get(_w("abstractNumId")))
            if aid is None:
                continue
            levels = {}
            for lvl in an.findall(_w("lvl")):
                il = _int(lvl.get(_w("ilvl")))
                if il is None or not 0 <= il <= 8:
                    continue
                levels[il] = Level(il, lvl)
            self.abstract[aid] = levels
            link = an.find(_w("numStyleLink"))
            if link is not None and _val(link):
                self.abstract_link[aid] = _val(link)
        for num in el.iter(_w("num")):
            nid = _int(num.get(_w("numId")))
            if nid is None:
                continue
            aid = _int(_val(num.find(_w("abstractNumId"))))
            starts, overrides = {}, {}
            for ov in num.findall(_w("lvlOverride")):
                il = _int(ov.get(_w("ilvl")))
                if il is None or not 0 <= il <= 8:
                    continue
                so = ov.find(_w("startOverride"))
                if so is not None and _int(_val(so)) is not None:
                    starts[il] = _int(_val(so))
                lv = ov.find(_w("lvl"))
                if lv is not None:
                    overrides[il] = lv
            self.nums[nid] = (aid, starts, overrides)

    # ---- resolution
    def _abstract_levels(self, aid, depth: int = 0) -> dict:
        """Levels of an abstractNum, following numStyleLink to the numbering style's own definition."""
        if aid in self.abstract_link and depth < 8:
            sid = self.abstract_link[aid]
            nid, _ = self.style_numpr.get(sid, (None, None))
            if nid is not None and nid in self.nums:
                target = self.nums[nid][0]
                if target != aid:
                    return self._abstract_levels(target, depth + 1)
        return self.abstract.get(aid, {})

    def _instance(self, num_id: int) -> Optional[_Instance]:
        if num_id in self._num_cache:
            return self._num_cache[num_id]
        inst = None
        if num_id in self.nums:
            aid, starts, overrides = self.nums[num_id]
            base = self._abstract_levels(aid)
            if starts or overrides:
                levels = {il: lv.copy() for il, lv in base.items()}
                for il, el in overrides.items():
                    lv = levels[il].copy() if il in levels else Level(il)
                    lv.update(el)
                    levels[il] = lv
                for il, s in starts.items():
                    lv = levels[il].copy() if il in levels else Level(il)
                    lv.start = s
                    levels[il] = lv
                inst = _Instance(levels)  # own counters: a restarted list
            else:
                key = ("abstract", aid)
                inst = self._instances.get(key)
                if inst is None:
                    inst = self._instances[key] = _Instance(base)
        self._num_cache[num_id] = inst
        return inst

    def resolve_numpr(self, ppr, style_id: Optional[str]):
        """(numId, ilvl) in force for a paragraph, from its own ``w:pPr`` or its style chain; None if unnumbered."""
        num_id = ilvl = None
        if ppr is not None:
            numpr = ppr.find(_w("numPr"))
            if numpr is not None:
                num_id = _int(_val(numpr.find(_w("numId"))))
                ilvl = _int(_val(numpr.find(_w("ilvl"))))
        sid, seen = style_id, set()
        style_with_num = None
        while sid and sid not in seen and (num_id is None or ilvl is None):
            seen.add(sid)
            if sid in self.style_numpr:
                s_num, s_ilvl = self.style_numpr[sid]
                if num_id is None and s_num is not None:
                    num_id = s_num
                    style_with_num = sid
                if ilvl is None and s_ilvl is not None:
                    ilvl = s_ilvl
            sid = self.style_based.get(sid)
        if not num_id:  # None or 0 (0 = numbering explicitly removed)
            return None
        if ilvl is None:
            ilvl = 0
            inst = self._instance(num_id)
            if inst is not None and style_with_num:
                for il, lv in inst.levels.items():
                    if lv.pstyle == style_with_num:
                        ilvl = il
                        break
        return num_id, max(0, min(8, ilvl))

    def next_label(self, num_id: int, ilvl: int) -> tuple:
        """Advance the counters for a paragraph numbered (num_id, ilvl); return (label or None, fmt)."""
        inst = self._instance(num_id)
        if inst is None:
            return None, None
        lv = inst.levels.get(ilvl)
        if lv is None:
            lv = Level(ilvl)
            lv.start = 1
            lv.text = "%" + str(ilvl + 1) + "."
        c = inst.counters
        c[ilvl] = c[ilvl] + 1 if ilvl in c else lv.start
        for deeper in list(c):
            if deeper <= ilvl:
                continue
            dl = inst.levels.get(deeper)
            restart = dl.restart if dl is not None else None
            if restart is None or (restart != 0 and ilvl + 1 <= restart):
                del c[deeper]
        return self._render(inst, lv), lv.fmt

    def _render(self, inst: _Instance, lv: Level) -> Optional[str]:
        if lv.fmt == "bullet":
            return None
        text = lv.text
        if text is None:
            return None
        out = []
        i = 0
        while i < len(text):
            ch = text[i]
            if ch == "%" and i + 1 < len(text) and text[i + 1].isdigit() and text[i + 1] != "0":
                k = int(text[i + 1]) - 1
                ref = inst.levels.get(k)
                if ref is None:
                    ref = Level(k)
                    ref.start = 1
                n = inst.counters.get(k, ref.start)
                fmt = "decimal" if (lv.is_lgl and ref.fmt not in ("bullet", "none")) else ref.fmt
                s = format_number(n, fmt)
                out.append(s or "")
                i += 2
                continue
            out.append(ch)
            i += 1
        label = "".join(out).strip()
        return label or None

    def label_for(self, ppr, style_id: Optional[str]):
        """Resolve, advance and render: (label or None, ilvl) for a numbered paragraph, or None if unnumbered."""
        r = self.resolve_numpr(ppr, style_id)
        if r is None:
            return None
        num_id, ilvl = r
        if self._instance(num_id) is None:
            return None
        label, _fmt = self.next_label(num_id, ilvl)
        return label, ilvl
