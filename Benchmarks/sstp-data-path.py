#!/usr/bin/env python3
"""MS-GRVSSTP data-path figures (issue 10), each beside a floor measured in the same run.

    swift build -c release --product winterop
    python3 Benchmarks/sstp-data-path.py [--winterop PATH] [--runs 3] [--messages 512] [--small 50000] [--no-sha256]

Every figure is measured --runs times, each run beside its floor measured just before it;
the median run (by ratio) is printed, with the load average.
1. `sstp send` -> `sstp listen`, N x 1 MiB, file to file on tmpfs (/dev/shm), until every
   message is acknowledged, against (a) a plain loopback TCP stream of the same bytes
   (iperf3 when installed, otherwise a raw socket transfer in this script) and (b) a plain
   file-to-file copy over loopback TCP (sendfile(2) into the socket, recv/write(2) into one
   file on tmpfs: the same kernel work without the protocol).
2. 256-byte messages, `sstp send --stdin-messages` into `sstp listen --store spool` and
   into `sstp listen` (files): messages/s acknowledged, the sender's CPU time per message,
   against the same length-prefixed bytes over a plain loopback TCP stream (as messages/s).
3. One 6-byte file: how long `sstp send` runs after its `connected` event.
With --no-sha256 both sides run with --no-sha256 (no digest in the events).
"""
import argparse, json, os, resource, shutil, socket, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from process_figures import cpu_seconds, load, winterop_path  # noqa: E402

def raw_tcp_mbps(total):
    """A plain loopback TCP stream of `total` bytes: iperf3, or sockets here."""
    if shutil.which("iperf3"):
        server = subprocess.Popen(["iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", "5299"], stdout=subprocess.DEVNULL)
        time.sleep(0.3)
        try:
            out = subprocess.run(["iperf3", "-c", "127.0.0.1", "-p", "5299", "-n", str(total), "-J"],
                                 capture_output=True, text=True, check=True).stdout
            return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 8 / 1e6, "iperf3"
        finally:
            server.wait(timeout=10)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0)); listener.listen(1)
    def sink():
        conn, _ = listener.accept()
        while conn.recv(1 << 20):
            pass
    thread = threading.Thread(target=sink); thread.start()
    client = socket.create_connection(listener.getsockname())
    block = b"\x42" * (1 << 20)
    start = time.perf_counter()
    for _ in range(total // len(block)):
        client.sendall(block)
    client.close(); thread.join()
    return total / 1e6 / (time.perf_counter() - start), "python sockets"

FILE_COPY = r"""
import os, socket, sys
mode, path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "recv":
    listener = socket.socket(); listener.bind(("127.0.0.1", port)); listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    buffer = bytearray(1 << 20); view = memoryview(buffer)
    while True:
        n = conn.recv_into(buffer)
        if n == 0: break
        os.write(fd, view[:n])
    os.close(fd)
else:
    client = socket.create_connection(("127.0.0.1", port))
    for name in sorted(os.listdir(path)):
        with open(os.path.join(path, name), "rb") as f:
            client.sendfile(f)
    client.close()
"""

def file_copy_mbps(directory, total, target):
    """A plain file-to-file copy of `directory` over loopback TCP into one file `target`."""
    receiver = subprocess.Popen([sys.executable, "-c", FILE_COPY, "recv", target, "0"], stdout=subprocess.PIPE, text=True)
    port = receiver.stdout.readline().strip()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", FILE_COPY, "send", directory, port], check=True)
    receiver.wait()
    elapsed = time.perf_counter() - start
    os.unlink(target)
    return total / 1e6 / elapsed

def median_run(runs, key):
    ordered = sorted(runs, key=key)
    return ordered[len(ordered) // 2]

EXTRA = []

def start_listener(winterop, out, extra=()):
    process = subprocess.Popen([winterop, "sstp", "listen", "--listen", "127.0.0.1:0", "--device-url", "dpp://bench",
                                "--out", out, "--json"] + EXTRA + list(extra), stdout=subprocess.PIPE, text=True)
    first = json.loads(process.stdout.readline())
    # Keep draining its events so it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, first["port"]

def send_command(winterop, port, files):
    return [winterop, "sstp", "send", "--to", f"127.0.0.1:{port}", "--target-device", "dpp://bench",
            "--device-url", "dpp://sender", "--resource", "bench", "--identity", "grooveIdentity://bench",
            "--json"] + EXTRA + [arg for f in files for arg in ("--file", f)]

def timed_send(command, stdin=None, connected=None):
    """Runs `sstp send`: wall time, CPU time; with `connected` (a list), also appends the
    time from its `connected` event to its exit (the data path without process start-up,
    stdin reading and the TCP and SSTP connects)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    sender = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=stdin)
    seen = None
    pending = b""
    while True:
        chunk = sender.stdout.read1(1 << 16)
        if not chunk:
            break
        if seen is None:
            pending += chunk
            if b'"event":"connected"' in pending:
                seen = time.perf_counter()
                pending = b""
    if sender.wait() != 0:
        raise subprocess.CalledProcessError(sender.returncode, command)
    end = time.perf_counter()
    if connected is not None and seen is not None:
        connected.append(end - seen)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return end - start, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--winterop")
    parser.add_argument("--messages", type=int, default=512)
    parser.add_argument("--small", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--figures", default="1,2,3", help="which figures to measure, e.g. 2 or 1,3")
    parser.add_argument("--no-sha256", action="store_true", help="run both sides with --no-sha256")
    args = parser.parse_args()
    if args.no_sha256:
        EXTRA.append("--no-sha256")
    winterop = winterop_path(args.winterop)
    work = tempfile.mkdtemp(prefix="sstp-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        big = os.path.join(work, "big"); os.mkdir(big)
        payload = os.urandom(1 << 20)
        for i in range(args.messages):
            with open(os.path.join(big, f"m{i:05d}"), "wb") as f:
                f.write(payload)
        total = args.messages << 20
        figures = set(args.figures.split(","))
        runs = []
        for _ in range(args.runs if "1" in figures else 0):
            floor, how = raw_tcp_mbps(total)
            copy = file_copy_mbps(big, total, os.path.join(work, "copy.bin"))
            inbox = os.path.join(work, "inbox-big")
            listener, port = start_listener(winterop, inbox)
            try:
                before = cpu_seconds(listener.pid)
                elapsed, cpu = timed_send(send_command(winterop, port, [big]))
                listener_cpu = cpu_seconds(listener.pid) - before
            finally:
                listener.terminate(); listener.wait()
            shutil.rmtree(inbox, ignore_errors=True)
            mbps = total / 1e6 / elapsed
            mib = total / (1 << 20)
            runs.append((mbps, floor, copy, how, cpu / mib * 1e3, listener_cpu / mib * 1e3))
            print(f"   run: {mbps:.0f} MB/s; loopback TCP {floor:.0f} MB/s ({mbps / floor:.2f}); file-to-file TCP copy {copy:.0f} MB/s "
                  f"({mbps / copy:.2f}; the copy itself {copy / floor:.2f} x loopback TCP); CPU per MiB: sender {cpu / mib * 1e3:.2f} ms, "
                  f"listener {listener_cpu / mib * 1e3:.2f} ms; {load()}", flush=True)
        if runs:
            mbps, floor, copy, how, sender_ms, listener_ms = median_run(runs, lambda r: r[0] / r[1])
            print(f"1. sstp send -> sstp listen, {args.messages} x 1 MiB, tmpfs: {mbps:.0f} MB/s; "
              f"loopback TCP ({how}) {floor:.0f} MB/s, ratio {mbps / floor:.2f}; plain file-to-file copy over loopback TCP "
              f"{copy:.0f} MB/s, ratio {mbps / copy:.2f}; that protocol-less copy reaches {copy / floor:.2f} x loopback TCP, the "
              f"ceiling of any file-to-file figure here; CPU per MiB: sender {sender_ms:.2f} ms, listener {listener_ms:.2f} ms "
              f"(median of {args.runs}; {load()})", flush=True)

        stream = os.path.join(work, "small.stream")
        with open(stream, "wb") as f:
            for i in range(args.small):
                f.write((256).to_bytes(4, "big") + payload[:256])
        for store in ("spool", "files") if "2" in figures else ():
            runs = []
            for _ in range(args.runs):
                floor, _ = raw_tcp_mbps(os.path.getsize(stream))
                floor_rate = floor * 1e6 / 260
                inbox = os.path.join(work, "inbox-small")
                listener, port = start_listener(winterop, inbox, ["--store", store])
                try:
                    before = cpu_seconds(listener.pid)
                    connected = []
                    with open(stream, "rb") as f:
                        elapsed, cpu = timed_send(send_command(winterop, port, []) + ["--stdin-messages"], stdin=f, connected=connected)
                    listener_cpu = cpu_seconds(listener.pid) - before
                finally:
                    listener.terminate(); listener.wait()
                shutil.rmtree(inbox, ignore_errors=True)
                rate = args.small / elapsed
                linked = args.small / connected[0] if connected else float("nan")
                runs.append((rate, cpu / args.small * 1e6, floor_rate, listener_cpu / args.small * 1e6, linked))
                print(f"   run: {rate:.0f} messages/s for the whole sender process, {linked:.0f}/s from its connected event to its exit; "
                      f"sender {cpu / args.small * 1e6:.1f} µs CPU per message, listener "
                      f"{listener_cpu / args.small * 1e6:.1f} µs; loopback TCP of the same bytes {floor_rate:.0f} records/s; {load()}", flush=True)
            rate, per, floor_rate, listener_per, linked = median_run(runs, lambda r: r[0])
            print(f"2. 256-byte messages, one connection, sstp send --stdin-messages into sstp listen --store {store}"
                  f": {rate:.0f} messages/s acknowledged for the whole sender process, {linked:.0f}/s once connected "
                  f"({rate / 100000:.2f} and {linked / 100000:.2f} of the 100,000 goal); "
                  f"sender {per:.1f} µs CPU per message, listener {listener_per:.1f} µs (median run); loopback TCP of the same bytes {floor_rate:.0f} records/s, ratio "
                  f"{rate / floor_rate:.3f} (median of {args.runs}; {load()})", flush=True)

        if "3" in figures:
            one = os.path.join(work, "one.txt")
            with open(one, "wb") as f:
                f.write(b"hello\n")
            listener, port = start_listener(winterop, os.path.join(work, "inbox-one"))
            try:
                runs = []
                for _ in range(5):
                    start = time.perf_counter()
                    sender = subprocess.Popen(send_command(winterop, port, [one]), stdout=subprocess.PIPE, text=True)
                    connected = None
                    for line in sender.stdout:
                        if connected is None and json.loads(line).get("event") == "connected":
                            connected = time.perf_counter()
                    sender.wait()
                    end = time.perf_counter()
                    runs.append(((end - connected) * 1000, (end - start) * 1000))
            finally:
                listener.terminate(); listener.wait()
            after = sorted(r[0] for r in runs)[len(runs) // 2]
            whole = sorted(r[1] for r in runs)[len(runs) // 2]
            print(f"3. one 6-byte file: sstp send exits {after:.1f} ms after connecting (median of 5; "
                  f"{whole:.0f} ms for the whole process)")
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    sys.exit(main())
