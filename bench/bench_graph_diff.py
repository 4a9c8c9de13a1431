"""Figures for the graph and the diff on synthetic standards (no assertions: prints timings).

    python bench/bench_graph_diff.py [N_CLAUSES]

Builds a document of N clauses (3 levels, obligations and thresholds on every clause), then:
  - build_graph over 20 such documents, GraphML/GEXF/JSON export;
  - diff_documents against a version with a clause inserted at the top (everything renumbered),
    2% of clauses reworded and 1% deleted.
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from stdkb.diff import diff_documents
from stdkb.graph import build_graph, export_graph, graph_summary
from stdkb.model import Clause, Document, Obligation, Threshold

WORDS = "服务 人员 客户 应当 及时 处理 投诉 维修 燃气 设备 检查 记录 现场 安全 通知 用户 答复 工作 规范 要求".split()


def make_doc(doc_id: str, n: int, seed: int, shift: int = 0) -> Document:
    rnd = random.Random(seed)
    d = Document(id=doc_id, title=f"标准{doc_id}", source=f"{doc_id}.txt")
    i = 0
    a = 0
    while i < n:
        a += 1
        top = Clause(id=f"{doc_id}:{a}", label=str(a + shift), path=[str(a + shift)], kind="heading", level=1,
                     parent=None, text=f"第{a}部分")
        d.clauses.append(top)
        i += 1
        for b in range(1, 11):
            for c in range(1, 6):
                if i >= n:
                    break
                lab = f"{a + shift}.{b}.{c}"
                text = "".join(rnd.choice(WORDS) for _ in range(12)) + f"不超过{rnd.randint(1, 48)}小时。"
                cl = Clause(id=f"{doc_id}:{a}.{b}.{c}", label=lab, path=[str(a + shift), lab], kind="clause",
                            level=2, parent=top.id, text=text,
                            obligations=[Obligation(modality="obligation", text=text, actor="服务人员")],
                            thresholds=[Threshold(value=4.0, unit="h", comparator="<=", text="不超过4小时",
                                                  quantity="time", si_value=14400.0, si_unit="s")])
                d.clauses.append(cl)
                i += 1
    return d


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    docs = [make_doc(f"d{k}", n, k) for k in range(20)]
    t = time.perf_counter()
    G = build_graph(docs)
    s = graph_summary(G)
    print(f"build_graph: 20 docs x {n} clauses -> {s['nodes']} nodes, {s['edges']} edges in "
          f"{time.perf_counter() - t:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("graphml", "gexf", "json"):
            t = time.perf_counter()
            export_graph(G, Path(tmp) / f"g.{fmt}", fmt)
            size = (Path(tmp) / f"g.{fmt}").stat().st_size
            print(f"export {fmt}: {time.perf_counter() - t:.2f} s, {size / 1e6:.1f} MB")

    old = make_doc("v1", n, 1)
    new = make_doc("v2", n, 1, shift=1)  # a new part 1 inserted: every number shifts
    new.clauses.insert(0, Clause(id="v2:new", label="1", path=["1"], kind="heading", level=1, parent=None,
                                 text="新增部分"))
    rnd = random.Random(7)
    body = [c for c in new.clauses if c.kind == "clause"]
    for c in rnd.sample(body, len(body) // 50):
        c.text = c.text.replace("小时", "个小时")
    for c in rnd.sample(body, len(body) // 100):
        new.clauses.remove(c)
    t = time.perf_counter()
    r = diff_documents(old, new)
    print(f"diff_documents: {n} clauses, everything renumbered: {time.perf_counter() - t:.2f} s  {r.summary()}")


if __name__ == "__main__":
    main()
