"""Build a large, deterministic benchmark corpus from the documents in ``corpus/``.

    python bench/make_corpus.py OUT_DIR [--mb 50] [--seed 0]

or, from another bench script::

    sys.path.insert(0, str(Path(__file__).parent))
    from make_corpus import ensure_corpus
    corpus_dir, manifest = ensure_corpus(50)          # cached in bench/_data/

How: every text file of ``corpus/`` is split into its documents (a short title line whose text starts the next
non-blank line, as in the site dumps users have; a file without such titles is cut into ~20 KB chunks at blank
lines). Output files are made like those dumps: 2-6 documents back to back, each perturbed so that no two are
identical:

- clauses renumbered (the top-level number of ``1`` / ``2.2.3`` style labels shifted, consistently in a
  document, so the tree stays well-formed);
- numbers in thresholds swapped ("不超过4小时" -> "不超过17小时");
- the order of sibling clauses shuffled within their section (texts move, labels stay in order);
- about 20 % of the files re-encoded as GB18030 and 10 % as UTF-16 (with BOM), the rest UTF-8.

Files are written until the corpus holds at least ``target_mb`` MB of text (counted as UTF-8 bytes of the
text, whatever the file's encoding, so MB/s figures are comparable). The same arguments always produce the
same bytes. ``manifest.json`` in the output directory records the parameters, the files and the text size.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "corpus"
CACHE = Path(__file__).resolve().parent / "_data"
VERSION = 1  # bump when the generator changes, to invalidate caches

_LABEL = re.compile(r"^(\s*)(\d{1,2})((?:\.\d{1,2}){0,3})(?=\s|[\u4e00-\u9fff])")
_CLAUSE_NUM = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十百]+[章节条])")
_THRESHOLD = re.compile(
    r"(?<![\d.])(\d{1,4})(?=\s*(?:个?小时|分钟|米|厘米|毫米|天|日|次|分|年|个|人|%|％|mm|cm|m\b|kg|元|℃|秒|周|月))")
_NAV = {"相关文档", "最新文档", "相关推荐", "猜你喜欢"}
_END_PUNCT = tuple("。；;，,：:！!？?")


def _read_text(path: Path) -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from stdkb.readers.txt import iter_lines

    return "\n".join(iter_lines(path))


def split_documents(text: str, chunk_chars: int = 20000) -> list[str]:
    """Split a multi-document dump into documents (list of texts). Navigation lines are dropped."""
    lines = [l for l in text.split("\n") if l.strip() not in _NAV]
    starts = []
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or len(s) > 60 or s.endswith(_END_PUNCT) or _CLAUSE_NUM.match(s):
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines):
            continue
        nxt = lines[j].strip().replace(" ", "")
        key = s.replace(" ", "")[:6]
        if len(key) >= 4 and nxt.startswith(key) and (not starts or i - starts[-1] > 3):
            starts.append(i)
    if not starts:
        starts = [0]
    if starts[0] != 0 and any(l.strip() for l in lines[: starts[0]]):
        starts.insert(0, 0)
    docs = []
    for a, b in zip(starts, starts[1:] + [len(lines)]):
        doc = "\n".join(lines[a:b]).strip("\n")
        if doc.strip():
            docs.append(doc)
    if len(docs) == 1 and len(docs[0]) > 2 * chunk_chars:  # no titles found: cut into chunks at blank lines
        docs, cur = [], []
        size = 0
        for line in lines:
            cur.append(line)
            size += len(line) + 1
            if size >= chunk_chars and not line.strip():
                docs.append("\n".join(cur).strip("\n"))
                cur, size = [], 0
        if "".join(cur).strip():
            docs.append("\n".join(cur).strip("\n"))
    return docs


def load_seed_documents(seed_dir: Path = SEED_DIR) -> list[str]:
    docs = []
    for f in sorted(seed_dir.glob("*.txt")):
        docs.extend(split_documents(_read_text(f)))
    if not docs:
        raise SystemExit(f"no .txt documents in {seed_dir}")
    return docs


def perturb(doc: str, rng: random.Random) -> str:
    """One perturbed copy of a document (see the module docstring)."""
    lines = doc.split("\n")
    # 1. shuffle sibling clauses: runs of lines whose labels share a parent and depth
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _LABEL.match(lines[i])
        if not m or not m.group(3):
            out.append(lines[i])
            i += 1
            continue
        parent = m.group(2) + m.group(3).rsplit(".", 1)[0]
        depth = m.group(3).count(".")
        run = [i]
        j = i + 1
        while j < len(lines):
            if not lines[j].strip():
                j += 1
                continue
            mj = _LABEL.match(lines[j])
            if not mj or mj.group(3).count(".") != depth or mj.group(2) + mj.group(3).rsplit(".", 1)[0] != parent:
                break
            run.append(j)
            j += 1
        if len(run) > 2 and rng.random() < 0.7:
            bodies = [lines[k][_LABEL.match(lines[k]).end():] for k in run]
            rng.shuffle(bodies)
            for k, body in zip(run, bodies):
                lines[k] = lines[k][:_LABEL.match(lines[k]).end()] + body
        out.extend(lines[i:run[-1] + 1])
        i = run[-1] + 1
    lines = out
    # 2. renumber: shift the top-level number of decimal labels by the same offset in the whole document
    shift = rng.choice([0, 0, 1, 2, 3, 5])
    if shift:
        def renumber(line: str) -> str:
            m = _LABEL.match(line)
            # numbers glued to text ("1面带笑容") are list items under a heading: left alone
            if not m or (not m.group(3) and not line[m.end():m.end() + 1].isspace()):
                return line
            return f"{m.group(1)}{int(m.group(2)) + shift}{m.group(3)}{line[m.end():]}"

        lines = [renumber(l) for l in lines]
    # 3. swap numbers in thresholds
    def swap(m):
        return str(rng.randint(1, 120)) if rng.random() < 0.5 else m.group(1)

    lines = [_THRESHOLD.sub(swap, l) for l in lines]
    return "\n".join(lines)


def make_corpus(out_dir, target_mb: float = 50, seed: int = 0, seed_dir: Path = SEED_DIR) -> dict:
    """Write the corpus into ``out_dir`` (created; existing ``*.txt`` there are removed) and return its manifest."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    docs = load_seed_documents(seed_dir)
    rng = random.Random(seed)
    target = int(target_mb * 1024 * 1024)
    total = 0
    files = []
    n = 0
    while total < target:
        k = rng.randint(2, 6)
        parts = [perturb(rng.choice(docs), rng) for _ in range(k)]
        text = "\n\n".join(parts) + "\n"
        r = rng.random()
        enc = "gb18030" if r < 0.2 else "utf-16" if r < 0.3 else "utf-8"
        name = f"doc_{n:05d}.txt"
        (out / name).write_bytes(text.encode(enc))
        size = len(text.encode("utf-8"))
        files.append({"name": name, "encoding": enc, "text_bytes": size, "documents": k})
        total += size
        n += 1
    manifest = {"version": VERSION, "target_mb": target_mb, "seed": seed, "text_bytes": total,
                "text_mb": round(total / 1048576, 2), "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def ensure_corpus(target_mb: float = 50, seed: int = 0, cache: Path = CACHE) -> tuple[Path, dict]:
    """The cached corpus for these parameters (built on first use) and its manifest."""
    d = cache / f"corpus_{target_mb:g}mb_seed{seed}"
    mf = d / "manifest.json"
    if mf.exists():
        manifest = json.loads(mf.read_text(encoding="utf-8"))
        if manifest.get("version") == VERSION and all((d / f["name"]).exists() for f in manifest["files"]):
            return d, manifest
    return d, make_corpus(d, target_mb, seed)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--mb", type=float, default=50, help="target size in MB of text (default 50)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    m = make_corpus(a.out_dir, a.mb, a.seed)
    encs = {}
    for f in m["files"]:
        encs[f["encoding"]] = encs.get(f["encoding"], 0) + 1
    print(f"{len(m['files'])} files, {m['text_mb']} MB of text, encodings {encs} -> {a.out_dir}")


if __name__ == "__main__":
    main()
