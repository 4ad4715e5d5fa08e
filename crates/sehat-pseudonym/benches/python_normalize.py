"""What `sehat phone normalize` does, in Python `phonenumbers`, in-process, timed.

    python3 python_normalize.py INPUT.csv OUTPUT.csv [REGION]
    python3 python_normalize.py --e164-only INPUT.csv [REGION]

Reads the column `input`, writes the input columns and e164, is_possible, is_valid,
number_type, parse_error (the same work and output as the CLI), and prints the rows per
second of the loop, excluding the interpreter start and the `phonenumbers` import.
With `--e164-only` it times only `parse` + E.164 formatting over the inputs held in
memory (the reference notes' "about 73,000 numbers/s" workload) and writes nothing.
"""
import csv, sys, time
import phonenumbers as pn
from phonenumbers import NumberParseException as NPE, PhoneNumberFormat, PhoneNumberType

def names(cls):
    return {getattr(cls, k): k for k in dir(cls) if k.isupper() and isinstance(getattr(cls, k), int)}

TYPES, ERRORS = names(PhoneNumberType), names(NPE)
if sys.argv[1] == "--e164-only":
    with open(sys.argv[2], encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        col = next(reader).index("input")
        inputs = [row[col] for row in reader]
    region = sys.argv[3] if len(sys.argv) > 3 else "ID"
    start = time.perf_counter()
    for text in inputs:
        try:
            pn.format_number(pn.parse(text, region), PhoneNumberFormat.E164)
        except NPE:
            pass
    elapsed = time.perf_counter() - start
    print(f"python phonenumbers {pn.__version__} parse+E.164 only: {len(inputs)} numbers in {elapsed:.2f} s = {len(inputs) / elapsed:,.0f} numbers/s")
    sys.exit(0)
region = sys.argv[3] if len(sys.argv) > 3 else "ID"
start = time.perf_counter()
rows = 0
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[2], "w", encoding="utf-8", newline="") as g:
    reader = csv.reader(f)
    writer = csv.writer(g, lineterminator="\n")
    header = next(reader)
    col = header.index("input")
    writer.writerow(header + ["e164", "is_possible", "is_valid", "number_type", "parse_error"])
    for row in reader:
        try:
            n = pn.parse(row[col], region)
        except NPE as e:
            writer.writerow(row + ["", "false", "false", "", ERRORS[e.error_type]])
        else:
            writer.writerow(row + [pn.format_number(n, PhoneNumberFormat.E164),
                                   str(pn.is_possible_number(n)).lower(), str(pn.is_valid_number(n)).lower(),
                                   TYPES[pn.number_type(n)], ""])
        rows += 1
elapsed = time.perf_counter() - start
print(f"python phonenumbers {pn.__version__}: {rows} rows in {elapsed:.2f} s = {rows / elapsed:,.0f} rows/s")
