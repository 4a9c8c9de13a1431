"""Checklist and transcript commands: ``stdkb checklist`` and ``stdkb check-transcript``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .common import fail, warn

FORMATS = ["md", "csv", "json", "xlsx", "oscal"]


def _file_documents(path: str, doc: str | None, include_duplicates: bool = False) -> list:
    """Documents of a standard file processed on the fly (no database)."""
    from ..checklist import pick_document
    from ..errors import StdkbError
    from ..pipeline import process_path

    try:
        docs = list(process_path(path))
    except StdkbError as e:
        fail(str(e))
    originals = docs if include_duplicates else [d for d in docs if not d.duplicate_of]
    # a near-duplicate is only picked when --doc names nothing else
    picked = pick_document(originals, doc) or (pick_document(docs, doc) if doc else [])
    if not picked:
        titles = "; ".join(d.title for d in docs[:8])
        fail(f"{path}: no document matches {doc!r} (documents: {titles})")
    return picked


def _db_documents(db_path: str, name: str | None) -> list:
    from ..errors import StdkbError
    from ..store import iter_documents, open_db

    try:
        open_db(db_path)
        return list(iter_documents(db_path, name))
    except StdkbError as e:
        fail(str(e))


@click.command()
@click.argument("source")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="Knowledge base holding SOURCE (a document title or id); without it SOURCE is a file.")
@click.option("--doc", default=None, help="Pick one document of a multi-document file (title substring or id).")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="Write to FILE (default stdout).")
@click.option("--modality", type=click.Choice(["obligation", "prohibition", "recommendation", "permission"]),
              default=None, help="Only items of this modality.")
@click.option("--actor", default=None, help="Only items whose actor contains this text (e.g. 客服人员).")
@click.option("--section", default=None, metavar="PATH_PREFIX",
              help='Only items under this clause: "4.5" (a clause number) or "4/4.5" (a path prefix).')
@click.option("--with-thresholds-only", is_flag=True, help="Only items with a measurable threshold.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Drop statements extracted with less confidence (0.7 drops bare imperative guesses).")
@click.option("--include-duplicates", is_flag=True, help="Also make checklists of near-duplicate documents.")
@click.option("--results", "results_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A filled-in checklist (CSV or JSON from this command): print its score and grade instead.")
def checklist(source, db_path, doc, fmt, output, modality, actor, section, with_thresholds_only,
              min_confidence, include_duplicates, results_path):
    """Generate an audit checklist from a standard: one item per normative statement.

    SOURCE is a standard file (TXT, DOCX, PDF, Markdown; processed on the fly, no database needed) or, with
    --db, the title or id of a document in a knowledge base. A file holding several documents gives one
    checklist per (non-duplicate) document; --doc picks one. Where the standard scores (分项满分, 扣分,
    总分, grade bands, 一票否决) the checklist carries points and a score sheet (XLSX: with formulas).

    \b
    Examples:
      stdkb checklist corpus/000_0488f31712851f27.txt --doc 客户服务标准 --format md
      stdkb checklist new_standard.docx --format xlsx -o checklist.xlsx
      stdkb checklist 客户服务标准 --db stdkb.db --section 4.5 --format csv -o taboo.csv
      stdkb checklist site.txt --format oscal -o catalog.json
      stdkb checklist site.txt --results filled.csv          # score a filled-in checklist
    """
    from ..checklist import build_checklist

    if Path(source).exists():
        if Path(source).is_dir():
            fail(f"{source}: is a directory; give one standard file")
        docs = _file_documents(source, doc, include_duplicates)
    elif db_path:
        docs = _db_documents(db_path, doc or source)
    else:
        fail(f"{source}: no such file (to use a document stored in a knowledge base, add --db FILE)")
    lists = [build_checklist(d, modality=modality, actor=actor, section=section,
                             with_thresholds_only=with_thresholds_only, min_confidence=min_confidence) for d in docs]
    if results_path:
        _print_scores(lists, results_path)
        return
    n = sum(len(c.items) for c in lists)
    if n == 0:
        warn(f"{source}: no checklist items (no obligations or phrases found"
             f"{' with these filters' if (modality or actor or section or with_thresholds_only or min_confidence) else ''})")
    from ..exporters import export

    if output:
        try:
            export(lists, fmt, output)
        except OSError as e:
            fail(f"{output}: {e.strerror or e}")
        warn(f"wrote {n} items from {len(lists)} document(s) to {output}")
        return
    data = export(lists, fmt)
    if isinstance(data, bytes):
        if sys.stdout.isatty():
            fail("xlsx is a binary format: write it to a file with -o FILE.xlsx")
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        if fmt == "csv" and data.startswith("\ufeff") and sys.stdout.isatty():
            data = data[1:]
        click.echo(data, nl=False)


def _read_results(path: str) -> dict:
    """item id -> result (and score/deduction) from a filled CSV or JSON checklist."""
    p = Path(path)
    text = p.read_text(encoding="utf-8-sig")
    out = {}
    if p.suffix.lower() == ".json":
        try:
            obj = json.loads(text)
        except ValueError as e:
            fail(f"{path}: not valid JSON ({e})")
        for cl in obj.get("checklists", []):
            for it in cl.get("items", []):
                if it.get("result"):
                    out[it["id"]] = {"result": it["result"], **({"score": it["score"]} if it.get("score") not in
                                                                 (None, "") else {})}
        return out
    import csv
    import io

    for row in csv.DictReader(io.StringIO(text)):
        rid = (row.get("id") or "").strip()
        res = (row.get("result") or "").strip()
        ded = (row.get("deducted") or "").strip()
        if not rid or not (res or ded):
            continue
        try:
            out[rid] = {"score": float(res)}
            continue
        except ValueError:
            pass
        entry = {"result": res} if res else {}
        if ded:
            try:
                entry["deduction"] = float(ded)
            except ValueError:
                fail(f"{path}: item {rid}: 'deducted' is not a number: {ded!r}")
        out[rid] = entry
    return out


def _print_scores(lists, results_path):
    """One JSON list: the score of each document's checklist (section scores, total, grade, vetoed)."""
    results = _read_results(results_path)
    out = []
    for cl in lists:
        mine = {k: v for k, v in results.items() if k.startswith(cl.document_id + ":")}
        out.append({"document_id": cl.document_id, "title": cl.title, "results": len(mine),
                    **cl.compute_score(mine)})
    if not any(o["results"] for o in out):
        warn(f"{results_path}: no filled-in result matches these documents' item ids")
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


def _read_transcript(path: str) -> str:
    from ..errors import InputError

    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.exists():
            fail(f"{path}: no such file")
        if p.is_dir():
            fail(f"{path}: is a directory, not a transcript")
        data = p.read_bytes()
    if not data.strip():
        fail(str(InputError(path, "empty transcript")))
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(str(InputError(path, "binary file, not a text transcript")))
    for enc in ("utf-8-sig", "utf-16", "gb18030"):
        if enc == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    fail(str(InputError(path, "cannot decode the transcript (not UTF-8, UTF-16 or GB18030)")))


@click.command("check-transcript")
@click.argument("transcript")
@click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
              help="Knowledge base whose prohibited/required phrases are checked.")
@click.option("--standard", "standard", type=click.Path(dir_okay=False), default=None,
              help="Instead of --db: a standard file, processed on the fly.")
@click.option("--doc", default=None, help="Only the phrases of this document (title substring or id).")
@click.option("--agent", default=None, help="Speaker name of the agent (guessed: the one who greets).")
@click.option("--require", "require", default="greeting,closing", show_default=True,
              help="Required script categories that must be present (comma separated; '' for none).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def check_transcript(transcript, db_path, standard, doc, agent, require, as_json):
    """Check a call or counter transcript for prohibited phrases and required scripts.

    TRANSCRIPT is a text file (or - for stdin), plain or with "speaker: utterance" lines; with speakers
    only the agent's lines are checked. Each finding names the line, the phrase and the clause that forbids
    or requires it; the summary score is 100 - 10 per prohibited phrase - 5 per missing greeting/closing.
    Exit code 1 when a prohibited phrase is found (use it to gate a QA pipeline).

    \b
    Examples:
      stdkb check-transcript call.txt --db stdkb.db --doc 客户服务标准
      stdkb check-transcript call.txt --standard corpus/000_0488f31712851f27.txt --json
      cat call.txt | stdkb check-transcript - --db stdkb.db --agent 坐席
    """
    from ..transcript import check_transcript as check, phrases_from_documents

    if bool(db_path) == bool(standard):
        fail("give the phrases' source: either --db FILE or --standard FILE")
    text = _read_transcript(transcript)
    docs = _file_documents(standard, doc) if standard else _db_documents(db_path, doc)
    phrases = phrases_from_documents(docs, include_duplicates=bool(doc))
    if not phrases:
        fail(f"{standard or db_path}: no prohibited or required phrases found"
             + (f" in {doc!r}" if doc else ""))
    required = tuple(x.strip() for x in require.split(",") if x.strip())
    report = check(text, phrases, required=required, agent=agent)
    if as_json:
        click.echo(json.dumps({"transcript": transcript, **report.to_dict()}, ensure_ascii=False, indent=2))
    else:
        click.echo(report.format_text())
    if not report.ok:
        sys.exit(1)
