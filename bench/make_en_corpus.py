"""Build a deterministic English benchmark corpus of standards-like text (there is no English seed dump).

    python bench/make_en_corpus.py OUT_DIR [--mb 5] [--seed 0]

or, from another bench script::

    sys.path.insert(0, str(Path(__file__).parent))
    from make_en_corpus import ensure_en_corpus
    corpus_dir, manifest = ensure_en_corpus(5)        # cached in bench/_data/en_corpus_5mb_seed0/

Sources: the English gold texts (``tests/data/gold/*.jsonl``, lang "en"), ``EN_STANDARD`` of
``tests/kb_fixtures.py`` and the clause pool below, written in the style of real standards (numbered clauses,
shall / must / should / may, "within 48 hours", "at least 2 m", "not more than 4 hours", "see Section 3",
"ISO 9001:2015", "in accordance with EN 1090-2", exceptions "unless ...", quoted phrases).

Each document: a title line, numbered sections ("3 Complaints") with numbered clauses ("3.2 ...", some
"3.2.1 ..."), the clauses drawn from the pool, numbers perturbed ("within 48 hours" -> "within 17 hours",
"ISO 9001:2015" -> "ISO 9013:2008"), about 20 % of the clauses joined with their neighbour into a longer clause,
and the order of the clauses shuffled. 2-6 documents per file, UTF-8. The same arguments give the same bytes.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / "_data"
VERSION = 1

TITLES = [
    "Customer Service Standard", "Site Safety Rules", "Employee Handbook", "Hotel Front Office Standard",
    "Document Control Procedure", "Gas Supply Service Code", "Lift Maintenance Specification",
    "Food Hygiene Standard", "Warehouse Operations Manual", "Fire Safety Management Standard",
    "Steel Structure Fabrication Specification", "IT Service Desk Procedure", "Water Supply Customer Charter",
    "Laboratory Quality Manual", "Call Centre Operating Standard", "Cleaning Services Specification",
]
SECTIONS = [
    "Scope", "Normative references", "Terms and definitions", "General requirements", "Complaints",
    "Telephone handling", "Personal protective equipment", "Work at height", "Hot work", "Inspection",
    "Records", "Training", "Emergency response", "Maintenance", "Reporting", "Conduct", "Service language",
    "Forbidden phrases", "Fabrication", "Welding", "Storage", "Vehicles", "Lighting", "Response times",
]
POOL = """\
The supplier shall respond to every customer complaint within 48 hours of receipt.
Written complaints shall be acknowledged within 2 working days and resolved within 10 working days, unless the customer agrees to a longer period.
Guard rails shall be at least 950 mm high and toe boards shall be not less than 150 mm high.
Emergency repairs must be completed in not more than 4 hours; other faults shall be repaired within 24 hours.
Welding shall be carried out in accordance with EN 1090-2 and ISO 3834-2.
The quality management system shall conform to ISO 9001:2015 (see Section 3).
Fire extinguishers must be inspected every 6 months and serviced at least once every 12 months.
Staff shall greet the customer with "Good morning, how may I help you?" within 10 seconds.
Agents must not say "That is not my job" or "Call back later" to a customer.
Calls should be answered within three rings; a caller shall not be kept on hold for more than 2 minutes.
The temperature of chilled food shall not exceed 5 °C during storage and shall be checked twice per day.
Hot food shall be held at 63 °C or above for no longer than 2 hours.
Ladders may be used for short-duration work of less than 30 minutes where a risk assessment permits it.
Records shall be retained for a minimum of 5 years in accordance with Clause 7.5 of ISO 9001:2015.
Scaffolds must be inspected by a competent person before first use and at intervals not exceeding 7 days.
Where the wind speed exceeds 40 km/h, work at height shall stop unless the supervisor gives written approval.
The operator should keep a clearance of at least 2 m from overhead power lines.
Water pressure at the meter shall be between 1.5 bar and 4 bar.
Lifts shall be examined every 15 days and a thorough examination shall be carried out at least every 6 months.
Trapped passengers must be reached within 30 minutes of the alarm call.
Visitors shall not enter the production area without a high-visibility vest and safety footwear.
Forklift trucks must not be driven at more than 10 km/h inside the warehouse.
Pallets shall not be stacked higher than 3 m or more than 4 pallets high.
Aisles must be kept clear to a width of not less than 1.2 m.
All incidents shall be reported to the safety manager within 24 hours, as described in Section 9.
Employees may carry over up to 5 days of unused leave into the next year.
The contractor shall provide test certificates in accordance with EN 10204 type 3.1.
Bolts shall be tightened to the torque given in Table 4 of EN 1993-1-8.
Noise exposure shall not exceed 85 dB(A) averaged over an 8-hour day.
Ventilation shall provide not less than 6 air changes per hour in the battery room.
The service desk shall resolve 80 % of incidents at first contact.
Priority 1 incidents must be restored within 4 hours; priority 2 incidents should be restored within 8 hours.
Passwords shall be at least 12 characters long and must be changed every 90 days.
Backups shall be taken daily and kept for no less than 30 days.
Samples shall be analysed within 72 hours of collection, unless they are frozen at -18 °C or below.
Balances must be calibrated annually and checked with a reference weight before each use.
The laboratory shall participate in proficiency testing in accordance with ISO/IEC 17025:2017.
Cleaners should report damaged fittings to the facilities team on the same day.
Floors in wet areas shall be cleaned at least 3 times a day.
Customers shall be informed at least 72 hours before a planned interruption of supply.
Planned interruptions should not last longer than 6 hours.
Compensation of 30 GBP shall be paid if an appointment is missed, except where the customer cancelled it.
Drinking water shall comply with the limits of Directive 98/83/EC and Annex I of the national regulations.
Meter readings may be estimated where access is not possible, provided that an actual reading is taken at least once every 2 years.
Staff must wear their identity badge at all times when visiting a customer's premises.
Do not use a mobile phone while operating machinery.
Always confirm the customer's name and address before discussing the account.
Hard hats must be worn at all times on site, except in the site office and welfare areas.
A hot work permit is required before any welding or cutting, and a fire watch must remain for 60 minutes after the work ends.
No person may use a scaffold that has not been inspected in the last 7 days.
The fire alarm shall be tested weekly and emergency lighting shall be tested monthly for a duration of 1 hour.
Evacuation drills shall be held not less than twice a year.
Emergency exits shall be not less than 850 mm wide and shall open in the direction of escape.
See also Clause 4.2 and Annex B for the inspection checklist.
The requirements of Section 5 do not apply to temporary structures erected for less than 28 days.
Gas appliances shall be installed in accordance with BS 6891:2015 and the manufacturer's instructions.
The gas supply must be restored within 12 hours after a leak has been made safe.
Engineers shall arrive within 1 hour of a reported gas escape.
Customer enquiries received by e-mail should be answered within 5 working days.
Invoices shall be issued no later than 14 days after the end of the billing period.
Refunds shall be made within 10 working days of the request.
The welding procedure shall be qualified to ISO 15614-1:2017 before production welding starts.
Weld inspection shall cover at least 10 % of the welds by ultrasonic testing according to ISO 17640.
Steel shall be stored at least 150 mm above the ground.
Paint thickness shall be not less than 80 µm and not more than 250 µm.
Training records must be kept for the duration of employment plus 6 years.
New employees shall complete induction training within 5 days of starting work.
Refresher training should be provided every 3 years, or sooner if the procedure changes.
The supervisor shall sign the permit before work starts and shall close it within 2 hours after the work ends.
Operators shall take a break of at least 15 minutes after every 2 hours of continuous work.
Chemicals shall be stored in accordance with the safety data sheet and never above eye level.
Spills must be cleaned up immediately, and spills of more than 5 litres shall be reported.
The maximum load of the lift is 1000 kg or 13 persons.
The document owner shall review each procedure at least every 2 years.
Obsolete documents shall be removed from points of use within 1 working day.
Superseded versions may be kept for reference if they are clearly marked "SUPERSEDED".
Deliveries shall be accepted between 07:00 and 16:00 on working days.
Vehicles must not reverse without a banksman unless a reversing camera is fitted.
Speed on site is limited to 15 mph.
Front desk staff should offer to call a taxi for the guest and say "Have a pleasant journey."
The room shall be ready by 14:00; late check-out may be granted up to 13:00 subject to availability.
Lost property shall be kept for 3 months and then disposed of in accordance with the hotel's procedure.
The agent should summarise the agreed actions before ending the call.
Complaints that cannot be resolved within 10 working days shall be escalated to the customer service manager.
The contractor shall comply with the Construction (Design and Management) Regulations 2015.
Lifting equipment shall be thoroughly examined at least every 12 months, or every 6 months if it lifts persons.
This standard applies to all employees, contractors and visitors.
This procedure does not apply to records held by third parties.
Notes and examples in this document are informative.
"""


def _sources() -> list[str]:
    out = [ln.strip() for ln in POOL.splitlines() if ln.strip()]
    for f in sorted((ROOT / "tests" / "data" / "gold").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                if d.get("lang") == "en":
                    out.append(" ".join(d["text"].split()))
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from kb_fixtures import EN_STANDARD

        out += [re.sub(r"^\d+(?:\.\d+)*\s+", "", ln.strip()) for ln in EN_STANDARD.splitlines()[1:]
                if ln.strip() and len(ln.split()) > 4]
    except Exception:
        pass
    return out


_NUM = re.compile(r"(?<![\w.:/-])(\d{1,4})(?![\d:])")
_STD_YEAR = re.compile(r"\b((?:ISO|EN|BS|IEC)[ /A-Z]*\s\d{3,5}(?:-\d+)*):(\d{4})")


def perturb(s: str, rng: random.Random) -> str:
    s = _STD_YEAR.sub(lambda m: f"{m.group(1)}:{rng.choice(range(1995, 2025))}", s)

    def num(m):
        v = int(m.group(1))
        if rng.random() < 0.35:
            return m.group(1)
        return str(max(1, int(v * rng.uniform(0.3, 3.0)) or 1))

    return _NUM.sub(num, s)


def make_document(rng: random.Random, pool: list[str]) -> str:
    title = rng.choice(TITLES)
    lines = [title, "", f"{title} ({rng.choice(['Issue', 'Revision', 'Version'])} {rng.randint(1, 9)})", ""]
    secs = rng.sample(SECTIONS, rng.randint(4, 10))
    for si, sec in enumerate(secs, start=1 + rng.randint(0, 3)):
        lines.append(f"{si} {sec}")
        clauses = [perturb(rng.choice(pool), rng) for _ in range(rng.randint(3, 12))]
        joined = []
        for c in clauses:
            if joined and rng.random() < 0.2:
                joined[-1] += " " + c
            else:
                joined.append(c)
        rng.shuffle(joined)
        for ci, c in enumerate(joined, 1):
            lines.append(f"{si}.{ci} {c}")
            if rng.random() < 0.15:
                for k in range(1, rng.randint(2, 4)):
                    lines.append(f"{si}.{ci}.{k} {perturb(rng.choice(pool), rng)}")
        lines.append("")
    return "\n".join(lines).strip("\n")


def make_en_corpus(out_dir, target_mb: float = 5, seed: int = 0) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = _sources()
    total, files, i = 0, [], 0
    while total < target_mb * 1e6:
        docs = [make_document(rng, pool) for _ in range(rng.randint(2, 6))]
        text = "\n\n".join(docs) + "\n"
        name = f"en_{i:04d}.txt"
        (out / name).write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
        files.append(name)
        i += 1
    manifest = {"version": VERSION, "target_mb": target_mb, "seed": seed, "files": files, "text_bytes": total}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def ensure_en_corpus(target_mb: float = 5, seed: int = 0):
    d = CACHE / f"en_corpus_{target_mb:g}mb_seed{seed}"
    mf = d / "manifest.json"
    if mf.exists():
        m = json.loads(mf.read_text(encoding="utf-8"))
        if m.get("version") == VERSION:
            return d, m
    return d, make_en_corpus(d, target_mb, seed)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--mb", type=float, default=5)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    m = make_en_corpus(a.out_dir, a.mb, a.seed)
    print(f"{len(m['files'])} files, {m['text_bytes'] / 1e6:.2f} MB of text in {a.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
