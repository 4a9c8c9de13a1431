"""Extraction throughput (obligations + phrases + thresholds + references) on Chinese or English text.

    python bench/bench_extract.py [FILE ...]     # default: corpus/*.txt (Chinese)
    python bench/bench_extract.py --lang en [--mb 5] [--no-spacy] [FILE ...]
                                                 # default: the English corpus of make_en_corpus.py (5 MB)

Prints MB/s (UTF-8 bytes of clause text per CPU-second, one core, best of 5, after a warm-up pass) for
  engine    stdkb.extract.extract_text per clause (the path extract_document uses)
  document  stdkb.process_text(...) with extraction on, minus the same run with extraction off
  spacy     the registered spaCy components over spacy.blank("zh"), one Doc per clause
Target: engine >= 2 MB/s.
"""
from __future__ import annotations

import glob
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def clauses_of(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def best_of(fn, repeat=5) -> float:
    """Best CPU time (time.process_time: not inflated by other processes on a busy machine)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="*")
    ap.add_argument("--lang", default="zh", choices=("zh", "en"))
    ap.add_argument("--mb", type=float, default=5, help="size of the generated English corpus (--lang en)")
    ap.add_argument("--no-spacy", action="store_true", help="skip the spaCy row")
    a = ap.parse_args(argv)
    lang = a.lang
    files = a.files
    if not files and lang == "en":
        sys.path.insert(0, str(Path(__file__).parent))
        from make_en_corpus import ensure_en_corpus

        d, _ = ensure_en_corpus(a.mb)
        files = sorted(glob.glob(str(d / "*.txt")))
    files = files or sorted(glob.glob(str(ROOT / "corpus" / "*.txt")))
    text = "\n".join(Path(f).read_text(encoding="utf-8", errors="replace") for f in files)
    clauses = clauses_of(text)
    nbytes = sum(len(c.encode("utf-8")) for c in clauses)
    ctx = ["客户服务标准", "服务用语"] if lang == "zh" else ["Customer Service Standard", "Service language"]
    ctx2 = ("服务用语", "禁忌用语") if lang == "zh" else ("Service language", "Forbidden phrases")
    from stdkb.extract import extract_text

    for c in clauses:  # warm up: language data and every lazily compiled pattern
        extract_text(c, lang, ctx)
    t = best_of(lambda: [extract_text(c, lang, ctx) for c in clauses])
    parts = []
    from stdkb.extract import find_obligations, find_phrases, find_references, find_thresholds

    for name, fn in (("obligations", lambda c: find_obligations(c, lang, ctx)),
                     ("phrases", lambda c: find_phrases(c, lang, ctx)),
                     ("thresholds", lambda c: find_thresholds(c, lang, ctx)),
                     ("references", lambda c: find_references(c, lang))):
        tp = best_of(lambda: [fn(c) for c in clauses])
        parts.append(f"{name} {nbytes / 1e6 / tp:.2f}")
    print(f"input ({lang}): {len(files)} file(s), {len(clauses)} clauses, {nbytes / 1e6:.3f} MB")
    print(f"engine    {nbytes / 1e6 / t:8.2f} MB/s   ({t * 1000:.0f} ms)   per part, MB/s: {', '.join(parts)}")

    try:
        import inspect

        import stdkb

        kw = {"lang": lang} if "lang" in inspect.signature(stdkb.process_text).parameters else {}

        def doc_run(extract):
            return list(stdkb.process_text(text, source="bench.txt", extract=extract, **kw))

        doc_run(True)
        t_on = best_of(lambda: doc_run(True))
        t_off = best_of(lambda: doc_run(False))
        dt = max(t_on - t_off, 1e-9)
        print(f"document  {nbytes / 1e6 / dt:8.2f} MB/s   (extraction share of process_text: {dt * 1000:.0f} ms"
              f" of {t_on * 1000:.0f} ms)")
    except Exception as e:  # the segmenter may not be there yet
        print(f"document  skipped ({type(e).__name__}: {e})")

    big = "".join(clauses)
    while len(big.encode("utf-8")) < 1_000_000:
        big += big
    t = best_of(lambda: extract_text(big, lang, ctx2), repeat=1)
    print(f"one clause {len(big.encode('utf-8')) / 1e6:.1f} MB: {len(big.encode('utf-8')) / 1e6 / t:.2f} MB/s "
          f"(no quadratic blow-up on huge run-on text)")

    if a.no_spacy:
        return 0
    t0 = time.perf_counter()
    from stdkb.extract.pipeline import build_nlp, run

    nlp = build_nlp(lang)
    t_load = time.perf_counter() - t0
    t = best_of(lambda: [run(nlp, c, ctx) for c in clauses], repeat=2)
    print(f"spacy     {nbytes / 1e6 / t:8.2f} MB/s   ({t * 1000:.0f} ms; import+build {t_load * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
