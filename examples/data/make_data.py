#!/usr/bin/env python3
"""Regenerates the synthetic data the examples run on.

    python3 examples/data/make_data.py

Writes `posyandu-register.json` (a Posyandu register: children, their parents' phone
numbers as people type them, weighings and immunizations) and `survey.csv` (a survey in WHO
anthro's column names). Every name, date, measurement and number is drawn from a seeded
random generator: the people do not exist. Measurements are drawn as z-scores and turned into
centimetres and kilograms with the WHO Child Growth Standards' LMS tables (read from
`crates/sehat-anthro/data/` when present, else from the shared reference data), so that the
prevalence of stunting and wasting is close to Indonesia's (SSGI 2022: about 22 % and 8 %).
The output is deterministic: running the script twice gives identical files.
"""

import csv
import datetime as dt
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUN_DATE = dt.date(2026, 11, 26)
RNG = random.Random(20261126)


def table_dir():
    for candidate in (
        os.path.join(ROOT, "crates", "sehat-anthro", "data"),
        os.path.join(ROOT, "..", "shared", "data", "who-growth"),
    ):
        if os.path.exists(os.path.join(candidate, "length_height_for_age.csv")):
            return candidate
    raise SystemExit("WHO tables not found")


def load(name, key):
    rows = {}
    with open(os.path.join(table_dir(), name), newline="") as f:
        for r in csv.DictReader(f):
            rows[(int(r["sex"]), r[key])] = (float(r["l"]), float(r["m"]), float(r["s"]))
    return rows


LHFA = load("length_height_for_age.csv", "age_days")
WFL = load("weight_for_length.csv", "length_cm")
WFH = load("weight_for_height.csv", "height_cm")


def at_z(lms, z):
    l, m, s = lms
    return m * math.exp(s * z) if l == 0 else m * (1 + l * s * z) ** (1 / l)


VILLAGES = [
    ("Sukamaju", "Posyandu Melati 1"),
    ("Cibiru Wetan", "Posyandu Mawar 3"),
    ("Margahayu", "Posyandu Anggrek 2"),
    ("Sindangsari", "Posyandu Kenanga 5"),
]
BOYS = ["Rizky", "Fajar", "Bima", "Dimas", "Raka", "Arkan", "Galih", "Ilham", "Yusuf", "Aditya",
        "Bayu", "Farel", "Hafiz", "Kenzo", "Naufal", "Rafa", "Satria", "Zidan", "Azka", "Daffa"]
GIRLS = ["Aisyah", "Nadia", "Putri", "Salsabila", "Zahra", "Alya", "Citra", "Dewi", "Intan",
         "Kirana", "Nayla", "Rania", "Syifa", "Tiara", "Zaskia", "Annisa", "Bunga", "Hana",
         "Laras", "Mutiara"]
MOTHERS = ["Siti", "Nur", "Rina", "Yanti", "Euis", "Neneng", "Wulan", "Dian", "Rini", "Tuti",
           "Iis", "Lilis", "Ratna", "Sri", "Eka", "Fitri", "Ani", "Lia", "Mega", "Ayu"]
FAMILY = ["Hidayat", "Saputra", "Permana", "Nugraha", "Kurniawan", "Setiawan", "Rahayu",
          "Suryana", "Gunawan", "Maulana", "Pratama", "Wijaya", "Firmansyah", "Hermawan"]
PREFIXES = ["0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0856", "0857",
            "0858", "0877", "0878", "0881", "0882", "0895", "0896", "0897", "0898"]


def messy(local):
    """The same mobile number as a parent or a cadre might type it."""
    rest = local[1:]
    a, b, c = local[:4], local[4:8], local[8:]
    style = RNG.randrange(10)
    return [
        f"{a}-{b}-{c}",
        f"+62 {rest[:3]} {rest[3:7]} {rest[7:]}",
        f"62{rest}",
        f"{a}.{b}.{c}",
        f"({a}) {b} {c}",
        f" {local} ",
        f"+62-{rest[:3]}-{rest[3:7]}-{rest[7:]}",
        local,
        f"{a} {b} {c}",
        f"+62{rest}",
    ][style]


def phone():
    roll = RNG.random()
    if roll < 0.03:
        return ""  # no number recorded
    if roll < 0.06:
        return f"(022) {RNG.randrange(500, 800)} {RNG.randrange(1000, 9999)}"  # a landline
    if roll < 0.09:
        return f"0812-{RNG.randrange(100, 999)}"  # too short: a typo in the register
    local = RNG.choice(PREFIXES) + "".join(str(RNG.randrange(10)) for _ in range(RNG.choice([7, 8])))
    return messy(local)


def add_months(d, months):
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30,
            31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(d.day, last))


# (vaccine, age in months at which Kemenkes recommends it, first date the programme gave it)
SCHEDULE = [
    ("HB0", 0, None), ("BCG", 1, None), ("bOPV", 1, None),
    ("DPT-HB-Hib", 2, None), ("bOPV", 2, None), ("PCV", 2, dt.date(2022, 9, 1)),
    ("RV", 2, dt.date(2023, 8, 15)),
    ("DPT-HB-Hib", 3, None), ("bOPV", 3, None), ("PCV", 3, dt.date(2022, 9, 1)),
    ("RV", 3, dt.date(2023, 8, 15)),
    ("DPT-HB-Hib", 4, None), ("bOPV", 4, None), ("IPV", 4, None), ("RV", 4, dt.date(2023, 8, 15)),
    ("MR", 9, None), ("IPV", 9, dt.date(2023, 6, 12)),
    ("PCV", 12, dt.date(2022, 9, 1)),
    ("DPT-HB-Hib", 18, None), ("MR", 18, None),
]


def history(birth):
    profile = RNG.random()
    delay_months = 0 if profile < 0.6 else RNG.choice([1, 1, 2, 3])
    stop_after = None
    if 0.85 <= profile < 0.96:
        stop_after = RNG.randrange(2, 14)  # dropped out after a few doses
    if profile >= 0.96:
        return []  # zero-dose child
    doses = []
    last = {}
    for index, (vaccine, month, introduced) in enumerate(SCHEDULE):
        if stop_after is not None and index >= stop_after:
            break
        if vaccine == "HB0":
            date = birth + dt.timedelta(days=RNG.choice([0, 0, 0, 1, 2, 5]))
        else:
            date = add_months(birth, month + (delay_months if month > 1 else 0))
            date += dt.timedelta(days=RNG.randrange(0, 12))
        if vaccine in last:
            # Cadres keep the programme's minimum interval of four weeks between doses.
            date = max(date, last[vaccine] + dt.timedelta(days=28 + RNG.randrange(0, 4)))
        if date >= RUN_DATE - dt.timedelta(days=1):
            break
        if introduced and date < introduced:
            continue
        if vaccine == "RV" and (date - birth).days > 6 * 30 + 29:
            continue
        last[vaccine] = date
        doses.append({"date": date.isoformat(), "vaccine": vaccine})
    return doses


def measurement(sex, birth, date, haz, whz):
    age = (date - birth).days
    lying = age < 731
    length = at_z(LHFA[(sex, str(age))], haz)
    position = "l" if lying else "h"
    if RNG.random() < 0.05:  # measured in the other position than the age calls for
        position = "h" if lying else "l"
        length += -0.7 if lying else 0.7
    key_len = round(length + (0.0 if position == ("l" if lying else "h") else (0.7 if lying else -0.7)), 1)
    table, key = (WFL, f"{key_len:g}") if lying else (WFH, f"{key_len:g}")
    lms = table.get((sex, key)) or table.get((sex, f"{key_len:.1f}"))
    if lms is None:
        return None
    weight = at_z(lms, whz + RNG.gauss(0, 0.15))
    return {
        "date": date.isoformat(),
        "weight_kg": round(weight, 1),
        "length_cm": round(length, 1),
        "position": position,
        "oedema": "y" if RNG.random() < 0.003 else "n",
    }


def children():
    out = []
    for n in range(300):
        village, posyandu = VILLAGES[n % len(VILLAGES)]
        sex = RNG.choice([1, 2])
        birth = RUN_DATE - dt.timedelta(days=RNG.randrange(20, 1826))
        haz = RNG.gauss(-1.05, 1.15)
        whz = RNG.gauss(-0.35, 1.05)
        visits = []
        months_back = RNG.randrange(0, 3)
        for k in range(RNG.randrange(1, 5)):
            date = add_months(RUN_DATE, -(months_back + k)) - dt.timedelta(days=RNG.randrange(0, 5))
            if (date - birth).days < 1:
                continue
            m = measurement(sex, birth, date, haz + RNG.gauss(0, 0.05), whz + RNG.gauss(0, 0.1))
            if m:
                visits.append(m)
        visits.sort(key=lambda v: v["date"])
        family = RNG.choice(FAMILY)
        out.append({
            "id": f"{village[:3].upper()}-{n + 1:03d}",
            "name": f"{RNG.choice(BOYS if sex == 1 else GIRLS)} {family}",
            "sex": "L" if sex == 1 else "P",
            "birth_date": birth.isoformat(),
            "village": village,
            "posyandu": posyandu,
            "parent": f"Ibu {RNG.choice(MOTHERS)}",
            "parent_phone": phone(),
            "visits": visits,
            "immunizations": history(birth),
        })
    # Siblings: a few parents have two children in the register.
    for n in range(0, 300, 37):
        out[n + 1]["parent_phone"] = out[n]["parent_phone"]
        out[n + 1]["parent"] = out[n]["parent"]
    return out


def survey(rows=2000):
    with open(os.path.join(HERE, "survey.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "cluster", "sex", "age", "is_age_in_month", "weight", "lenhei", "measure", "oedema"])
        for n in range(rows):
            sex = RNG.choice([1, 2])
            age = RNG.randrange(0, 1827)
            haz, whz = RNG.gauss(-1.05, 1.15), RNG.gauss(-0.35, 1.05)
            birth = RUN_DATE - dt.timedelta(days=age)
            m = measurement(sex, birth, RUN_DATE, haz, whz) if age <= 1826 else None
            if m is None or RNG.random() < 0.01:
                w.writerow([f"S{n + 1:05d}", 1 + n % 30, sex, age, "FALSE", "", "", "", ""])
                continue
            w.writerow([f"S{n + 1:05d}", 1 + n % 30, sex, age, "FALSE", m["weight_kg"],
                        m["length_cm"], m["position"], m["oedema"]])


def main():
    register = {
        "puskesmas": "Puskesmas Cibiru, Kota Bandung",
        "province": "Jawa Barat",
        "province_code": "ID-JB",
        "posyandu_date": RUN_DATE.isoformat(),
        "children": children(),
    }
    with open(os.path.join(HERE, "posyandu-register.json"), "w") as f:
        json.dump(register, f, indent=1, ensure_ascii=False)
        f.write("\n")
    survey()


if __name__ == "__main__":
    main()
