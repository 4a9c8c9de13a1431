"""Throughput of the threshold and reference extractors (MB/s of UTF-8 text, one core).

    .venv/bin/python bench/bench_thresholds.py            # seed corpus x20 and the 2 MB generated corpus
    .venv/bin/python bench/bench_thresholds.py --mb 10    # a bigger generated corpus

Clause-sized inputs (one line at a time, as ``extract_document`` calls them). Prints MB/s per extractor and
the number of items found; the target for the whole extraction is >= 2 MB/s of Chinese text per core, so
these two should stay far above it.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))


def _lines_from(paths) -> list[str]:
    out = []
    for p in paths:
        raw = p.read_bytes()
        for enc in ("utf-8", "utf-16", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            continue
        out.extend(line for line in text.splitlines() if line.strip())
    return out


def run(name: str, lines: list[str], repeat: int = 3) -> None:
    from stdkb.extract.references import find_references
    from stdkb.extract.thresholds import find_thresholds

    nbytes = sum(len(line.encode("utf-8")) for line in lines)
    find_thresholds("不超过4小时", "zh")  # build the patterns once, outside the timing
    find_references("见第2.2条", "zh")
    for label, fn in (("thresholds", find_thresholds), ("references", find_references)):
        best, found = float("inf"), 0
        for _ in range(repeat):
            t0 = time.perf_counter()
            found = sum(len(fn(line, "zh")) for line in lines)
            best = min(best, time.perf_counter() - t0)
        print(f"{name:<22} {label:<11} {nbytes / 1e6:7.2f} MB  {nbytes / best / 1e6:7.2f} MB/s  {found:8d} found")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=2, help="size of the generated corpus (bench/make_corpus.py)")
    args = ap.parse_args()
    seed = _lines_from(sorted((ROOT / "corpus").glob("*.txt")))
    run("seed corpus x20", seed * 20)
    try:
        from make_corpus import ensure_corpus

        corpus_dir, _ = ensure_corpus(args.mb)
        run(f"generated {args.mb} MB", _lines_from(sorted(Path(corpus_dir).rglob("*.txt"))), repeat=1)
    except Exception as e:  # the generator is optional here
        print(f"generated corpus skipped: {e}")


if __name__ == "__main__":
    main()
