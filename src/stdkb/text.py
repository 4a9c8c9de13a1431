"""Text helpers shared by every stage.

``fold`` maps full-width ASCII (digits, letters, punctuation) and the ideographic space to their
half-width forms. It is length-preserving (one character in, one character out), so offsets found on the
folded text are valid on the original, which is what we keep for display.
"""
from __future__ import annotations

import re
from functools import lru_cache

_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20  # ideographic space
_FOLD[0x00A0] = 0x20  # no-break space
_FOLD[0x2002] = 0x20
_FOLD[0x2003] = 0x20
_FOLD[0x2009] = 0x20
_FOLD[0x200B] = 0x20  # zero-width space (kept length-preserving)
_FOLD[0xFEFF] = 0x20  # stray BOM inside text
_FOLD[0x2024] = 0x2E  # one dot leader
_FOLD[0xFE52] = 0x2E  # small full stop
_FOLD[0x2027] = 0x2E
_FOLD[0x3002] = 0x3002  # keep the ideographic full stop as is (it ends sentences, it is not a decimal point)


# str.translate with a dict looks every character up: substituting only the runs of foldable characters is
# about 4x faster on Chinese text (fold is on the segmenter's hot path)
_FOLD_SRC = "".join(chr(c) for c, v in _FOLD.items() if c != v)
_FOLD_RUN = re.compile("[" + re.escape(_FOLD_SRC) + "]+")
_FOLD_CHAR = re.compile("[" + re.escape(_FOLD_SRC) + "]")
_FOLD_STR = {chr(c): chr(v) for c, v in _FOLD.items() if c != v}  # (no target is itself folded)


def _fold_run(m: "re.Match") -> str:
    return m.group().translate(_FOLD)


def _fold(s: str) -> str:
    # Chinese text holds a few distinct full-width marks (，：（）), each many times: one str.replace per distinct
    # character is 2x faster than a Python call per run, and the scan alone is faster than sub() when there is
    # nothing to fold. Many distinct characters (full-width Latin text): per run.
    found = _FOLD_CHAR.findall(s)
    if not found:
        return s
    distinct = set(found)
    if len(distinct) > 8:
        return _FOLD_RUN.sub(_fold_run, s)
    for ch in distinct:
        s = s.replace(ch, _FOLD_STR[ch])
    return s


# the splitter and the segmenter look at the same line several times: lines are cached. Long lines (run-on
# paragraphs, a tenth of the lines but most of the text) get a cache of their own, small enough to bound its
# memory (at most 256 lines of <= 4096 characters; a line with nothing to fold is its own folded form)
_fold_line = lru_cache(maxsize=4096)(_fold)
_fold_long = lru_cache(maxsize=256)(_fold)


def fold(s: str) -> str:
    """Full-width -> half-width, length-preserving."""
    n = len(s)
    return _fold_line(s) if n <= 256 else _fold_long(s) if n <= 4096 else _fold(s)


# characters that start a bullet item line (the segmenter takes a dash-like one only when a space follows)
BULLETS = "•·●○◆◇■□▪▫►▸"
DASH_BULLETS = "-*–—"

_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def detect_lang(text: str) -> str:
    """'zh' when CJK characters make up a real share of the letters, else 'en'."""
    sample = text[:3000]
    # counted with byte operations (a regex over every character was a tenth of document splitting): every
    # non-ASCII character is counted as CJK (a CJK character is 3 bytes in UTF-8, 2 more than its 1 character)
    cjk = (len(sample.encode("utf-8", "ignore")) - len(sample)) // 2
    latin = len(sample.encode("ascii", "ignore").translate(None, _NON_LETTERS))
    if cjk == 0 and latin == 0:
        return "zh"
    return "zh" if cjk * 3 >= latin * 0.5 else "en"

