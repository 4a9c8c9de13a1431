"""Benchmark: checklist generation for a 500-clause standard, in every format (target < 2 s in total).

    .venv/bin/python bench/bench_checklist.py [--clauses 500] [--pipeline]

The standard is generated: chapters of sections of numbered clauses with obligations, thresholds, phrases
and points ("(10分)", "每处扣2分") under a scoring preamble, so the score sheet is built too. By default the
Documents are built from the data model (this measures checklist generation alone); ``--pipeline`` also
writes the standard as text and runs it through stdkb.process_text first (reported separately).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from stdkb.model import Clause, Document, Obligation, Phrase, Threshold  # noqa: E402

PREAMBLE = ("考评实行量化评分,总分为200分,其中“安全施工”与“文明施工”均为100分。"
            "各分部实得分=各分部检查项实得分数之和÷各分部检查项应得分数之和×100。"
            "验收结果分为示范工地(总分在160分及以上)、达标工地(总分在120分及以上)、不达标工地(总得分低于120分)三个等次。")
ACTS = ["施工单位", "监理单位", "客服人员", "项目经理", "安全员"]
THINGS = ["围挡", "脚手架", "临边防护", "配电箱", "消防器材", "材料堆放", "道路硬化", "洗车设施", "宿舍", "食堂"]


def text_standard(n: int, seed: int = 7) -> str:
    rnd = random.Random(seed)
    lines = ["某市建筑施工安全文明考评标准", "1 评分办法", "1.1 " + PREAMBLE]
    k = 0
    ch = 1
    while k < n:
        ch += 1
        lines.append(f"{ch} {'安全施工' if ch % 2 else '文明施工'}第{ch}部分")
        for s in range(1, 6):
            lines.append(f"{ch}.{s} {rnd.choice(THINGS)}检查")
            for c in range(1, 11):
                k += 1
                thing = rnd.choice(THINGS)
                v = rnd.randint(1, 48)
                pts = rnd.choice([5, 10, 15, 20])
                lines.append(f"{ch}.{s}.{c} {rnd.choice(ACTS)}应确保{thing}完好,检查间隔不超过{v}小时({pts}分),"
                             f"每处不合格扣{rnd.randint(1, 5)}分;严禁说“不知道”。")
                if k >= n:
                    break
            if k >= n:
                break
    return "\n".join(lines) + "\n"


def model_standard(n: int, seed: int = 7) -> Document:
    rnd = random.Random(seed)
    did = "dbench0001"
    clauses = [Clause(id=f"{did}:1", label="1", path=["1"], kind="heading", level=1, parent=None, text="评分办法",
                      title="评分办法"),
               Clause(id=f"{did}:1/1.1", label="1.1", path=["1", "1.1"], kind="clause", level=2, parent=f"{did}:1",
                      text=PREAMBLE)]
    k = 0
    ch = 1
    while k < n:
        ch += 1
        sec = "安全施工" if ch % 2 else "文明施工"
        cid = f"{did}:{ch}"
        clauses.append(Clause(id=cid, label=str(ch), path=[str(ch)], kind="heading", level=1, parent=None,
                              text=f"{sec}第{ch}部分", title=f"{sec}第{ch}部分"))
        for s in range(1, 6):
            sid = f"{cid}/{ch}.{s}"
            t = f"{rnd.choice(THINGS)}检查"
            clauses.append(Clause(id=sid, label=f"{ch}.{s}", path=[str(ch), f"{ch}.{s}"], kind="heading", level=2,
                                  parent=cid, text=t, title=t))
            for c in range(1, 11):
                k += 1
                label = f"{ch}.{s}.{c}"
                thing, v, pts, act = rnd.choice(THINGS), rnd.randint(1, 48), rnd.choice([5, 10, 15, 20]), rnd.choice(ACTS)
                text = f"{act}应确保{thing}完好,检查间隔不超过{v}小时({pts}分),每处不合格扣{rnd.randint(1, 5)}分;严禁说“不知道”。"
                clauses.append(Clause(
                    id=f"{sid}/{label}", label=label, path=[str(ch), f"{ch}.{s}", label], kind="clause", level=3,
                    parent=sid, text=text,
                    obligations=[Obligation("obligation", f"{act}应确保{thing}完好,检查间隔不超过{v}小时", actor=act),
                                 Obligation("prohibition", "严禁说“不知道”", actor=act)],
                    thresholds=[Threshold(v, "h", "<=", f"不超过{v}小时", quantity="检查间隔", si_value=v * 3600.0,
                                          si_unit="s")],
                    phrases=[Phrase("prohibited", "不知道")]))
                if k >= n:
                    break
            if k >= n:
                break
    return Document(id=did, title="某市建筑施工安全文明考评标准", source="bench", clauses=clauses)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clauses", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pipeline", action="store_true", help="also time process_text on the text version")
    ap.add_argument("--transcript-lines", type=int, default=5000, help="lines of the transcript benchmark")
    a = ap.parse_args()
    from stdkb.checklist import build_checklist
    from stdkb.exporters import export

    if a.pipeline:
        import stdkb

        txt = text_standard(a.clauses)
        t = time.perf_counter()
        docs = stdkb.process_text(txt, "bench.txt")
        print(f"pipeline (process_text, {len(txt)} chars): {time.perf_counter() - t:.3f} s, "
              f"{sum(len(d.clauses) for d in docs)} clauses")
        doc = max(docs, key=lambda d: len(d.clauses))
    else:
        doc = model_standard(a.clauses)
    n_clauses = sum(1 for c in doc.clauses if c.kind == "clause")
    best = {}
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        cl = build_checklist(doc)
        times = {"build": time.perf_counter() - t0}
        for fmt in ("md", "csv", "json", "xlsx", "oscal"):
            t = time.perf_counter()
            out = export([cl], fmt)
            times[fmt] = time.perf_counter() - t
            times[f"{fmt}_size"] = len(out)
        times["total"] = time.perf_counter() - t0
        if not best or times["total"] < best["total"]:
            best = times
    print(f"{n_clauses} clauses -> {len(cl.items)} items, score sheet: {cl.score_sheet is not None}")
    for k in ("build", "md", "csv", "json", "xlsx", "oscal"):
        size = f"  ({best[k + '_size']:,} bytes)" if k + "_size" in best else ""
        print(f"  {k:6s} {best[k] * 1000:8.1f} ms{size}")
    verdict = "OK" if best["total"] < 2.0 else "SLOW"
    print(f"  total  {best['total'] * 1000:8.1f} ms  (best of {a.repeat}; target < 2000 ms: {verdict})")
    bench_transcript(a.transcript_lines)


def bench_transcript(n_lines: int):
    """check_transcript over an n-line two-speaker call against ~60 prohibited and required phrases."""
    from stdkb.transcript import PhraseMatcher, PhraseRef, check_transcript

    rnd = random.Random(3)
    bad = ["不知道", "不管", "找领导去", "你找我没用,要解决就去找领导", "不能办就是不能办,没有为什么,这是规矩",
           "不是告诉你了吗,怎么还问", "急也没用,我太忙了", "有意见,告去", "你尽管投诉好了", "我没工夫", "我就这态度",
           "你问我,我问谁", "快下班了,明天再来", "我解决不了", "嫌贵,就别用", "自己看着办", "没看到我在忙吗"]
    ok = ["您好,XX燃气公司XX号客服员为您服务", "请您稍等", "对不起,让您久等了", "您还有其他问题吗",
          "感谢您的来电,如果有问题,请您与我们联系,再见", "很高兴为您服务", "请慢走"]
    phrases = [PhraseRef("prohibited", t, clause_id=f"x:{k}") for k, t in enumerate(bad * 2)] + \
              [PhraseRef("required", t, clause_id=f"y:{k}") for k, t in enumerate(ok * 4)]
    filler = ["我给您查一下系统里的记录", "您的户号是多少", "燃气表的电池需要更换", "我们明天上午派人上门",
              "这个问题我马上帮您处理", "请问您家的地址是哪里"]
    lines = []
    for k in range(n_lines):
        who = "客服" if k % 2 == 0 else "客户"
        say = rnd.choice(filler) + ("," + rnd.choice(bad) if rnd.random() < 0.05 else "")
        lines.append(f"{who}:{say}。")
    text = "\n".join(lines)
    t = time.perf_counter()
    m = PhraseMatcher(phrases)
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    r = check_transcript(text, m)
    dt = time.perf_counter() - t
    print(f"transcript: {n_lines} lines, {len(m.compiled)} phrases: automaton {t_build * 1000:.1f} ms, "
          f"check {dt * 1000:.1f} ms ({n_lines / dt:,.0f} lines/s), {len(r.prohibited)} prohibited found")


if __name__ == "__main__":
    main()
