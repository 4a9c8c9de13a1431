"""Build DOCX and PDF test files at test time from text (no binary fixtures in the repository).

DOCX: python-docx plus numbering definitions injected as real ``numbering.xml`` markup.
PDF: reportlab with its built-in CID font STSong-Light (CJK text extracts back through pdfplumber).
"""
from __future__ import annotations

from pathlib import Path

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# ------------------------------------------------------------------------------------------------ DOCX

def lvl_xml(ilvl, fmt="decimal", text=None, start=1, is_lgl=False, restart=None, pstyle=None) -> str:
    if text is None:
        text = ".".join(f"%{i + 1}" for i in range(ilvl + 1))
    parts = [f'<w:lvl w:ilvl="{ilvl}">']
    if start is not None:
        parts.append(f'<w:start w:val="{start}"/>')
    parts.append(f'<w:numFmt w:val="{fmt}"/>')
    if restart is not None:
        parts.append(f'<w:lvlRestart w:val="{restart}"/>')
    if pstyle:
        parts.append(f'<w:pStyle w:val="{pstyle}"/>')
    if is_lgl:
        parts.append("<w:isLgl/>")
    parts.append(f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>')
    return "".join(parts)


def abstract_xml(aid, levels) -> str:
    """levels: list of dicts for :func:`lvl_xml` (or ready XML strings)."""
    body = "".join(lv if isinstance(lv, str) else lvl_xml(**lv) for lv in levels)
    return f'<w:abstractNum w:abstractNumId="{aid}"><w:multiLevelType w:val="multilevel"/>{body}</w:abstractNum>'


def num_xml(num_id, aid, start_overrides=None, lvl_overrides=None) -> str:
    parts = [f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{aid}"/>']
    ilvls = sorted(set(start_overrides or {}) | set(lvl_overrides or {}))
    for il in ilvls:
        parts.append(f'<w:lvlOverride w:ilvl="{il}">')
        if start_overrides and il in start_overrides:
            parts.append(f'<w:startOverride w:val="{start_overrides[il]}"/>')
        if lvl_overrides and il in lvl_overrides:
            lv = dict(lvl_overrides[il])
            lv.setdefault("ilvl", il)
            parts.append(lvl_xml(**lv))
        parts.append("</w:lvlOverride>")
    parts.append("</w:num>")
    return "".join(parts)


def _parse(xml: str):
    from lxml import etree

    return etree.fromstring(f'<w:root xmlns:w="{W_NS}">{xml}</w:root>')[0]


def make_docx(path, items, *, abstracts=(), nums=(), style_numpr=None, header=None, footer=None) -> Path:
    """Write a DOCX.

    items: sequence of
      * ``str``  (a Normal paragraph),
      * ``dict(text=, style=None, num=(numId, ilvl) | (numId, None) | None)``,
      * ``dict(table=[[cell, ...], ...])``.
    abstracts: XML strings from :func:`abstract_xml`; nums: XML strings from :func:`num_xml` (the template's
    own numbering definitions are replaced). style_numpr: ``{style name: (numId, ilvl or None)}``.
    """
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document()
    if abstracts or nums:
        numbering = doc.part.numbering_part.element
        for ch in list(numbering):
            numbering.remove(ch)
        for x in abstracts:
            numbering.append(_parse(x))
        for x in nums:
            numbering.append(_parse(x))
    for name, (nid, il) in (style_numpr or {}).items():
        st = doc.styles[name]
        ppr = st.element.get_or_add_pPr()
        for old in ppr.findall(qn("w:numPr")):
            ppr.remove(old)
        inner = (f'<w:ilvl w:val="{il}"/>' if il is not None else "") + f'<w:numId w:val="{nid}"/>'
        ppr.insert(0, _parse(f"<w:numPr>{inner}</w:numPr>"))
    for it in items:
        if isinstance(it, str):
            it = {"text": it}
        if "table" in it:
            rows = it["table"]
            t = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for i, r in enumerate(rows):
                for j, cell in enumerate(r):
                    t.cell(i, j).text = cell
            continue
        p = doc.add_paragraph(it.get("text", ""), style=it.get("style"))
        num = it.get("num")
        if num is not None:
            nid, il = num
            ppr = p._p.get_or_add_pPr()
            inner = (f'<w:ilvl w:val="{il}"/>' if il is not None else "") + f'<w:numId w:val="{nid}"/>'
            ppr.append(_parse(f"<w:numPr>{inner}</w:numPr>"))
    if header:
        doc.sections[0].header.paragraphs[0].text = header
    if footer:
        doc.sections[0].footer.paragraphs[0].text = footer
    path = Path(path)
    doc.save(str(path))
    return path


# ------------------------------------------------------------------------------------------------ PDF

CJK_FONT = "STSong-Light"


def _register_cjk():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    try:
        pdfmetrics.getFont(CJK_FONT)
    except KeyError:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def wrap(text, font, size, width, avoid_digit_start=True):
    """Greedy character wrap (CJK has no spaces); with ``avoid_digit_start`` a continuation line never starts
    with a digit (so that wrapped text cannot look like a new numbered line)..."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, cur = [], ""
    for ch in text:
        if cur and stringWidth(cur + ch, font, size) > width:
            cut = len(cur)
            if avoid_digit_start:
                rest = ch
                # ... nor a closing mark, and a Latin word / number is never split (as word processors do)
                while cut > 1 and (rest[0].isdigit() or rest[0] in "，。、；：）)%.,"
                                   or (rest[0].isascii() and rest[0].isalnum() and cur[cut - 1].isascii()
                                       and cur[cut - 1].isalnum())):
                    cut -= 1
                    rest = cur[cut:] + ch
            lines.append(cur[:cut])
            cur = cur[cut:] + ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def make_pdf(path, items, *, header=None, footer=None, page_size=None, margin=56, password=None,
             body_size=10.5, leading=1.6, font=None) -> Path:
    """Write a PDF with reportlab.

    items: sequence of ``str`` (body text, wrapped) or ``dict(text=, size=, font=)`` or ``dict(table=rows)``
    or ``dict(page_break=True)``. header: str (or callable ``page -> str``) drawn at the top of every page; footer: callable
    ``(page, total) -> str`` drawn at the bottom. password: encrypt with this user password.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    _register_cjk()
    font = font or CJK_FONT
    W, H = page_size or A4
    avail = W - 2 * margin
    # layout pass: a list of pages, each a list of draw operations
    pages, ops, y = [], [], H - margin - 20

    def new_page():
        nonlocal ops, y
        pages.append(ops)
        ops, y = [], H - margin - 20

    for it in items:
        if isinstance(it, str):
            it = {"text": it}
        if it.get("page_break"):
            new_page()
            continue
        if "table" in it:
            rows = it["table"]
            t = Table(rows, colWidths=[avail / max(len(r) for r in rows)] * max(len(r) for r in rows))
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("FONT", (0, 0), (-1, -1), CJK_FONT, 9)]))
            _w, h = t.wrap(avail, H)
            if y - h < margin + 20:
                new_page()
            ops.append(("table", t, margin, y - h))
            y -= h + body_size
            continue
        size = it.get("size", body_size)
        f = it.get("font", font)
        for ln in wrap(it["text"], f, size, avail) or [""]:
            if y - size * leading < margin + 20:
                new_page()
            y -= size * leading
            ops.append(("text", ln, f, size, margin, y))
    pages.append(ops)
    total = len(pages)
    kw = {}
    if password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kw["encrypt"] = StandardEncryption(password, ownerPassword=password + "-owner")
    c = canvas.Canvas(str(path), pagesize=(W, H), **kw)
    for n, ops in enumerate(pages, start=1):
        if header:
            c.setFont(CJK_FONT, 9)
            c.drawString(margin, H - margin + 10, header(n) if callable(header) else header)
            c.line(margin, H - margin + 6, W - margin, H - margin + 6)
        if footer:
            c.setFont(CJK_FONT, 9)
            c.drawCentredString(W / 2, margin - 20, footer(n, total))
        for op in ops:
            if op[0] == "text":
                _, ln, f, size, x, yy = op
                c.setFont(f, size)
                c.drawString(x, yy, ln)
            else:
                _, t, x, yy = op
                t.drawOn(c, x, yy)
        c.showPage()
    c.save()
    return Path(path)


def make_scanned_pdf(path, pages=2, text_pages=0) -> Path:
    """A PDF whose pages are only images (what a scanner produces), after ``text_pages`` pages with text."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (200, 280), 255)
    for x in range(20, 180):
        for yy in (40, 60, 80, 100):
            img.putpixel((x, yy), 0)
    c = canvas.Canvas(str(path), pagesize=A4)
    _register_cjk()
    for i in range(text_pages):
        c.setFont(CJK_FONT, 12)
        c.drawString(72, 700, f"封面 客户服务标准 第{i + 1}页")
        c.showPage()
    for _ in range(pages):
        c.drawImage(ImageReader(img), 50, 100, width=480, height=680)
        c.showPage()
    c.save()
    return Path(path)


# ------------------------------------------------------------------------------------------------ seed standard

SEED_CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "000_0488f31712851f27.txt"
_DOTTED = r"^(\d+(?:\.\d+)*)\s+(\S.*)$"
_GLUED = r"^(\d{1,2})([^\d.\s].*)$"


def seed_standard_lines() -> list:
    """The first standard of the seed corpus (客户服务标准(试行)): its title line, then "1 总则" to the end of
    "8.4 ..." and the 附录 (its first paragraph), as non-blank lines."""
    lines = [ln.strip() for ln in SEED_CORPUS.read_text(encoding="utf-8").splitlines()]
    start = lines.index("1 总则")
    title = next(i for i in range(start - 1, -1, -1) if lines[i])
    end = next(i for i, ln in enumerate(lines) if ln.startswith("8.4 "))
    end = next(i for i in range(end + 1, len(lines)) if lines[i].startswith("根据不同类型"))
    return [ln for ln in lines[title:end + 1] if ln]


def split_run_on(lines) -> list:
    """Split text-dump run-on lines ("...整洁。6.1.19 严禁...") at an embedded decimal clause number: in the
    Word original these are separate numbered paragraphs."""
    import re

    out = []
    for ln in lines:
        out.extend(p for p in re.split(r"(?<=[。；;])\s*(?=\d+(?:\.\d+)+\s)", ln) if p)
    return out


def _heading_like(text: str) -> bool:
    return len(text) <= 14 and not any(ch in text for ch in "。，,；;：:")


def docx_items_from_lines(lines):
    """Turn numbered text lines into Word paragraphs numbered by automatic numbering.

    "2.2.3 text" -> list 1 (levels "%1" / "%1.%2" / "%1.%2.%3") at ilvl 2, Heading N style when heading-like
    (numbering then comes from the paragraph itself); "1面带笑容" -> list 2 ("%1"), a new w:num with a
    startOverride for every run of items so that it restarts at 1; the first line -> Title; others -> Normal.
    Returns (items, abstracts, nums).
    """
    import re

    items, nums = [], [num_xml(1, 1)]
    next_num = 2
    cur_item_num = None
    for i, ln in enumerate(split_run_on(lines)):
        if i == 0:
            items.append(dict(text=ln, style="Title"))
            continue
        m = re.match(_DOTTED, ln)
        g = re.match(_GLUED, ln)
        if m:
            depth = m.group(1).count(".")
            text = m.group(2)
            style = f"Heading {depth + 1}" if _heading_like(text) else None
            items.append(dict(text=text, style=style, num=(1, depth)))
            cur_item_num = None
        elif g:
            if cur_item_num is None or g.group(1) == "1":
                cur_item_num = next_num
                next_num += 1
                nums.append(num_xml(cur_item_num, 2, start_overrides={0: int(g.group(1))}))
            items.append(dict(text=g.group(2), num=(cur_item_num, 0)))
        else:
            items.append(ln)
            if not re.match(r"^\S+$", ln) and len(ln) > 20:
                pass
    abstracts = [abstract_xml(1, [dict(ilvl=0, text="%1"), dict(ilvl=1), dict(ilvl=2), dict(ilvl=3)]),
                 abstract_xml(2, [dict(ilvl=0, text="%1")])]
    return items, abstracts, nums


def pdf_items_from_lines(lines):
    """Lines for :func:`make_pdf`: the title large, heading-like numbered lines in a larger size."""
    import re

    items = []
    for i, ln in enumerate(lines):
        m = re.match(_DOTTED, ln)
        if i == 0:
            items.append(dict(text=ln, size=18))
        elif m and _heading_like(m.group(2)):
            items.append(dict(text=ln, size=14 if "." not in m.group(1) else 12))
        else:
            items.append(ln)
    return items


def clause_facts(path, extract: bool):
    """{clause path: (label, kind-free text without white space, thresholds, phrases)} of the first document
    of ``path`` through the whole pipeline (for comparing one standard ingested from TXT / DOCX / PDF)."""
    import re

    import stdkb

    docs = list(stdkb.process_path(path, extract=extract))
    out = {}
    for c in docs[0].clauses:
        th = sorted((t.value, t.max, t.unit, t.comparator) for t in c.thresholds) if extract else None
        ph = sorted((p.kind, re.sub(r"\s+", "", p.text)) for p in c.phrases) if extract else None
        out[tuple(c.path)] = (c.label, re.sub(r"\s+", "", c.text or ""), th, ph)
    return docs, out


def has_segmenter() -> bool:
    try:
        import stdkb.segment  # noqa: F401
        import stdkb.documents  # noqa: F401
    except ImportError:
        return False
    return True


def has_extractor() -> bool:
    try:
        from stdkb.extract import extract_text  # noqa: F401
    except ImportError:
        return False
    return True
