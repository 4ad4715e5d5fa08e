"""Loopback probe of the webhook bot as an attacker drives it (the repros in docs/reliability.md).

    python3 examples/webhook_bot/hostile_probe.py target/debug/examples/webhook_bot half
    python3 examples/webhook_bot/hostile_probe.py target/debug/examples/webhook_bot big 300
    python3 examples/webhook_bot/hostile_probe.py target/debug/examples/webhook_bot idle 19990

Starts the bot in --mock mode on 127.0.0.1 (Linux: reads /proc for its memory and
descriptors), then:
  half  sends half a request head and reports when the bot closes the connection;
  big   sends N unsigned POSTs of 3,071 KiB but for their last byte, holding them all
        open, and reports the bot's resident memory before and after;
  idle  opens N sockets that send nothing, then makes Meta's GET handshake on a new
        connection, and reports the answer and when the idle sockets are closed.
The open-files limit (ulimit -n) must leave room for N sockets. Every wait is bounded.
"""

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request

BIN, MODE = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 0
env = dict(os.environ, WHATSAPP_APP_SECRET="probe-secret", WHATSAPP_VERIFY_TOKEN="probe-token", RUST_LOG="warn")
bot = subprocess.Popen([BIN, "--mock", "--listen", "127.0.0.1:0"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
port = int(re.search(r":(\d+)/webhook", bot.stdout.readline()).group(1))
threading.Thread(target=lambda: [None for _ in bot.stdout], daemon=True).start()


def rss_mib():
    for line in open(f"/proc/{bot.pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024


def descriptors():
    return len(os.listdir(f"/proc/{bot.pid}/fd"))


def connect():
    return socket.create_connection(("127.0.0.1", port), timeout=10)


try:
    if MODE == "half":
        s = connect()
        s.sendall(b"POST /webhook HTTP/1.1\r\nHost: bot\r\nContent-Le")
        s.settimeout(120)
        start = time.time()
        try:
            got = s.recv(100)
            print(f"half-sent head: closed after {time.time() - start:.1f} s ({got[:40]!r})")
        except socket.timeout:
            print("half-sent head: still open after 120 s")
    elif MODE == "big":
        # Every body but its last byte, on N connections held open at once.
        body = b" " * (3 * 1024 * 1024 - 1024)
        before, held, refused = rss_mib(), [], 0
        for _ in range(N):
            s = connect()
            try:
                s.sendall(b"POST /webhook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n"
                          b"Content-Length: %d\r\n\r\n" % len(body) + body[:-1])
            except OSError:
                refused += 1  # answered before the body was read, and closed under it
            held.append(s)
        time.sleep(1)
        print(f"{N} unsigned bodies of {len(body) // 1024} KiB held: resident {before} -> {rss_mib()} MiB; "
              f"{refused} closed before the body was sent")
        for s in held:
            s.close()
    elif MODE == "idle":
        idle = []
        for i in range(N):
            try:
                idle.append(connect())
            except OSError as error:
                print(f"connect {i} failed: {error}")
                break
        time.sleep(1)
        print(f"{len(idle)} idle sockets open; the bot holds {descriptors()} descriptors")
        start = time.time()
        url = f"http://127.0.0.1:{port}/webhook?hub.mode=subscribe&hub.verify_token=probe-token&hub.challenge=42"
        try:
            answer = urllib.request.urlopen(url, timeout=30)
            print(f"handshake: {answer.status} {answer.read()!r} after {time.time() - start:.2f} s")
        except OSError as error:
            print(f"handshake: no answer after {time.time() - start:.1f} s ({error})")
        start, still, closed = time.time(), idle, []
        for s in still:
            s.setblocking(False)
        while still and time.time() - start < 40:
            waiting = []
            for s in still:
                try:
                    (closed if s.recv(1) == b"" else waiting).append(s)
                except BlockingIOError:
                    waiting.append(s)
                except OSError:
                    closed.append(s)
            if len(waiting) < len(still):
                last = time.time() - start
            still = waiting
            time.sleep(0.5)
        if closed:
            print(f"idle sockets closed: {len(closed)} of {len(idle)}, the last {last:.1f} s after the handshake")
        print(f"still open after 40 s: {len(still)}")
finally:
    bot.kill()
    bot.wait()
