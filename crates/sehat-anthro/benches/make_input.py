#!/usr/bin/env python3
"""Writes the benchmark input of `sehat anthro zscores`: N rows in WHO anthro's columns.

Usage: python3 crates/sehat-anthro/benches/make_input.py [ROWS] [OUTPUT]
       (defaults: 1000000 rows, /tmp/anthro_1m.csv)

Deterministic (fixed seed). Children of 91-1825 days, so all eight 0-5 y indicators
are computed for nearly every row; each measurement is drawn as the value at a normal
z-score from the crate's own LMS tables (data/who2006), then rounded like field data
(weight 0.01 kg, lengths and circumferences 0.1 cm, skinfolds 0.1 mm). About 5 % of
lengths are taken in the other position, 1 % of rows have oedema.
"""

import csv
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data", "who2006")


def table(name):
    rows = {}
    with open(os.path.join(DATA, name)) as f:
        for r in csv.DictReader(f):
            rows[(int(r["sex"]), int(r["age_days"]))] = (
                float(r["l"]), float(r["m"]), float(r["s"]))
    return rows


def value_at(lms, z):
    l, m, s = lms
    return m * (1 + l * s * z) ** (1 / l)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/anthro_1m.csv"
    tables = {k: table(f) for k, f in [
        ("wei", "weight_for_age.csv"), ("len", "length_height_for_age.csv"),
        ("hc", "head_circumference_for_age.csv"), ("ac", "arm_circumference_for_age.csv"),
        ("ts", "triceps_skinfold_for_age.csv"), ("ss", "subscapular_skinfold_for_age.csv")]}
    rng = random.Random(2026)
    with open(out, "w", newline="") as f:
        f.write("sex,age,is_age_in_month,weight,lenhei,measure,headc,armc,triskin,subskin,oedema\n")
        for _ in range(n):
            sex = rng.choice((1, 2))
            age = rng.randint(91, 1825)
            z = lambda: max(-4.5, min(4.5, rng.gauss(0, 1)))
            key = (sex, age)
            length = value_at(tables["len"][key], z())
            standing = age >= 731
            if rng.random() < 0.05:
                standing = not standing
            measure = "h" if standing else "l"
            f.write("%d,%d,FALSE,%.2f,%.1f,%s,%.1f,%.1f,%.1f,%.1f,%s\n" % (
                sex, age, value_at(tables["wei"][key], z()), length, measure,
                value_at(tables["hc"][key], z()), value_at(tables["ac"][key], z()),
                value_at(tables["ts"][key], z()), value_at(tables["ss"][key], z()),
                "y" if rng.random() < 0.01 else "n"))


if __name__ == "__main__":
    main()
