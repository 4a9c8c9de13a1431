"""DOCX reader: body paragraphs and tables in document order, with styles and Word's automatic numbering.

* The body XML is walked in order (``w:p``, ``w:tbl``, and the content controls / custom XML that wrap them);
  headers, footers, footnotes and comments live in other parts and are not read.
* Paragraph text comes from the runs (including tracked insertions and field results; tracked deletions,
  field codes and the fallback copies of text boxes are skipped). Text-box paragraphs follow their anchor.
* Numbered paragraphs (``w:numPr`` on the paragraph or its style) become ``list_item`` blocks whose ``label`` is
  the number Word renders (see :mod:`stdkb.readers.numbering`), ``level`` = ilvl + 1.
* ``Heading 1..9`` styles (or an outline level) give ``heading`` blocks, ``Title`` gives ``title``.
* Table rows become ``table_row`` blocks (cells joined with `` | ``); a one-column layout table that merely
  frames the text is read as ordinary paragraphs.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Iterator, Optional

from ..errors import InputError
from ..model import Block
from .numbering import Numbering, _int, _val, _w

MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_M_T = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
_FALLBACK = "{%s}Fallback" % MC_NS

#: uncompressed size of the XML parts we parse; beyond this a "DOCX" is a zip bomb or not a standard
MAX_XML_BYTES = 512 * 1024 * 1024

_SKIP_IN_TEXT = {_w("del"), _w("moveFrom"), _w("txbxContent"), _FALLBACK, _w("pPr"), _w("rPr"), _w("instrText"),
                 _w("delText"), _w("footnoteReference"), _w("endnoteReference"), _w("commentReference")}
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
_TITLE_NAMES = {"title", "标题"}
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _smart_join(parts) -> str:
    """Join text pieces with a space, except between CJK characters (no spurious spaces in Chinese)."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and not (_CJK.match(out[-1]) and _CJK.match(p[0])):
            out += " "
        out += p
    return out


class _Styles:
    def __init__(self, styles_el):
        self.name: dict = {}
        self.based: dict = {}
        self.outline: dict = {}
        self.default_para: Optional[str] = None
        if styles_el is None:
            return
        for st in styles_el.iter(_w("style")):
            sid = st.get(_w("styleId"))
            if not sid:
                continue
            if st.get(_w("type"), "paragraph") == "paragraph" and st.get(_w("default")) in ("1", "true", "on"):
                self.default_para = sid
            n = st.find(_w("name"))
            if n is not None:
                self.name[sid] = (_val(n) or "").strip()
            b = st.find(_w("basedOn"))
            if b is not None and _val(b):
                self.based[sid] = _val(b)
            ppr = st.find(_w("pPr"))
            if ppr is not None:
                ol = ppr.find(_w("outlineLvl"))
                if ol is not None and _int(_val(ol)) is not None:
                    self.outline[sid] = _int(_val(ol))

    def kind(self, sid: Optional[str]):
        """('heading', level) / ('title', None) / (None, None) for a paragraph style, following basedOn."""
        seen = set()
        outline = None
        while sid and sid not in seen:
            seen.add(sid)
            name = self.name.get(sid, sid)
            m = _HEADING_NAME.match(name) or _HEADING_NAME.match(sid)
            if m:
                return "heading", int(m.group(1))
            if name.lower() in _TITLE_NAMES or sid.lower() == "title":
                return "title", None
            if outline is None and sid in self.outline:
                outline = self.outline[sid]
            sid = self.based.get(sid)
        if outline is not None and 0 <= outline <= 8:
            return "heading", outline + 1
        return None, None


# Word's "Insert Symbol" from the Symbol font stores a w:sym with a private-use code (F000 + the Symbol font's
# own code); the comparison and math signs matter for thresholds ("≤2 h"). Adobe Symbol encoding, main signs:
_SYMBOL_FONT = {
    0x22: "∀", 0x24: "∃", 0x2D: "−", 0x44: "Δ", 0x57: "Ω", 0x61: "α", 0x62: "β", 0x63: "χ", 0x64: "δ", 0x65: "ε",
    0x66: "φ", 0x67: "γ", 0x6C: "λ", 0x6D: "μ", 0x70: "π", 0x72: "ρ", 0x73: "σ", 0x74: "τ", 0x77: "ω",
    0xA2: "′", 0xA3: "≤", 0xA5: "∞", 0xAB: "↔", 0xAC: "←", 0xAD: "↑", 0xAE: "→", 0xAF: "↓", 0xB0: "°",
    0xB1: "±", 0xB2: "″", 0xB3: "≥", 0xB4: "×", 0xB5: "∝", 0xB7: "•", 0xB8: "÷", 0xB9: "≠", 0xBA: "≡",
    0xBB: "≈", 0xBC: "…", 0xD6: "√", 0xD7: "⋅", 0xD8: "¬", 0xD9: "∧", 0xDA: "∨", 0xE6: "(", 0xF6: ")",
}


def _sym_char(el) -> str:
    code = el.get(_w("char")) or ""
    try:
        n = int(code, 16)
    except ValueError:
        return ""
    font = (el.get(_w("font")) or "").lower()
    if n >= 0xF000:
        n -= 0xF000
        if font == "symbol":
            return _SYMBOL_FONT.get(n, chr(n) if 0x20 <= n < 0x7F else "")
        return chr(n) if 0x20 <= n < 0x7F and font not in ("wingdings", "wingdings 2", "wingdings 3", "webdings") else ""
    try:
        return chr(n)
    except ValueError:
        return ""


def _hidden(run) -> bool:
    rpr = run.find(_w("rPr"))
    if rpr is None:
        return False
    v = rpr.find(_w("vanish"))
    return v is not None and (v.get(_w("val")) or "true").lower() not in ("0", "false", "off")


def _runs_text(el, out: list, boxes: list) -> None:
    """Collect the visible text of a paragraph (recursive over runs, hyperlinks, insertions, fields)."""
    for ch in el:
        tag = ch.tag
        if not isinstance(tag, str):
            continue
        if tag == _w("t") or tag == _M_T:  # w:t, and m:t inside Office Math (formulas)
            if ch.text:
                out.append(ch.text)
        elif tag == _w("tab"):
            out.append("\t")
        elif tag in (_w("br"), _w("cr")):
            out.append("\n")
        elif tag == _w("noBreakHyphen"):
            out.append("-")
        elif tag == _w("sym"):
            out.append(_sym_char(ch))
        elif tag == _w("r") and _hidden(ch):
            continue  # hidden text (w:vanish) is neither shown nor printed
        elif tag == _w("txbxContent"):
            boxes.append(ch)
        elif tag in _SKIP_IN_TEXT:
            continue
        else:
            _runs_text(ch, out, boxes)


def _clean(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    lines = [re.sub(r"[ \t]+", " ", ln).strip() for ln in text.split("\n")]
    return _smart_join(lines)


class _Reader:
    def __init__(self, path: Path, body, styles: _Styles, numbering: Numbering):
        self.path = path
        self.src = str(path)
        self.body = body
        self.styles = styles
        self.numbering = numbering
        self.n = 0

    def para_parts(self, p):
        """(kind, level, label, text, textbox elements) of one w:p."""
        ppr = p.find(_w("pPr"))
        sid = None
        if ppr is not None:
            ps = ppr.find(_w("pStyle"))
            if ps is not None:
                sid = _val(ps)
        if sid is None:
            sid = self.styles.default_para
        out, boxes = [], []
        _runs_text(p, out, boxes)
        text = _clean("".join(out))
        kind, level = self.styles.kind(sid)
        if ppr is not None and kind is None:
            ol = ppr.find(_w("outlineLvl"))
            if ol is not None and _int(_val(ol)) is not None and 0 <= _int(_val(ol)) <= 8:
                kind, level = "heading", _int(_val(ol)) + 1
        label = None
        num = self.numbering.label_for(ppr, sid)
        if num is not None:
            label, ilvl = num
            if label:
                kind, level = "list_item", ilvl + 1
        return kind or "para", level, label, text, boxes

    def blocks(self, container) -> Iterator[Block]:
        for ch in container:
            tag = ch.tag
            if tag == _w("p"):
                yield from self.paragraph(ch)
            elif tag == _w("tbl"):
                yield from self.table(ch)
            elif tag in (_w("sdt"), _w("customXml"), _w("smartTag"), _w("ins"), _w("moveTo")):
                content = ch.find(_w("sdtContent")) if tag == _w("sdt") else ch
                if content is not None:
                    yield from self.blocks(content)

    def paragraph(self, p) -> Iterator[Block]:
        kind, level, label, text, boxes = self.para_parts(p)
        if text or label:
            self.n += 1
            yield Block(text=text, kind=kind, level=level, label=label, line=self.n, source=self.src)
        for box in boxes:
            yield from self.blocks(box)

    def _cell_text(self, tc) -> str:
        parts = []
        for p in tc.iter(_w("p")):
            kind, level, label, text, _boxes = self.para_parts(p)
            if label:
                text = label + (" " if text and not (_CJK.match(label[-1]) or _CJK.match(text[0])) else "") + text
            parts.append(text)
        return _smart_join(parts)

    def _rows(self, tbl):
        for ch in tbl:
            if ch.tag == _w("tr"):
                yield ch
            elif ch.tag in (_w("sdt"), _w("customXml")):
                content = ch.find(_w("sdtContent")) if ch.tag == _w("sdt") else ch
                if content is not None:
                    yield from self._rows(content)

    def _cells(self, tr):
        for ch in tr:
            if ch.tag == _w("tc"):
                yield ch
            elif ch.tag in (_w("sdt"), _w("customXml")):
                content = ch.find(_w("sdtContent")) if ch.tag == _w("sdt") else ch
                if content is not None:
                    yield from self._cells(content)

    def table(self, tbl) -> Iterator[Block]:
        rows = [list(self._cells(tr)) for tr in self._rows(tbl)]
        if rows and all(len(r) <= 1 for r in rows):
            # a one-column layout table framing the text: read its content as ordinary paragraphs
            for r in rows:
                for tc in r:
                    yield from self.blocks(tc)
            return
        for cells in rows:
            texts = []
            for tc in cells:
                tcpr = tc.find(_w("tcPr"))
                vm = tcpr.find(_w("vMerge")) if tcpr is not None else None
                if vm is not None and _val(vm, "continue") == "continue":
                    texts.append("")  # continuation of a vertically merged cell: shown above
                    continue
                texts.append(self._cell_text(tc))
            if any(t for t in texts):
                self.n += 1
                yield Block(text=" | ".join(texts), kind="table_row", line=self.n, source=self.src)


def _check_zip(p: Path) -> None:
    with open(p, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(p, "OLE compound file, not a DOCX (legacy .doc or an encrypted/password-protected "
                            "DOCX): save it as an unprotected .docx")
    if not zipfile.is_zipfile(p):
        raise InputError(p, "not a DOCX: not a ZIP archive (corrupt or truncated file?)")
    try:
        with zipfile.ZipFile(p) as z:
            names = {i.filename: i for i in z.infolist()}
            if "word/document.xml" not in names:
                if "[Content_Types].xml" in names:
                    raise InputError(p, "ZIP package without word/document.xml (an Office file that is not a "
                                        "Word document?)")
                raise InputError(p, "ZIP archive but not a DOCX (no word/document.xml)")
            total = sum(i.file_size for n, i in names.items() if n.endswith(".xml"))
            if total > MAX_XML_BYTES:
                raise InputError(p, f"DOCX XML parts too large ({total / 1048576:.0f} MB uncompressed)")
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as e:
        raise InputError(p, f"corrupt DOCX ZIP archive ({e})") from None


_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC = "/officeDocument"


def _rels(z, part_name: str) -> dict:
    """{relationship type suffix: target part name} of one part, from its .rels in the ZIP."""
    from lxml import etree

    folder, _, name = part_name.rpartition("/")
    rels_name = (folder + "/" if folder else "") + "_rels/" + name + ".rels"
    try:
        data = z.read(rels_name)
    except KeyError:
        return {}
    root = etree.fromstring(data, _safe_parser())
    out = {}
    for r in root.iter("{%s}Relationship" % _PKG_REL):
        if r.get("TargetMode") == "External":
            continue
        target = r.get("Target") or ""
        if target.startswith("/"):
            target = target[1:]
        elif folder:
            target = folder + "/" + target
        parts = []
        for seg in target.split("/"):
            if seg == "..":
                if parts:
                    parts.pop()
            elif seg and seg != ".":
                parts.append(seg)
        out.setdefault((r.get("Type") or "").rsplit("/", 1)[-1], "/".join(parts))
    return out


def _safe_parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


def _parts_from_zip(p: Path):
    """(body, styles, numbering) elements read with zipfile + lxml, for packages python-docx refuses."""
    from lxml import etree

    with zipfile.ZipFile(p) as z:
        main = _rels(z, "").get(_OFFICE_DOC.strip("/")) or "word/document.xml"
        root = etree.fromstring(z.read(main), _safe_parser())
        body = root.find(_w("body"))
        if body is None:
            raise InputError(p, "DOCX without a document body")
        rels = _rels(z, main)
        els = []
        for kind in ("styles", "numbering"):
            el = None
            if kind in rels:  # a broken styles/numbering part would silently lose headings and clause numbers
                el = etree.fromstring(z.read(rels[kind]), _safe_parser())
            els.append(el)
    return body, els[0], els[1]


def read_docx(path) -> Iterator[Block]:
    """Yield the blocks of a DOCX file in document order. Raises :class:`InputError` for unreadable files."""
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "no such file" if not p.exists() else "not a regular file")
    _check_zip(p)
    try:
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.oxml.parser import parse_xml
        from docx.package import Package

        pkg = Package.open(str(p))
        part = pkg.main_document_part
        # .docm/.dotx/.dotm main parts are not typed as DocumentPart by python-docx: parse their XML directly
        root = part.element if hasattr(part, "element") else parse_xml(part.blob)
        body = root.find(_w("body"))
        if body is None:
            raise InputError(p, "DOCX without a document body")
        styles_el = numbering_el = None
        for rel in part.rels.values():
            if rel.is_external:
                continue
            if rel.reltype in (RT.STYLES, RT.NUMBERING):
                tp = rel.target_part
                el = tp.element if hasattr(tp, "element") else parse_xml(tp.blob)
                if rel.reltype == RT.STYLES:
                    styles_el = el
                else:
                    numbering_el = el
    except InputError:
        raise
    except Exception as e:  # lxml syntax errors, zip errors, python-docx package errors
        # python-docx loads every related part (images, fonts...): one missing or broken part that carries no
        # text must not lose the document. Read the three parts we need straight from the ZIP instead.
        why = f"missing part {e}" if isinstance(e, KeyError) else f"{type(e).__name__}: {str(e)[:200]}"
        try:
            body, styles_el, numbering_el = _parts_from_zip(p)
        except InputError:
            raise
        except Exception:
            raise InputError(p, f"corrupt DOCX ({why})") from None
    if getattr(styles_el, "tag", None) != _w("styles"):
        styles_el = None
    if getattr(numbering_el, "tag", None) != _w("numbering"):
        numbering_el = None
    reader = _Reader(p, body, _Styles(styles_el), Numbering(numbering_el, styles_el))
    yield from reader.blocks(body)
