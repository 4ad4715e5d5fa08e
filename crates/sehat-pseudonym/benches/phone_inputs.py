"""Writes N Indonesian-style phone inputs as a CSV with one column, `input`.

The mix follows the workload in docs/performance.md: 80 % mobile numbers in 8 human
formats with 5 separators, 15 % landlines, 5 % junk (too short, too long, tel: with an
extension, stray letters). Deterministic (seed 20261126).

    python3 phone_inputs.py 1000000 > /tmp/phone_1m.csv
"""
import csv, random, sys

rng = random.Random(20261126)
MOBILE = ["811", "812", "813", "821", "822", "823", "851", "852", "853", "814", "815", "816",
          "855", "856", "857", "858", "817", "818", "819", "859", "877", "878", "895", "896",
          "897", "898", "899", "831", "832", "833", "838", "881", "882", "883", "887", "888"]
AREAS = ["21", "22", "24", "31", "61", "274", "361", "411", "341", "271", "370", "511"]
SEPS = ["", " ", "-", ".", " - "]

def mobile():
    prefix, length = rng.choice(MOBILE), rng.choice([7, 8, 8, 8, 9])
    rest = "".join(rng.choice("0123456789") for _ in range(length))
    a, b = rest[:4], rest[4:]
    s = rng.choice(SEPS)
    return rng.choice([
        f"0{prefix}{s}{a}{s}{b}", f"+62 {prefix}{s}{a}{s}{b}", f"+62{prefix}{a}{b}",
        f"62{prefix}{a}{b}", f"(+62) {prefix}{s}{a}{s}{b}", f"0{prefix}{a}{b}",
        f"{prefix}{s}{a}{s}{b}", f"+62-{prefix}-{a}-{b}",
    ])

def landline():
    area = rng.choice(AREAS)
    n = "".join(rng.choice("0123456789") for _ in range(8 if len(area) == 2 else 7))
    return rng.choice([f"(0{area}) {n[:3]} {n[3:]}", f"0{area}-{n}", f"+62 {area} {n}"])

def junk():
    digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([3, 4, 5, 16, 18])))
    return rng.choice([f"0{digits}", f"tel:+6221{digits[:7]};ext=12", f"0812-{digits[:4]}-{digits[:3]}O",
                       f"08{digits}", "tidak ada"])

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["input"])
for _ in range(count):
    r = rng.random()
    out.writerow([mobile() if r < 0.80 else landline() if r < 0.95 else junk()])
