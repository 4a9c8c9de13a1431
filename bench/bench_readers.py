"""Benchmark the DOCX and PDF readers.

    .venv/bin/python bench/bench_readers.py [--pages 60] [--paras 3000] [--repeat 3] [--pdf FILE] [--docx FILE]
                                            [--unstructured-python PATH]

PDF: pages/s of stdkb's read_pdf (layout, header/footer removal, tables) against pdfplumber's plain
``page.extract_text()`` over the same pages, in the same run (CPU time, best of interleaved runs, so that
other work on the machine does not skew the ratio); target ratio <= 1.5.
DOCX: paragraphs/s of stdkb's read_docx (styles, numbering, tables) against python-docx's plain
``[p.text for p in doc.paragraphs]``.
unstructured (``partition_pdf(strategy="fast")`` / ``partition_docx``) is timed too when it can be imported, by
this interpreter or by the one given with ``--unstructured-python`` (kept out of the project's dependencies);
otherwise a line says why it was skipped.

Without --pdf/--docx, the test documents are built from the seed corpus's first standard (客户服务标准(试行)),
repeated to the requested size, with a running header, page-number footers and a table every few pages.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
SEED = ROOT / "corpus" / "000_0488f31712851f27.txt"


def seed_lines() -> list:
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines()]
    try:
        start = lines.index("1 总则", 10)
        end = next(i for i, ln in enumerate(lines) if ln.startswith("8.4 "))
        lines = lines[start:end + 1]
    except (ValueError, StopIteration):
        pass
    return [ln for ln in lines if ln]


def build_pdf(path: Path, pages: int) -> Path:
    from fixtures_build import make_pdf

    base = seed_lines()
    items, est = [], 0
    per_page = 40  # rough lines per A4 page at 10.5 pt
    i = 0
    while est < pages * per_page:
        ln = base[i % len(base)]
        i += 1
        items.append(dict(text=ln, size=14) if len(ln) < 14 and ln[:1].isdigit() else ln)
        est += 1 + len(ln) // 44
        if i % 150 == 0:
            items.append(dict(table=[["项目", "时限要求"], ["到达现场", "2小时内"], ["一般故障修复", "24小时内"]]))
            est += 4
    return make_pdf(path, items, header="昆仑燃气 企业标准 Q/KL 001-2010",
                    footer=lambda n, t: f"第 {n} 页 共 {t} 页")


def build_docx(path: Path, paras: int) -> Path:
    import re

    from fixtures_build import abstract_xml, make_docx, num_xml

    base = seed_lines()
    items = []
    i = 0
    while len(items) < paras:
        ln = base[i % len(base)]
        i += 1
        m = re.match(r"^(\d+(?:\.\d+)*)\s*(.*)$", ln)
        if m and "." in m.group(1) or (m and len(m.group(2)) < 14):
            depth = m.group(1).count(".")
            style = f"Heading {depth + 1}" if len(m.group(2)) < 14 else None
            items.append(dict(text=m.group(2), style=style, num=(1, min(depth, 2))))
        else:
            items.append(ln)
        if i % 200 == 0:
            items.append(dict(table=[["项目", "时限要求"], ["到达现场", "2小时内"]]))
    abst = abstract_xml(1, [dict(ilvl=0, text="%1"), dict(ilvl=1), dict(ilvl=2)])
    return make_docx(path, items, abstracts=[abst], nums=[num_xml(1, 1)], header="页眉")


def best(fn, repeat=3):
    """Best CPU time (process_time: the machine may be busy with other work, wall time is noisy) of N runs."""
    times = []
    out = None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return min(times), out


def plain_pdf(path):
    import pdfplumber

    n = 0
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()
            n += 1
    return n


def ours_pdf(path):
    from stdkb.readers.pdf import read_pdf

    return sum(1 for _ in read_pdf(path))


def plain_docx(path):
    import docx

    d = docx.Document(str(path))
    return len([p.text for p in d.paragraphs])


def ours_docx(path):
    from stdkb.readers.docx import read_docx

    return sum(1 for _ in read_docx(path))


_UNSTRUCTURED = r"""
import json, sys, time
kind, path = sys.argv[1], sys.argv[2]
try:
    if kind == "pdf":
        from unstructured.partition.pdf import partition_pdf as f
        kw = {"strategy": "fast"}
    else:
        from unstructured.partition.docx import partition_docx as f
        kw = {}
except Exception as e:
    print(json.dumps({"skip": f"{type(e).__name__}: {e}"})); sys.exit(0)
times = []
for _ in range(2):
    t = time.perf_counter()
    els = f(filename=path, **kw)
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": min(times), "elements": len(els)}))
"""


def unstructured(kind, path, python):
    try:
        r = subprocess.run([python, "-c", _UNSTRUCTURED, kind, str(path)], capture_output=True, text=True,
                           timeout=900)
    except (OSError, subprocess.TimeoutExpired) as e:
        return {"skip": str(e)}
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"skip": (r.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=60)
    ap.add_argument("--paras", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pdf")
    ap.add_argument("--docx")
    ap.add_argument("--unstructured-python", default=sys.executable)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stdkb-bench-"))
    pdf = Path(a.pdf) if a.pdf else build_pdf(tmp / "bench.pdf", a.pages)
    docx_path = Path(a.docx) if a.docx else build_docx(tmp / "bench.docx", a.paras)

    t_plain, t_ours = float("inf"), float("inf")
    for _ in range(a.repeat):  # interleaved, best of N: the machine may be busy with other work
        t, pages = best(lambda: plain_pdf(pdf), 1)
        t_plain = min(t_plain, t)
        t, blocks = best(lambda: ours_pdf(pdf), 1)
        t_ours = min(t_ours, t)
    print(f"PDF  {pdf.name}: {pages} pages")
    print("  (CPU seconds, best of interleaved runs)")
    print(f"  pdfplumber extract_text : {t_plain:7.3f} s  {pages / t_plain:8.1f} pages/s")
    print(f"  stdkb read_pdf          : {t_ours:7.3f} s  {pages / t_ours:8.1f} pages/s  ({blocks} blocks)")
    print(f"  ratio ours/plain        : {t_ours / t_plain:7.2f}  (target <= 1.5)")
    u = unstructured("pdf", pdf, a.unstructured_python)
    if "skip" in u:
        print(f"  unstructured fast       : skipped ({u['skip'][:120]})")
    else:
        print(f"  unstructured fast       : {u['seconds']:7.3f} s  {pages / u['seconds']:8.1f} pages/s  "
              f"({u['elements']} elements)")

    t_plain, n_plain = best(lambda: plain_docx(docx_path))
    t_ours, n_ours = best(lambda: ours_docx(docx_path))
    print(f"DOCX {docx_path.name}: {n_plain} paragraphs")
    print(f"  python-docx p.text      : {t_plain:7.3f} s  {n_plain / t_plain:8.0f} paragraphs/s")
    print(f"  stdkb read_docx         : {t_ours:7.3f} s  {n_plain / t_ours:8.0f} paragraphs/s  ({n_ours} blocks)")
    u = unstructured("docx", docx_path, a.unstructured_python)
    if "skip" in u:
        print(f"  unstructured docx       : skipped ({u['skip'][:120]})")
    else:
        print(f"  unstructured docx       : {u['seconds']:7.3f} s  {n_plain / u['seconds']:8.0f} paragraphs/s  "
              f"({u['elements']} elements)")


if __name__ == "__main__":
    main()
