"""Throughput, memory and start-up benchmark of the stdkb pipeline.

    python bench/bench_pipeline.py                 # everything (builds/caches the corpora in bench/_data/)
    python bench/bench_pipeline.py --quick         # 10 MB only, fewer repeats
    python bench/bench_pipeline.py --skip-startup  # throughput and memory only

What it measures (each throughput figure in a fresh process, so peak RSS belongs to that run alone):

0. the readers alone (``read_blocks`` over the smallest corpus; the "clauses" column counts blocks), to
   split the time between reading and segmenting;
1. read + segmentation only: ``stdkb.process_paths([corpus], extract=False)`` on the 10 MB and the 50 MB
   generated corpus (bench/make_corpus.py): MB/s of text (UTF-8 bytes of the text, whatever the file
   encoding) and peak RSS (``resource.getrusage().ru_maxrss``), plus the RSS growth over the process's
   RSS after the imports. Memory must not grow with the corpus: compare the 10 MB and 50 MB rows.
2. the same with extraction (``extract=True``).
3. ``tracemalloc`` peak (Python allocations only) for read + segment on 2 MB and 5 MB subsets.
4. start-up: ``stdkb --help`` and ``stdkb extract`` on the seed's first document (~22 KB, the full
   客户服务标准(试行)) as whole processes, best of N; and the in-process time of ``process_path`` on that file
   (first call, which pays for the lazy imports, and best warm call).
5. optional: the same 22 KB file through ``unstructured``'s ``partition_text`` when that package is importable
   (``--unstructured-python /path/to/python`` runs it in another environment; it is not a dependency).

Targets: >= 5 MB/s read+segment, >= 2 MB/s with extraction, ``--help`` < 0.3 s, ``extract`` 22 KB < 1 s.
Figures are printed, never asserted: this is a benchmark, not a test.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = ROOT / "corpus" / "000_0488f31712851f27.txt"
sys.path.insert(0, str(HERE))

TARGETS = {"segment_mbps": 5.0, "extract_mbps": 2.0, "help_s": 0.3, "extract_cli_s": 1.0}


def _maxrss_mb() -> float:
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def _files(corpus_dir: Path, limit_mb: float | None):
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    files, total = [], 0
    for f in manifest["files"]:
        if limit_mb is not None and total >= limit_mb * 1048576:
            break
        files.append(corpus_dir / f["name"])
        total += f["text_bytes"]
    return files, total


# ------------------------------------------------------------------------------------------ workers


def worker(mode: str, corpus_dir: str, limit_mb: float | None) -> dict:
    import stdkb
    from stdkb import pipeline  # noqa: F401  (imports before the baseline)
    import stdkb.documents  # noqa: F401
    import stdkb.segment  # noqa: F401

    extract = mode == "extract"
    if extract:
        import stdkb.extract  # noqa: F401
    files, text_bytes = _files(Path(corpus_dir), limit_mb)
    errors = []
    if extract:  # the extractors may load language data / models lazily on first use: warm them up on a string
        stdkb.process_text("1 总则\n1.1 应在4小时内修复。\n", extract=True)
    base = _maxrss_mb()
    if mode == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
    docs = clauses = 0
    t0, c0 = time.perf_counter(), time.process_time()
    if mode == "read":  # the readers alone (decoding + lines -> blocks), for the breakdown
        from stdkb.readers import read_blocks

        for f in files:
            for _ in read_blocks(f):
                clauses += 1  # counts blocks
    else:
        for doc in stdkb.process_paths(files, extract=extract, on_error=errors.append):
            docs += 1
            clauses += len(doc.clauses)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    out = {"mode": mode, "files": len(files), "text_mb": text_bytes / 1048576, "seconds": dt, "cpu_seconds": cpu,
           "mbps": text_bytes / 1048576 / cpu, "wall_mbps": text_bytes / 1048576 / dt, "documents": docs, "clauses": clauses, "errors": len(errors),
           "first_error": str(errors[0]) if errors else None, "rss_base_mb": base, "rss_peak_mb": _maxrss_mb()}
    if mode == "tracemalloc":
        import tracemalloc

        out["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1048576
        tracemalloc.stop()
    return out


def worker_inproc(path: str, repeat: int) -> dict:
    t0 = time.perf_counter()
    import stdkb

    docs = list(stdkb.process_path(path))
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        docs = list(stdkb.process_path(path))
        warm.append(time.perf_counter() - t)
    warm_noext = []
    for _ in range(repeat):
        t = time.perf_counter()
        list(stdkb.process_path(path, extract=False))
        warm_noext.append(time.perf_counter() - t)
    return {"cold_s": cold, "warm_s": min(warm), "warm_noextract_s": min(warm_noext), "documents": len(docs),
            "clauses": sum(len(d.clauses) for d in docs)}


UNSTRUCTURED_SNIPPET = r"""
import json, sys, time
t0 = time.perf_counter()
from unstructured.partition.text import partition_text
imp = time.perf_counter() - t0
t = time.perf_counter(); els = partition_text(filename=sys.argv[1]); first = time.perf_counter() - t
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    partition_text(filename=sys.argv[1])
    times.append(time.perf_counter() - t)
best = min(times)
print(json.dumps({"import_s": imp, "first_s": first, "warm_s": best, "elements": len(els)}))
"""


# ------------------------------------------------------------------------------------------ driver


def _run_worker(args: list[str]) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def _best_wall(cmd: list[str], repeat: int) -> tuple[float, str]:
    best, err = float("inf"), ""
    for _ in range(repeat):
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        dt = time.perf_counter() - t
        if p.returncode != 0:
            err = (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1]
        best = min(best, dt)
    return best, err


def first_document(dst: Path) -> Path:
    from make_corpus import split_documents, _read_text

    doc = split_documents(_read_text(SEED))[0]
    dst.write_text(doc + "\n", encoding="utf-8")
    return dst


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10,50", help="corpus sizes in MB for read+segment (default 10,50)")
    ap.add_argument("--extract-sizes", default="10,50", help="corpus sizes in MB with extraction (default 10,50)")
    ap.add_argument("--tracemalloc-sizes", default="2,5", help="subset sizes in MB for tracemalloc (default 2,5)")
    ap.add_argument("--repeat", type=int, default=5, help="best of N for the start-up figures (default 5)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="10 MB corpus only, 3 repeats")
    ap.add_argument("--skip-startup", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--unstructured-python", help="a python that has `unstructured` installed (optional comparison)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--limit-mb", type=float, help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker == "inproc":
        print(json.dumps(worker_inproc(a.file, a.repeat)))
        return
    if a.worker:
        print(json.dumps(worker(a.worker, a.dir, a.limit_mb)))
        return

    from make_corpus import ensure_corpus

    if a.quick:
        a.sizes, a.extract_sizes, a.tracemalloc_sizes, a.repeat = "10", "10", "2", 3
    sizes = [float(s) for s in a.sizes.split(",") if s]
    ex_sizes = [float(s) for s in a.extract_sizes.split(",") if s]
    tm_sizes = [float(s) for s in a.tracemalloc_sizes.split(",") if s]
    results: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "runs": [],
                     "loadavg": os.getloadavg()[0]}
    print(f"stdkb pipeline benchmark (python {results['python']}, {os.cpu_count()} CPUs, one core used, "
          f"load average {results['loadavg']:.1f} at start)")

    if not a.skip_throughput:
        corpora = {}
        for mb in sorted(set(sizes + ex_sizes + ([max(tm_sizes)] if tm_sizes else []))):
            if mb in sizes or mb in ex_sizes:
                t = time.perf_counter()
                d, m = ensure_corpus(mb, a.seed)
                corpora[mb] = d
                print(f"corpus {mb:g} MB: {len(m['files'])} files, {m['text_mb']} MB of text in {d.relative_to(ROOT)}"
                      f" ({time.perf_counter() - t:.1f} s to build/check)")
        smallest = corpora[min(corpora)] if corpora else ensure_corpus(max(tm_sizes), a.seed)[0]
        print()
        print("MB/s = MB of text per CPU second of the process (robust to other load on the machine); wall s also shown")
        print(f"{'mode':<22}{'text MB':>8}{'files':>7}{'docs':>7}{'clauses':>9}{'wall s':>8}{'cpu s':>8}{'MB/s':>7}"
              f"{'RSS MB':>8}{'+RSS':>7}{'traced':>8}  target")
        plan = [("read", min(corpora), corpora[min(corpora)], None)] if corpora else []
        plan += [("segment", mb, corpora[mb], None) for mb in sizes]
        plan += [("extract", mb, corpora[mb], None) for mb in ex_sizes]
        plan += [("tracemalloc", mb, smallest, mb) for mb in tm_sizes]
        for mode, mb, d, limit in plan:
            args = ["--worker", mode, "--dir", str(d)]
            if limit is not None:
                args += ["--limit-mb", str(limit)]
            r = _run_worker(args)
            r.setdefault("mode", mode)
            results["runs"].append(r)
            if "error" in r:
                print(f"{mode:<22} {mb:g} MB: FAILED: {r['error']}")
                continue
            label = {"read": "read only (blocks)", "segment": "read+segment", "extract": "read+segment+extract",
                     "tracemalloc": "read+segment (traced)"}[mode]
            target = ""
            if mode == "segment":
                target = f">= {TARGETS['segment_mbps']:g} MB/s {_mark(r['mbps'] >= TARGETS['segment_mbps'])}"
            elif mode == "extract":
                target = f">= {TARGETS['extract_mbps']:g} MB/s {_mark(r['mbps'] >= TARGETS['extract_mbps'])}"
            traced = f"{r['traced_peak_mb']:8.1f}" if "traced_peak_mb" in r else f"{'':>8}"
            print(f"{label:<22}{r['text_mb']:8.1f}{r['files']:7d}{r['documents']:7d}{r['clauses']:9d}"
                  f"{r['seconds']:8.2f}{r['cpu_seconds']:8.2f}{r['mbps']:7.2f}{r['rss_peak_mb']:8.0f}"
                  f"{r['rss_peak_mb'] - r['rss_base_mb']:7.0f}{traced}  {target}")
            if r.get("errors"):
                print(f"   {r['errors']} files failed, first: {r['first_error']}")
        for mode in ("segment", "extract", "tracemalloc"):
            rows = [r for r in results["runs"] if r.get("mode") == mode and "error" not in r]
            if len(rows) >= 2:
                lo, hi = rows[0], rows[-1]
                key = "traced_peak_mb" if mode == "tracemalloc" else "rss_peak_mb"
                print(f"memory {mode}: {lo[key]:.1f} MB at {lo['text_mb']:.0f} MB of text -> {hi[key]:.1f} MB at "
                      f"{hi['text_mb']:.0f} MB ({'flat' if hi[key] <= lo[key] * 1.25 + 5 else 'GROWS'})")

    if not a.skip_startup:
        print()
        stdkb_exe = Path(sys.executable).with_name("stdkb")
        exe = [str(stdkb_exe)] if stdkb_exe.exists() else [sys.executable, "-m", "stdkb"]
        with tempfile.TemporaryDirectory() as tmp:
            f = first_document(Path(tmp) / "客户服务标准.txt")
            size_kb = f.stat().st_size / 1024
            help_s, err = _best_wall(exe + ["--help"], a.repeat)
            results["help_s"] = help_s
            print(f"stdkb --help{'':<28}{help_s:7.3f} s  best of {a.repeat}   target < {TARGETS['help_s']} s "
                  f"{_mark(help_s < TARGETS['help_s'])} {err}")
            ex_s, err = _best_wall(exe + ["extract", str(f), "--format", "json"], a.repeat)
            results["extract_cli_s"] = ex_s
            print(f"stdkb extract ({size_kb:.0f} KB, whole process){'':<4}{ex_s:7.3f} s  best of {a.repeat}   target < "
                  f"{TARGETS['extract_cli_s']} s {_mark(ex_s < TARGETS['extract_cli_s'] and not err)} {err}")
            imp_s, _ = _best_wall([sys.executable, "-c", "import stdkb"], a.repeat)
            py_s, _ = _best_wall([sys.executable, "-c", "pass"], a.repeat)
            print(f"python -c pass / import stdkb{'':<11}{py_s:7.3f} s / {imp_s:.3f} s")
            r = _run_worker(["--worker", "inproc", "--file", str(f), "--repeat", str(a.repeat)])
            results["inproc"] = r
            if "error" in r:
                print(f"in-process process_path: FAILED: {r['error']}")
            else:
                print(f"in-process process_path ({size_kb:.0f} KB): first call {r['cold_s']:.3f} s (imports included), "
                      f"warm {r['warm_s'] * 1000:.1f} ms, warm without extraction {r['warm_noextract_s'] * 1000:.1f} ms; "
                      f"{r['documents']} document(s), {r['clauses']} clauses")
            upy = a.unstructured_python
            if upy is None:
                try:
                    import importlib.util

                    if importlib.util.find_spec("unstructured") is not None:
                        upy = sys.executable
                except Exception:
                    upy = None
            if upy:
                p = subprocess.run([upy, "-c", UNSTRUCTURED_SNIPPET, str(f), str(a.repeat)], capture_output=True,
                                   text=True)
                if p.returncode == 0:
                    u = json.loads(p.stdout.strip().splitlines()[-1])
                    results["unstructured"] = u
                    ratio = u["warm_s"] / r["warm_s"] if "warm_s" in r else float("nan")
                    print(f"unstructured partition_text ({size_kb:.0f} KB): import {u['import_s']:.2f} s, first "
                          f"{u['first_s']:.3f} s, warm {u['warm_s'] * 1000:.1f} ms, {u['elements']} elements, no "
                          f"clause tree; stdkb warm (with extraction) is {ratio:.1f}x faster")
                else:
                    print(f"unstructured comparison failed: {(p.stderr.strip().splitlines() or ['?'])[-1]}")
            else:
                print("unstructured not installed: comparison skipped (optional, see bench/README.md)")
    if a.json:
        Path(a.json).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
