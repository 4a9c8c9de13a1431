"""PDF reader (pdfplumber): lines in reading order with their dominant font, running headers/footers and page
numbers removed, tables as rows.

Per page, the characters are read once (``page.chars``); lines are built from them (see
:func:`stdkb.readers.layout.build_lines`). Table detection runs only on pages that draw rules or boxes; the
characters inside a detected table are emitted once, as ``table_row`` blocks at the table's position.

Running headers and footers are the top/bottom lines that repeat (digits ignored, same distance from the
page edge) on at least 40% of the pages of a window around the page; page numbers ("第 3 页 共 12 页", "- 3 -", "Page 3 of 12") at a page edge
are always dropped. The window keeps memory bounded: only the extracted lines of ``2*WINDOW+1`` pages are
held, each page's parsed layout is released (``page.close()``) as soon as its lines are built.

Wrapped lines are yielded as they are (one block per line, a clause continuing over a page break simply
continues in the next block); the segmenter joins continuation lines.

Headings: a short line set in a larger font than the body (or bold where the body is not) is a ``heading``
whose level comes from its size relative to the body text (level 1 = largest).
"""
from __future__ import annotations

from collections import Counter, deque
from pathlib import Path
from typing import Iterator, Optional

from ..errors import InputError
from ..model import Block
from .layout import build_lines, furniture

WINDOW = 4  # pages before and after a page used to recognise its running headers and footers
_NO_UNICODE = "PDF text is not extractable (fonts without a Unicode mapping, text shows as (cid:N)): OCR needed"
_HEADING_END = tuple("。；;，,：:、")


def _check_complete(p: Path) -> None:
    """A PDF ends with %%EOF (possibly followed by a little junk); without it the file was cut off, and pdfminer
    would silently recover only part of the text."""
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(1024)
            fh.seek(max(0, size - 4096))
            tail = fh.read()
    except OSError as e:
        raise InputError(p, f"cannot open: {e.strerror or e}") from None
    if b"%PDF" not in head:
        raise InputError(p, "not a PDF (no %PDF header)")
    if b"%%EOF" not in tail:
        raise InputError(p, "truncated PDF (no %%EOF marker at the end of the file)")


def _open(p: Path, password: Optional[str]):
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        return pdfplumber.open(str(p), password=password or "", raise_unicode_errors=False)
    except Exception as e:  # pdfplumber wraps pdfminer errors in PdfminerException
        inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e
        if isinstance(inner, PDFPasswordIncorrect):
            if password:
                raise InputError(p, "encrypted PDF: wrong password") from None
            raise InputError(p, "encrypted PDF: give --password") from None
        if isinstance(inner, PDFEncryptionError):
            raise InputError(p, f"encrypted PDF with an unsupported encryption ({inner})") from None
        raise InputError(p, f"corrupt PDF ({type(inner).__name__}: {str(inner)[:160]})") from None


def _iter_pages(pdf, p: Path):
    from pdfminer.pdfpage import PDFPage
    from pdfplumber.page import Page

    doctop = 0
    gen = PDFPage.create_pages(pdf.doc)
    n = 0
    while True:
        try:
            pg = next(gen)
        except StopIteration:
            return
        except InputError:
            raise
        except Exception as e:
            raise InputError(p, f"corrupt PDF page tree after page {n} ({type(e).__name__}: {str(e)[:160]})") from None
        n += 1
        page = Page(pdf, pg, page_number=n, initial_doctop=doctop)
        doctop += page.height
        yield page


def _table_rows(page) -> list:
    """[(bbox, top, rows)] of the tables on a page; only looked for where rules or boxes are drawn."""
    objs = page.objects
    if len(objs.get("rect", ())) + len(objs.get("line", ())) < 2:
        return []
    out = []
    for t in page.find_tables():
        rows = t.extract()
        rows = [[" ".join((c or "").split()) for c in r] for r in rows]
        rows = [r for r in rows if any(r)]
        if len(rows) < 2 and not (rows and len(rows[0]) >= 2):
            continue  # a framed paragraph, not a table: its text is read as lines
        out.append((t.bbox, t.bbox[1], rows))
    return out


def _join_cell(text: str) -> str:
    from .layout import is_cjk

    parts = text.split(" ")
    s = parts[0]
    for w in parts[1:]:
        if s and w and is_cjk(s[-1]) and is_cjk(w[0]):
            s += w
        else:
            s += " " + w
    return s


def _extract_page(page) -> dict:
    chars = page.chars
    tables = _table_rows(page)
    lines = build_lines(chars, exclude=[t[0] for t in tables], width=float(page.width))
    for ln in lines:
        ln.setdefault("kind", "line")
    # tables go where they stand; the lines keep their reading order (which is column-wise on 2-column pages)
    for bbox, top, rows in sorted(tables, key=lambda t: t[1]):
        at = next((i for i, ln in enumerate(lines) if ln["kind"] != "row" and ln["top"] > top), len(lines))
        lines[at:at] = [{"kind": "row", "text": " | ".join(_join_cell(c) for c in r), "top": top + i * 0.001,
                         "bottom": bbox[3], "size": None, "bold": False, "nchars": 0} for i, r in enumerate(rows)]
    has_images = bool(page.objects.get("image"))
    cid = sum(1 for c in chars if c.get("text", "").startswith("(cid:"))
    return {"number": page.page_number, "height": float(page.height), "lines": lines,
            "images": has_images, "nchars": len(chars), "cid": cid}


def _heading_level(ln: dict, body_size: float, body_bold: bool) -> Optional[int]:
    text = ln["text"]
    size = ln.get("size")
    if not size or len(text) > 60 or text.endswith(_HEADING_END):
        return None
    ratio = size / body_size if body_size else 1.0
    if ratio >= 1.5:
        return 1
    if ratio >= 1.25:
        return 2
    if ratio >= 1.1:
        return 3
    if ln.get("bold") and not body_bold and ratio >= 0.95:
        return 4
    return None


def read_pdf(path, password: Optional[str] = None) -> Iterator[Block]:
    """Yield the blocks of a PDF, page by page. Raises :class:`InputError` for unreadable, encrypted (without
    the right password) and image-only PDFs."""
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "no such file" if not p.exists() else "not a regular file")
    _check_complete(p)
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about damaged fonts flood the terminal
    pdf = _open(p, password)
    src = str(p)
    try:
        sizes = Counter()
        bold_chars = Counter()
        buf: deque = deque()
        line_no = 0
        emitted = 0
        pages = 0
        images = 0
        image_only = 0  # pages with an image and no text at all: scanned pages
        total_chars = 0
        total_cid = 0
        emit_idx = 0  # index into buf of the next page to emit

        def emit(i):
            nonlocal line_no, emitted
            page = buf[i]
            lo, hi = max(0, i - WINDOW), min(len(buf), i + WINDOW + 1)
            drop = furniture(page, list(buf)[lo:hi])
            body_size = sizes.most_common(1)[0][0] if sizes else 0
            body_bold = bold_chars[True] > bold_chars[False]
            for j, ln in enumerate(page["lines"]):
                if j in drop:
                    continue
                line_no += 1
                emitted += 1
                if ln["kind"] == "row":
                    yield Block(text=ln["text"], kind="table_row", page=page["number"], line=line_no, source=src)
                    continue
                level = _heading_level(ln, body_size, body_bold) if ln["kind"] == "line" else None
                yield Block(text=ln["text"], kind="heading" if level else "para", level=level,
                            page=page["number"], line=line_no, font_size=ln["size"], bold=ln["bold"], source=src)

        for page in _iter_pages(pdf, p):
            try:
                info = _extract_page(page)
            except InputError:
                raise
            except Exception as e:
                raise InputError(p, f"corrupt PDF: page {page.page_number} unreadable "
                                    f"({type(e).__name__}: {str(e)[:160]})") from None
            finally:
                page.close()
            pages += 1
            images += info["images"]
            image_only += bool(info["images"] and info["nchars"] == 0)
            total_chars += info["nchars"]
            total_cid += info["cid"]
            if total_chars >= 40 and total_cid * 2 > total_chars:
                raise InputError(p, _NO_UNICODE)
            for ln in info["lines"]:
                if ln["kind"] == "line" and ln["size"]:
                    sizes[ln["size"]] += ln["nchars"]
                    bold_chars[ln["bold"]] += ln["nchars"]
            buf.append(info)
            # emit every page whose look-ahead window is complete, keep WINDOW pages of look-behind
            while emit_idx < len(buf) and emit_idx + WINDOW < len(buf):
                yield from emit(emit_idx)
                emit_idx += 1
                while emit_idx > WINDOW:
                    buf.popleft()
                    emit_idx -= 1
        while emit_idx < len(buf):
            yield from emit(emit_idx)
            emit_idx += 1
        if total_cid * 2 > total_chars:
            raise InputError(p, _NO_UNICODE)
        if pages == 0:
            raise InputError(p, "PDF has no pages")
        if emitted and image_only * 2 >= pages:
            raise InputError(p, f"no text layer on {image_only} of {pages} pages: OCR needed (scanned PDF?)")
        if emitted == 0:
            if total_chars == 0:
                what = "image-only pages" if images else "blank pages"
                raise InputError(p, f"no text layer: OCR needed (scanned PDF?) - {pages} page(s), {what}")
            raise InputError(p, "no text found besides page headers/footers")
    except InputError:
        raise
    except MemoryError:
        raise InputError(p, "out of memory while reading the PDF") from None
    except Exception as e:  # pdfminer/pdfplumber choking on a malformed object
        inner = e.args[0] if isinstance(e, Exception) and e.args and isinstance(e.args[0], BaseException) else e
        raise InputError(p, f"corrupt PDF ({type(inner).__name__}: {str(inner)[:160]})") from None
    finally:
        try:
            pdf.close()
        except Exception:
            pass
