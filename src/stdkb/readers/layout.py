"""Layout helpers for page-based input (PDF): line building from characters, running header/footer and page
number detection. Pure functions over plain dicts, so they are testable without a PDF.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Optional

_CJK_RANGES = (
    (0x2E80, 0x2FDF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x312F), (0x31A0, 0x31FF), (0x3200, 0x32FF),
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x2FFFF),
)


def is_cjk(ch: str) -> bool:
    """CJK ideographs, kana, CJK punctuation and full-width forms: no spaces belong between two of these."""
    if not ch:
        return False
    o = ord(ch[0])
    if o < 0x2E80:
        return False
    for lo, hi in _CJK_RANGES:
        if lo <= o <= hi:
            return True
    return False


_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi|[-,](?:b|bd|w[6-9])$|hei|黑", re.I)


@lru_cache(maxsize=512)
def font_is_bold(fontname: str) -> bool:
    """Bold (or a heavy face such as 黑体/SimHei that Chinese standards use for headings) from the font name."""
    name = fontname.split("+", 1)[-1] if fontname else ""
    return bool(_BOLD_RE.search(name))


def build_lines(chars, *, exclude=(), width: Optional[float] = None) -> list:
    """Group a page's characters into lines in reading order (top to bottom, left to right).

    ``chars``: pdfplumber char dicts. ``exclude``: bboxes (x0, top, x1, bottom) whose characters are skipped
    (tables, emitted separately). Returns dicts: text, top, bottom, x0, x1, size, bold, nchars.

    Spaces: a space character in the PDF is kept (runs collapse to one); a gap without one becomes a space
    only when it is wide (> 0.2 em between Latin letters/digits, > 1 em when a CJK character is on either side),
    so that CJK text never gets spurious spaces. Characters drawn twice at the same place (fake bold by
    over-printing) are kept once and count as bold.

    Two text columns (``width`` given, see :func:`find_gutter`) are read column by column; lines that cross
    the gutter (titles, running heads) cut the page into bands, each read left column then right column.
    """
    rows = []
    rotated = []
    for c in chars:
        t = c.get("text")
        if not t:
            continue
        m = c.get("matrix")
        if m and (abs(m[1]) > 1e-3 * (abs(m[0]) + abs(m[1])) or abs(m[2]) > 1e-3 * (abs(m[2]) + abs(m[3]))):
            rotated.append(c)  # slanted/rotated text (watermarks, rotated stamps): not part of the lines
            continue
        if exclude:
            cx = (c["x0"] + c["x1"]) / 2
            cy = (c["top"] + c["bottom"]) / 2
            if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in exclude):
                continue
        rows.append(c)
    gutter = find_gutter(rows, width) if width else None
    lines = _group_lines(rows) if gutter is None else _two_columns(rows, gutter)
    return lines + _rotated_runs(rotated)


def _rotated_runs(chars) -> list:
    """Rotated text as runs in drawing order (kind 'rotated'), placed after the page's lines."""
    runs, cur, prev = [], [], None
    for c in chars:
        m = c["matrix"]
        if prev is not None:
            pm = prev["matrix"]
            size = prev.get("size") or 10
            if abs(m[4] - pm[4]) + abs(m[5] - pm[5]) > 3 * size:
                runs.append(cur)
                cur = []
        cur.append(c)
        prev = c
    if cur:
        runs.append(cur)
    out = []
    for run in runs:
        text = "".join(c["text"] for c in run).strip()
        if not text:
            continue
        sizes = Counter(round((c.get("size") or 0) * 2) / 2 for c in run)
        out.append({"kind": "rotated", "text": text, "top": min(c["top"] for c in run),
                    "bottom": max(c["bottom"] for c in run), "x0": min(c["x0"] for c in run),
                    "x1": max(c["x1"] for c in run), "size": sizes.most_common(1)[0][0], "bold": False,
                    "nchars": len(text)})
    return out


def _group_lines(rows) -> list:
    rows = sorted(rows, key=lambda c: (c["bottom"], c["x0"]))
    groups = []
    cur = []
    ref_top = ref_bottom = ref_h = 0.0  # vertical span of the line's largest character so far
    for c in rows:
        top, bottom = c["top"], c["bottom"]
        h = max(bottom - top, 0.1)
        if cur:
            overlap = min(bottom, ref_bottom) - max(top, ref_top)
            # same line when the spans overlap enough: super/subscripts (m², footnote marks) stay on their line
            if overlap > 0.4 * min(h, ref_h) or abs(bottom - ref_bottom) <= 1.0:
                cur.append(c)
                if h > ref_h:
                    ref_top, ref_bottom, ref_h = top, bottom, h
                continue
            groups.append(cur)
        cur = [c]
        ref_top, ref_bottom, ref_h = top, bottom, h
    if cur:
        groups.append(cur)
    return [ln for ln in (_make_line(g) for g in groups) if ln is not None]




def find_gutter(rows, width: float):
    """(x0, x1) of the empty vertical band between two text columns, or None for single-column text.

    Conservative, so that single-column pages are never split: the band lies in the middle half of the page,
    is at least 8 pt wide and crossed by almost no characters; both sides hold at least a quarter of the
    characters and at least 6 rows each; and most left-column rows run up to the gutter (wrapped text, not a
    borderless two-column table of short entries)."""
    total = len(rows)
    if total < 200 or not width:
        return None
    lo, hi = int(width * 0.25), int(width * 0.75)
    cover = [0] * (hi - lo + 1)
    for c in rows:
        a, b = int(c["x0"]), int(c["x1"])
        if b < lo or a > hi:
            continue
        for x in range(max(a, lo), min(b, hi) + 1):
            cover[x - lo] += 1
    limit = max(2, total * 0.01)
    best = (0, None)
    run_start = None
    for i, v in enumerate(cover + [limit + 1]):
        if v <= limit:
            if run_start is None:
                run_start = i
        elif run_start is not None:
            if i - run_start > best[0]:
                best = (i - run_start, (lo + run_start, lo + i - 1))
            run_start = None
    if best[0] < 8:
        return None
    g0, g1 = best[1]
    left = [c for c in rows if c["x1"] <= g0 + 1]
    right = [c for c in rows if c["x0"] >= g1 - 1]
    if len(left) < total * 0.25 or len(right) < total * 0.25:
        return None
    row_end = {}
    for c in left:
        k = round(c["bottom"])
        row_end[k] = max(row_end.get(k, 0), c["x1"])
    right_rows = {round(c["bottom"]) for c in right}
    if len(row_end) < 6 or len(right_rows) < 6:
        return None
    size = sorted(c.get("size") or 10 for c in left)[len(left) // 2]
    full = sum(1 for x in row_end.values() if x >= g0 - 3 * size)
    if full < 0.5 * len(row_end):
        return None
    return g0, g1


def _two_columns(rows, gutter) -> list:
    g0, g1 = gutter
    # rows of characters that cross the gutter are full-width lines (titles, running heads, wide formulas)
    crossing = [c for c in rows if c["x1"] > g0 + 1 and c["x0"] < g1 - 1]
    spans = sorted((c["top"], c["bottom"]) for c in crossing)
    merged = []
    for t, b in spans:
        if merged and t <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([t, b])

    def in_full(c):
        cy = (c["top"] + c["bottom"]) / 2
        return any(t <= cy <= b for t, b in merged)

    full, left, right = [], [], []
    for c in rows:
        if merged and in_full(c):
            full.append(c)
        elif (c["x0"] + c["x1"]) / 2 < (g0 + g1) / 2:
            left.append(c)
        else:
            right.append(c)
    full_lines = _group_lines(full)
    tops = sorted(ln["top"] for ln in full_lines)

    def band(ln):
        return sum(1 for t in tops if t < ln["top"])

    out = []
    cols = [(band(ln), 0, ln["top"], ln) for ln in _group_lines(left)]
    cols += [(band(ln), 1, ln["top"], ln) for ln in _group_lines(right)]
    cols.sort(key=lambda x: (x[0], x[1], x[2]))
    fi = 0
    full_lines.sort(key=lambda ln: ln["top"])
    for b, _side, _top, ln in cols:
        while fi < len(full_lines) and fi < b:
            out.append(full_lines[fi])
            fi += 1
        out.append(ln)
    out.extend(full_lines[fi:])
    return out


def _make_line(group) -> Optional[dict]:
    group.sort(key=lambda c: c["x0"])
    out = []
    sizes = Counter()
    bold_n = 0
    n = 0
    prev = None
    pending_space = False
    for c in group:
        t = c["text"]
        if t.isspace():
            pending_space = bool(out)
            continue
        size = c.get("size") or 10
        if prev is not None:
            tol = min(0.25 * size, 0.3 * max(prev["x1"] - prev["x0"], 0.1))
            if t == prev["text"] and abs(c["x0"] - prev["x0"]) < tol and abs(c["top"] - prev["top"]) < 0.25 * size:
                bold_n += 1  # over-printed duplicate: fake bold
                continue
            gap = c["x0"] - prev["x1"]
            cjk = is_cjk(t) or is_cjk(prev["text"][-1])
            if pending_space:
                # an explicit space between two CJK characters is usually justification, not a word break
                if not (is_cjk(t) and is_cjk(prev["text"][-1]) and gap < 1.0 * size):
                    out.append(" ")
            elif gap > (1.0 if cjk else 0.2) * size:
                out.append(" ")
        pending_space = False
        out.append(t)
        n += len(t)
        sizes[round(size * 2) / 2] += len(t)
        if font_is_bold(c.get("fontname") or ""):
            bold_n += len(t)
        prev = c
    if not out:
        return None
    text = "".join(out).strip()
    if not text:
        return None
    size = sizes.most_common(1)[0][0] if sizes else None
    return {
        "text": text,
        "top": min(c["top"] for c in group),
        "bottom": max(c["bottom"] for c in group),
        "x0": group[0]["x0"],
        "x1": group[-1]["x1"],
        "size": size,
        "bold": n > 0 and bold_n * 2 > n,
        "nchars": n,
    }


# ------------------------------------------------------------------------------------ headers / footers

_PAGE_NUMBER_RES = [
    re.compile(r"^第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$"),
    re.compile(r"^共\s*\d+\s*页\s*[,，/]?\s*第\s*\d+\s*页$"),
    re.compile(r"^[-–—~－]\s*\d+\s*[-–—~－]$"),
    re.compile(r"^(?:page|p\.?)\s*\d+(?:\s*(?:of|/)\s*\d+)?$", re.I),
    re.compile(r"^\d+\s*/\s*\d+$"),
    re.compile(r"^\d{1,4}$"),
    re.compile(r"^[ivxlcdm]{1,6}$", re.I),
    re.compile(r"^[-–—]\s*[ivxlcdm]{1,6}\s*[-–—]$", re.I),
]


def is_page_number(text: str) -> bool:
    """'第 3 页 共 12 页', '- 3 -', 'Page 3 of 12', '3 / 12', '3', 'iv'."""
    t = text.strip()
    return any(r.match(t) for r in _PAGE_NUMBER_RES)


_BARE_NUMBER = re.compile(r"^(?:\d{1,4}|[ivxlcdm]{1,6})$", re.I)


def is_bare_number(text: str) -> bool:
    """A lone number ('3', 'iv'): a page number only if it recurs like one (it may be a clause number)."""
    return bool(_BARE_NUMBER.match(text.strip()))


def edge_key(text: str) -> str:
    """Normalised form for comparing running headers/footers across pages. Digits vary (page numbers, dates,
    chapter numbers) and are folded to '#' in short lines and in lines that name a page ("Q/KL 001 第 3 页");
    any other line must repeat exactly (a body line that only differs by its numbers is not a running head)."""
    t = re.sub(r"\s+", "", text)
    if _BARE_NUMBER.match(t):
        return "#"
    if len(t) <= 20 or _PAGE_WORD.search(t):
        return re.sub(r"\d+", "#", t)
    return t


_PAGE_WORD = re.compile(r"页|頁|page", re.I)


EDGE_LINES = 2  # how many lines at the top / bottom of a page may be running headers / footers
EDGE_ZONE = 0.18  # ... and only inside this fraction of the page height from the edge


def edge_candidates(lines, height) -> dict:
    """Indices of lines that could be a running header ('top') or footer ('bottom') of a page."""
    idx = [i for i, ln in enumerate(lines) if ln.get("kind", "line") == "line"]
    top = [i for i in idx[:EDGE_LINES] if lines[i]["top"] <= height * EDGE_ZONE]
    bottom = [i for i in idx[-EDGE_LINES:] if lines[i]["bottom"] >= height * (1 - EDGE_ZONE) and i not in top]
    return {"top": top, "bottom": bottom}


def _edge_pos(line, height, zone) -> float:
    return line["top"] if zone == "top" else height - line["bottom"]


def running_keys(pages) -> dict:
    """{zone: {edge_key: [distance from the page edge, one per page]}} over a window of pages."""
    out = {"top": {}, "bottom": {}}
    for pg in pages:
        cands = edge_candidates(pg["lines"], pg["height"])
        for zone, ids in cands.items():
            seen = {}
            for i in ids:
                seen.setdefault(edge_key(pg["lines"][i]["text"]), _edge_pos(pg["lines"][i], pg["height"], zone))
            for k, pos in seen.items():
                out[zone].setdefault(k, []).append(pos)
    return out


POS_TOLERANCE = 4.0  # points: running headers/footers sit at the same place on every page


def furniture(page, window) -> set:
    """Indices of the lines of ``page`` that are running headers/footers or page numbers, judged against the
    pages of ``window`` (neighbouring pages, including ``page``): a top/bottom line whose text (digits folded)
    recurs at the same distance from the page edge on at least 40% of the window's pages (so that odd/even
    running heads count). From each edge inwards, a line is furniture only if the lines between it and the
    edge are furniture too."""
    cands = edge_candidates(page["lines"], page["height"])
    keys = running_keys(window)
    n = len(window)
    need = max(2, math.ceil(n * 0.4))  # 0.4: odd and even pages may carry different running heads
    drop = set()
    # rotated text repeated on the pages around (a watermark such as 受控文件 / DRAFT) is furniture too
    for i, ln in enumerate(page["lines"]):
        if ln.get("kind") == "rotated" and n >= 2:
            same = sum(1 for pg in window if any(x.get("kind") == "rotated" and x["text"] == ln["text"]
                                                for x in pg["lines"]))
            if same >= need:
                drop.add(i)
    for zone, ids in cands.items():
        order = ids if zone == "top" else list(reversed(ids))
        for i in order:
            ln = page["lines"][i]
            text = ln["text"]
            rep = False
            if n >= 2:
                pos = _edge_pos(ln, page["height"], zone)
                rep = sum(1 for q in keys[zone].get(edge_key(text), ()) if abs(q - pos) <= POS_TOLERANCE) >= need
            if is_bare_number(text):
                page_no = rep or (n == 1 and zone == "bottom")  # a lone number must recur like a page number
            else:
                page_no = is_page_number(text)
            if rep or page_no:
                drop.add(i)
            else:
                break
    return drop
