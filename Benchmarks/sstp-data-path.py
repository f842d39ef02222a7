#!/usr/bin/env python3
"""MS-GRVSSTP data-path figures (issue 10), each beside a floor measured in the same run.

    swift build -c release --product winterop
    python3 Benchmarks/sstp-data-path.py [--winterop PATH] [--messages 512] [--small 20000] [--no-sha256]

1. `sstp send` -> `sstp listen`, N x 1 MiB, file to file on tmpfs (/dev/shm), until every
   message is acknowledged, against a plain loopback TCP stream of the same bytes
   (iperf3 when installed, otherwise a raw socket transfer in this script).
2. 256-byte messages from one `sstp send` (a directory of files) into `sstp listen`
   (files): messages/s acknowledged, and the sender's CPU time per message.
3. One 6-byte file: how long `sstp send` runs after its `connected` event.
With --no-sha256 both sides run with --no-sha256 (no digest in the events).
"""
import argparse, json, os, resource, shutil, socket, subprocess, sys, tempfile, threading, time

def winterop_path(given):
    if given:
        return given
    out = subprocess.run(["swift", "build", "-c", "release", "--product", "winterop", "--show-bin-path"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(out, "winterop")

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

EXTRA = []

def start_listener(winterop, out):
    process = subprocess.Popen([winterop, "sstp", "listen", "--listen", "127.0.0.1:0", "--device-url", "dpp://bench",
                                "--out", out, "--json"] + EXTRA, stdout=subprocess.PIPE, text=True)
    first = json.loads(process.stdout.readline())
    # Keep draining its events so it never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
    return process, first["port"]

def send_command(winterop, port, files):
    return [winterop, "sstp", "send", "--to", f"127.0.0.1:{port}", "--target-device", "dpp://bench",
            "--device-url", "dpp://sender", "--resource", "bench", "--identity", "grooveIdentity://bench",
            "--json"] + EXTRA + [arg for f in files for arg in ("--file", f)]

def timed_send(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--winterop")
    parser.add_argument("--messages", type=int, default=512)
    parser.add_argument("--small", type=int, default=20000)
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
        floor, how = raw_tcp_mbps(total)
        listener, port = start_listener(winterop, os.path.join(work, "inbox-big"))
        try:
            elapsed, _ = timed_send(send_command(winterop, port, [big]))
        finally:
            listener.terminate(); listener.wait()
        mbps = total / 1e6 / elapsed
        print(f"1. sstp send -> sstp listen, {args.messages} x 1 MiB, tmpfs: {mbps:.0f} MB/s; "
              f"loopback TCP ({how}) {floor:.0f} MB/s; ratio {mbps / floor:.2f}")

        small = os.path.join(work, "small"); os.mkdir(small)
        for i in range(args.small):
            with open(os.path.join(small, f"s{i:06d}"), "wb") as f:
                f.write(payload[:256])
        listener, port = start_listener(winterop, os.path.join(work, "inbox-small"))
        try:
            elapsed, cpu = timed_send(send_command(winterop, port, [small]))
        finally:
            listener.terminate(); listener.wait()
        print(f"2. 256-byte messages, one connection, into sstp listen (files): {args.small / elapsed:.0f} messages/s "
              f"acknowledged; sender CPU {cpu / args.small * 1e6:.1f} µs per message")

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
