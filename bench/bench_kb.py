"""Knowledge-base benchmark: build a database from >= 50 MB of standards text, then time searches.

    .venv/bin/python bench/bench_kb.py                 # 75 MB corpus (>= 500,000 clauses), several minutes
    .venv/bin/python bench/bench_kb.py --mb 10         # quick look
    .venv/bin/python bench/bench_kb.py --skip-build    # only the search part, on the database of a previous run

Prints:
  * build: MB of text per second end to end (read + segment + extract + store, one process = one core), and
    the share of that time spent writing SQLite (rows + FTS + commits + indexes created after a bulk load);
  * rebuild of the unchanged corpus (every file skipped by its sha256);
  * database size / text size (target < 3x) and the largest tables and indexes (dbstat);
  * search latency (``stdkb.store.search``: FTS match + text check of longer queries + BM25 ranking + join +
    snippet, 20 hits) p50 / p95 per
    query length: 1, 2, 3, 4, 5+ Chinese characters sampled from the stored clauses, named queries from the
    issue, and English words (target p95 < 50 ms on >= 500,000 clauses).

The corpus comes from ``bench/make_corpus.py`` (the seed corpus split, renumbered, thresholds changed, clauses
shuffled, several encodings), cached in ``bench/_data/``.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from make_corpus import ensure_corpus  # noqa: E402

NAMED = ["诉", "投诉", "严禁", "禁忌用语", "燃气表电池", "服务", "安全", "用户投诉", "不得"]
CJK = re.compile(r"[\u4e00-\u9fff]+")
LATIN = re.compile(r"[A-Za-z]{3,}")


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def sample_queries(conn, rng, per_len=40):
    rows = conn.execute("SELECT text FROM clauses WHERE length(text) > 8 ORDER BY random() LIMIT 5000").fetchall()
    by_len = {1: set(), 2: set(), 3: set(), 4: set(), 5: set()}
    latin = set()
    for (t,) in rows:
        runs = [r for r in CJK.findall(t) if len(r) >= 1]
        for w in LATIN.findall(t):
            latin.add(w.lower())
        for n in by_len:
            cand = [r for r in runs if len(r) >= n]
            if cand and len(by_len[n]) < per_len:
                r = rng.choice(cand)
                i = rng.randrange(0, len(r) - n + 1)
                by_len[n].add(r[i:i + n])
    out = {f"{n} char{'s' if n > 1 else ''}" + ("+" if n == 5 else ""): sorted(v) for n, v in by_len.items()}
    eng = sorted(latin)[:per_len] or ["shall", "must", "customer", "service", "complaint"]
    out["english"] = eng
    out["named"] = NAMED
    return out


def time_queries(db, queries, repeat=3, **kw):
    from stdkb import store

    lat, cpu, hits = [], [], []
    for q in queries:
        best = bestc = None
        for _ in range(repeat):
            t = time.perf_counter()
            c = time.process_time()
            store.search(db, q, limit=20, **kw)
            dc = (time.process_time() - c) * 1000
            dt = (time.perf_counter() - t) * 1000
            best = dt if best is None else min(best, dt)
            bestc = dc if bestc is None else min(bestc, dc)
        lat.append(best)
        cpu.append(bestc)
        hits.append(store.count_matches(db, q))
    return lat, cpu, hits


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=75, help="corpus size in MB of text (default 75: >= 500k clauses)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--db", default=None, help="database path (default bench/_data/kb_<mb>mb.db)")
    ap.add_argument("--skip-build", action="store_true")
    a = ap.parse_args(argv)

    from stdkb import store

    corpus_dir, manifest = ensure_corpus(a.mb, a.seed)
    text_mb = manifest["text_bytes"] / 1e6
    dbp = Path(a.db) if a.db else HERE / "_data" / f"kb_{a.mb:g}mb.db"
    print(f"corpus: {corpus_dir} ({len(manifest['files'])} files, {text_mb:.1f} MB of text)")
    if not a.skip_build:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(str(dbp) + suffix):
                os.remove(str(dbp) + suffix)
        write_time = [0.0]
        # SQLite writes = sources written + group commits + indexes created after a bulk load
        originals = {(store, "_write_source"): store._write_source, (store._Group, "commit"): store._Group.commit,
                     (store, "_finish_bulk"): store._finish_bulk}

        def timed(fn):
            def wrapper(*args, **kw):
                t = time.perf_counter()
                try:
                    return fn(*args, **kw)
                finally:
                    write_time[0] += time.perf_counter() - t
            return wrapper

        for (owner, name), fn in originals.items():
            setattr(owner, name, timed(fn))
        t0 = time.perf_counter()
        c0 = time.process_time()
        res = store.build(dbp, [corpus_dir], on_error=lambda m: print("  error:", m))
        dt = time.perf_counter() - t0
        dc = time.process_time() - c0
        for (owner, name), fn in originals.items():
            setattr(owner, name, fn)
        print(f"build: {res.built} files, {res.documents} documents, {res.clauses} clauses, {res.failed} failed "
              f"in {dt:.1f} s = {text_mb / dt:.2f} MB/s end to end (one core); "
              f"SQLite writes {write_time[0]:.1f} s ({100 * write_time[0] / dt:.0f} %); CPU time {dc:.1f} s = "
              f"{text_mb / dc:.2f} MB/s per CPU-second")
        t0 = time.perf_counter()
        res2 = store.build(dbp, [corpus_dir])
        print(f"rebuild unchanged: {res2.unchanged} files skipped in {time.perf_counter() - t0:.1f} s")
    db = store.open_db(dbp)
    conn = db.conn
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = os.path.getsize(dbp)
    n_clauses = conn.execute("SELECT count(*) FROM clauses").fetchone()[0]
    clause_bytes = conn.execute("SELECT sum(length(CAST(text AS BLOB))) FROM clauses").fetchone()[0] or 0
    print(f"database: {size / 1e6:.1f} MB for {text_mb:.1f} MB of text = {size / 1e6 / text_mb:.2f}x "
          f"(target < 3x); {n_clauses} clauses, clause text {clause_bytes / 1e6:.1f} MB")
    try:
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8").fetchall()
        print("  largest: " + ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in rows))
    except Exception as e:  # dbstat not compiled in
        print(f"  (no dbstat: {e})")

    rng = random.Random(a.seed)
    groups = sample_queries(conn, rng)
    store.search(db, "投诉")  # warm the page cache
    for dup in (False, True):
        scope = ("all clauses (--duplicates)" if dup else
                 "default: clauses of near-duplicate documents left out (their own FTS5 table is not searched)")
        print(f"search latency over {n_clauses} clauses, {scope} (store.search, 20 hits with snippets, best of 3):")
        print(f"  {'queries':<10} {'n':>3} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95 cpu':>8} "
              f"{'median hits':>12} {'max hits':>9}")
        for name, qs in groups.items():
            lat, cpu, hits = time_queries(db, qs, duplicates=dup)
            print(f"  {name:<10} {len(qs):>3} {pct(lat, 50):>8.1f} {pct(lat, 95):>8.1f} {max(lat):>8.1f} "
                  f"{pct(cpu, 95):>8.1f} {statistics.median(hits):>12.0f} {max(hits):>9}")
            if name == "named":
                for q, l, h in zip(qs, lat, hits):
                    print(f"     {q:<8} {l:7.1f} ms  {h} matching clauses")
    print(f"  (wall ms, best of 3; 'p95 cpu' = CPU time of the process, unaffected by other load; queries with "
          f"more than {store.RANK_MAX} matches are returned in document order, unranked)")


if __name__ == "__main__":
    main()
