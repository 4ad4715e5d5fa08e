#!/usr/bin/env python3
"""Writes a survey for `sehat anthro prevalence` with the structure of the public one.

Usage: python3 crates/sehat-anthro/benches/make_survey.py [CHILDREN] [OUTPUT]
       (defaults: 1000000 children, /tmp/survey_1m.csv)

Deterministic (fixed seed). Children are drawn with replacement from the public 0-5 y
survey (tests/data/prevalence/survey_0_5_public.csv: its measurements, codes, oedema and
groupings as written there, missing values included), and the design is laid out as
there: weights 0.2-5 with four decimals, 6 strata, clusters of about 16 children nested
in the strata, stratum 6 a single cluster. So the 1,000,000-child file has about 62,500
clusters. The columns are the public survey's, in its order; the file is the input of
the benchmark in docs/performance.md and is not kept in the repository.
"""

import csv
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PUBLIC = os.path.join(HERE, "..", "tests", "data", "prevalence", "survey_0_5_public.csv")
CHILDREN_PER_CLUSTER = 16
STRATA = 6


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    path = sys.argv[2] if len(sys.argv) > 2 else "/tmp/survey_1m.csv"
    with open(PUBLIC, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    at = {name: i for i, name in enumerate(header)}
    rng = random.Random(2026)
    # Clusters per stratum for strata 1-5; stratum 6 has one.
    per_stratum = max(2, n // (CHILDREN_PER_CLUSTER * STRATA))
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        for _ in range(n):
            row = list(rng.choice(rows))
            stratum = rng.randint(1, STRATA)
            cluster = 1 if stratum == STRATA else rng.randint(1, per_stratum)
            row[at["strata"]] = str(stratum)
            row[at["cluster"]] = str(stratum * 1_000_000 + cluster)
            row[at["sw"]] = f"{rng.uniform(0.2, 5.0):.4f}"
            writer.writerow(row)


if __name__ == "__main__":
    main()
