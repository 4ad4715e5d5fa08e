#!/usr/bin/env bash
# `sehat phone normalize` against Python `phonenumbers` on the same 1M-row file, same run.
# Needs: a release build of the CLI (cargo build --release -p sehat-cli) and
# `pip install phonenumbers==9.0.43`. Usage: phone_cli_vs_python.sh [SEHAT_BINARY] [ROWS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sehat="${1:-${CARGO_TARGET_DIR:-target}/release/sehat}"
rows="${2:-1000000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/phone_inputs.py" "$rows" > "$work/in.csv"
echo "inputs: $rows rows, $(wc -c < "$work/in.csv") bytes, sha256 $(sha256sum "$work/in.csv" | cut -c1-16)…"
# One untimed run first: the file was just written, and its first read competes with the
# write-back of those pages. Then five timed runs; the median is compared. Every timed run
# writes a new output file after `sync`: overwriting the previous run's output makes the
# run wait for the disk (see crates/sehat-anthro/benches/anthro_cli_vs_python.sh).
"$sehat" phone normalize --region ID --output "$work/rust.csv" "$work/in.csv"
times=()
for _ in 1 2 3 4 5; do
  rm -f "$work/rust.csv"
  sync
  start=$(date +%s.%N)
  "$sehat" phone normalize --region ID --output "$work/rust.csv" "$work/in.csv"
  end=$(date +%s.%N)
  times+=("$(python3 -c "print(f'{$end - $start:.3f}')")")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
rust_rate=$(python3 -c "print(round($rows / $median))")
echo "sehat phone normalize: $rows rows, five runs ${times[*]} s; median $median s = $rust_rate rows/s (whole process, file in and out)"
py_line=$(python3 "$here/python_normalize.py" "$work/in.csv" "$work/python.csv" ID)
echo "$py_line"
py_rate=$(echo "$py_line" | sed -E 's/.*= ([0-9,]+) rows\/s.*/\1/' | tr -d ,)
python3 -c "print(f'speed-up over the same work: {$rust_rate / $py_rate:.1f}x')"
py_e164_line=$(python3 "$here/python_normalize.py" --e164-only "$work/in.csv" ID)
echo "$py_e164_line"
py_e164_rate=$(echo "$py_e164_line" | sed -E 's/.*= ([0-9,]+) numbers\/s.*/\1/' | tr -d ,)
python3 -c "print(f'speed-up over parse+E.164 only: {$rust_rate / $py_e164_rate:.1f}x')"
if cmp -s "$work/rust.csv" "$work/python.csv"; then
  echo "outputs: identical"
else
  echo "outputs: $(diff <(cat "$work/rust.csv") <(cat "$work/python.csv") | grep -c '^<') rows differ"
fi
