#!/usr/bin/env bash
# Webhook throughput, sehat-whatsapp against pywa and bare Python, on one corpus, one thread
# each, run back to back:
#
#   crates/sehat-whatsapp/benches/webhook_throughput.sh [SECONDS]   (default 5 per program)
#
# The corpus is the 12 public webhook fixtures of tests/data/webhook (`webhook_*.json`)
# with a business-scoped `user_id` added to each contact that lacks one, serialized
# compactly as Meta sends them. Each program signs every body with the same app secret,
# then verifies (HMAC-SHA256 of the body, constant-time compare), parses and walks the
# result for SECONDS:
#
# - sehat: `examples/webhook_throughput.rs` (release build), `WebhookVerifier::verify_and_parse`
#   and every `Event` of `WebhookPayload::events`;
# - pywa (pinned below, installed in a throwaway virtual environment): the calls a custom
#   server makes, `WhatsApp.webhook_update_validator` then `webhook_update_handler`, which
#   builds pywa's typed update and calls the registered handlers (no-ops here);
# - bare Python: `hmac` + `hmac.compare_digest` + `json.loads`, a floor that builds no types.
#
# Each rate is payloads per second of the measuring thread's CPU time (one core), so the
# comparison holds on a shared machine; the wall-clock rates are printed too. Prints the
# three rates and sehat's ratio to each. Needs cargo, python3 with venv, and
# PyPI for pywa (without it, pywa is skipped with a message). Figures: docs/performance.md.
set -euo pipefail

PYWA_VERSION="4.4.0"
seconds="${1:-5}"
crate="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/webhook-throughput.XXXXXX")"
trap 'rm -rf "$work"' EXIT
corpus="$work/corpus"
mkdir "$corpus"

python3 - "$crate/tests/data/webhook" "$corpus" <<'PY'
import json, pathlib, sys
source, target = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
files = sorted(source.glob("webhook_*.json"))
assert len(files) == 12, f"expected the 12 public webhook fixtures, found {len(files)}"
for number, path in enumerate(files, start=1):
    body = json.loads(path.read_text())
    for entry in body.get("entry", []):
        for change in entry.get("changes", []):
            for contact in (change.get("value") or {}).get("contacts") or []:
                # A business-scoped user id as Meta spells them (country code, dot, digits).
                contact.setdefault("user_id", f"US.{13491208655302741900 + number}")
    (target / path.name).write_text(json.dumps(body, separators=(",", ":"), ensure_ascii=False))
PY

echo "== sehat-whatsapp"
(cd "$crate" && cargo run --quiet --release -p sehat-whatsapp --example webhook_throughput -- "$corpus" "$seconds") |
  tee "$work/sehat.out"
sehat="$(tail -n 1 "$work/sehat.out" | cut -d' ' -f1)"

cat > "$work/python_bench.py" <<'PY'
import hashlib, hmac, json, pathlib, sys, time

SECRET = "webhook-throughput-app-secret"
mode, corpus, seconds = sys.argv[1], pathlib.Path(sys.argv[2]), float(sys.argv[3])
bodies = [p.read_bytes() for p in sorted(corpus.glob("*.json"))]
signed = [(b, "sha256=" + hmac.new(SECRET.encode(), b, hashlib.sha256).hexdigest()) for b in bodies]

if mode == "pywa":
    import logging
    from pywa import WhatsApp

    # pywa logs a warning for every update it has no model for (the `errors` payload);
    # the measure is of the work, not of the terminal.
    logging.disable(logging.WARNING)
    wa = WhatsApp(
        server=None,
        verify_token="webhook-throughput",
        app_secret=SECRET,
        validate_updates=True,
        skip_duplicate_updates=False,  # the corpus repeats; every pass must be handled
        filter_updates=False,
    )
    seen = [0]

    @wa.on_message()
    def _message(_, msg):
        seen[0] += 1

    @wa.on_message_status()
    def _status(_, status):
        seen[0] += 1

    @wa.on_callback_button()
    def _button(_, callback):
        seen[0] += 1

    @wa.on_callback_selection()
    def _selection(_, callback):
        seen[0] += 1

    def one(body, signature):
        if wa.webhook_update_validator(body, signature) is not None:
            raise SystemExit("pywa refused a signature")
        response, status = wa.webhook_update_handler(body)
        if status != 200:
            raise SystemExit(f"pywa answered {status}: {response}")
else:
    key = SECRET.encode()

    def one(body, signature):
        digest = "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(digest, signature):
            raise SystemExit("signature mismatch")
        json.loads(body)

for body, signature in signed:
    one(body, signature)
count, start, cpu_start = 0, time.perf_counter(), time.thread_time()
while time.perf_counter() - start < seconds:
    for body, signature in signed:
        one(body, signature)
    count += len(signed)
elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu_start
print(f"{len(signed)} payloads, {mode}, one thread, {seconds:g} s")
print(f"{count} payloads in {elapsed:.2f} s wall ({count / elapsed:.0f}/s), {cpu:.2f} s CPU")
# As the Rust program: per second of this thread's CPU time, so a shared machine's other
# work does not count.
print(f"{count / cpu:.0f} payloads/s")
PY

pywa="skipped"
echo "== pywa $PYWA_VERSION"
if python3 -m venv "$work/venv" && "$work/venv/bin/pip" install --quiet "pywa==$PYWA_VERSION"; then
  "$work/venv/bin/python" "$work/python_bench.py" pywa "$corpus" "$seconds" | tee "$work/pywa.out"
  pywa="$(tail -n 1 "$work/pywa.out" | cut -d' ' -f1)"
else
  echo "pywa could not be installed (is PyPI reachable?): skipped"
fi

echo "== bare Python (hmac + json.loads)"
python3 "$work/python_bench.py" bare "$corpus" "$seconds" | tee "$work/bare.out"
bare="$(tail -n 1 "$work/bare.out" | cut -d' ' -f1)"

echo
echo "sehat-whatsapp: $sehat payloads/s"
echo "pywa $PYWA_VERSION:    $pywa payloads/s"
echo "bare Python:    $bare payloads/s"
python3 - "$sehat" "$pywa" "$bare" <<'PY'
import sys
sehat, pywa, bare = sys.argv[1:]
if pywa != "skipped":
    print(f"sehat / pywa: {float(sehat) / float(pywa):.1f}x")
print(f"sehat / bare Python: {float(sehat) / float(bare):.1f}x")
PY
