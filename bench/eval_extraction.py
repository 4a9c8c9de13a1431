"""Print precision / recall / F1 of extraction against tests/data/gold/*.jsonl.

    python bench/eval_extraction.py            # the table
    python bench/eval_extraction.py -v         # plus every mismatching line
    python bench/eval_extraction.py -v --field phrases path/to/gold.jsonl
"""
from __future__ import annotations

import argparse
import sys

from stdkb.extract.evaluate import evaluate, format_table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*", help="gold files or directories (default: tests/data/gold)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list mismatching lines")
    ap.add_argument("--field", help="only list errors of this field")
    a = ap.parse_args(argv)
    res = evaluate(a.paths or None)
    print(format_table(res))
    if a.verbose:
        for e in res["errors"]:
            if a.field and e["field"] != a.field:
                continue
            print(f"\n[{e['field']}] {e['id']}: {e['text']}")
            print(f"   missing: {e['missing']}")
            print(f"   extra:   {e['extra']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
