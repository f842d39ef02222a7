#!/usr/bin/env python3
"""MS-GRVSSTP relay: many concurrent idle device connections (issue 11, benchmark c).

    swift build -c release --product winterop
    python3 Benchmarks/sstp-relay-idle.py [--winterop PATH] [--connections 10000] [--runs 3] [--hold 5]

Starts `winterop sstp relay` (SQLite store on tmpfs) and opens --connections TCP
connections to it, each one device: it sends a Connect (2.2.1.1) naming its own
SourceDeviceURL (grooveDNS://dev-NNNNNNN.example), waits for the ConnectResponse
(2.2.2.1) and then stays idle. Reported per run:
- the time from the first connect to the last ConnectResponse, and the rate;
- the relay's resident memory (VmRSS) before and with every connection held, after
  --hold seconds, divided by the number of connections (issue 11's goal: under 20 KiB);
- that every connection is still open after the hold (a ConnectClose or a close counts
  as lost; the relay's idle Noops are read and ignored).
The floor in the same run is the kernel's own cost: the same client against a bare
listener in this script that accepts and answers each Connect with one byte, and that
listener process's VmRSS growth per connection.
"""
import argparse, os, resource, selectors, socket, statistics, subprocess, sys, tempfile, time, json

def winterop_path(given):
    if given:
        return given
    out = subprocess.run(["swift", "build", "-c", "release", "--product", "winterop", "--show-bin-path"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(out, "winterop")

RELAY_URL = "grooveDNS://relay.example"

def connect_command(device_url):
    """Connect (0x01, 2.2.1.1), SSTP 1.6: CommandId, CommandLength (UInt16 LE, whole command), body."""
    body = bytes([0x01, 0x06, 0x00])
    body += RELAY_URL.encode() + b"\0"
    body += bytes([1]) + device_url.encode() + b"\0"
    body += (0).to_bytes(2, "little")            # AuthenticationToken: empty
    body += b"winterop idle bench\0" + b"\0"     # PeerProductVersion, PeerProductCapabilities
    return bytes([0x01]) + (3 + len(body)).to_bytes(2, "little") + body

def vm_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")

def open_devices(port, count, in_flight=256, expect_connect_response=True, timeout=120):
    """Opens `count` device connections, at most `in_flight` waiting at once; returns the sockets and the seconds taken."""
    selector = selectors.DefaultSelector()
    sockets, pending, started, answered = [], 0, 0, 0
    start = time.perf_counter()
    deadline = start + timeout
    while answered < count:
        while started < count and pending < in_flight:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            selector.register(s, selectors.EVENT_WRITE, ("connecting", started))
            sockets.append(s); started += 1; pending += 1
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {answered} of {count} connections answered within {timeout} s")
        for key, mask in selector.select(timeout=1):
            s, (state, index) = key.fileobj, key.data
            if state == "connecting":
                error = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if error:
                    raise RuntimeError(f"connection {index}: {os.strerror(error)}")
                s.send(connect_command(f"grooveDNS://dev-{index:07d}.example"))
                selector.modify(s, selectors.EVENT_READ, ("waiting", index))
            else:
                data = s.recv(65536)
                if not data:
                    raise RuntimeError(f"connection {index} closed before its ConnectResponse")
                if expect_connect_response and data[0] != 0x02:
                    raise RuntimeError(f"connection {index}: first command 0x{data[0]:02x}, not ConnectResponse")
                selector.unregister(s)
                pending -= 1; answered += 1
    seconds = time.perf_counter() - start
    selector.close()
    return sockets, seconds

def still_open(sockets):
    """How many sockets are still open: reads what is waiting (Noops are fine), a ConnectClose (0x04) or EOF is lost."""
    alive = 0
    for s in sockets:
        try:
            data = s.recv(65536)
            if data and 0x04 not in data[:1]:
                alive += 1
            elif not data:
                pass
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    return alive

BARE_LISTENER = r"""
import selectors, socket, sys
listener = socket.socket(); listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0)); listener.listen(4096); listener.setblocking(False)
print(listener.getsockname()[1], flush=True)
selector = selectors.DefaultSelector(); selector.register(listener, selectors.EVENT_READ)
held = []
while True:
    for key, _ in selector.select():
        if key.fileobj is listener:
            try:
                conn, _ = listener.accept()
            except BlockingIOError:
                continue
            conn.setblocking(False); held.append(conn); selector.register(conn, selectors.EVENT_READ)
        else:
            data = key.fileobj.recv(65536)
            selector.unregister(key.fileobj)
            if data: key.fileobj.send(b"\x02")
"""

def run_bare(count):
    listener = subprocess.Popen([sys.executable, "-c", BARE_LISTENER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(listener.stdout.readline())
        before = vm_rss_kib(listener.pid)
        sockets, seconds = open_devices(port, count)
        time.sleep(0.5)
        per = (vm_rss_kib(listener.pid) - before) / count
        for s in sockets: s.close()
        return seconds, per
    finally:
        listener.kill(); listener.wait()

def run_relay(winterop, count, hold):
    directory = tempfile.mkdtemp(prefix="winterop-relay-idle-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    relay = subprocess.Popen([winterop, "sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", RELAY_URL,
                              "--store", f"sqlite:{directory}/relay.sqlite", "--json"],
                             stdout=subprocess.PIPE, text=True)
    try:
        port = None
        for line in relay.stdout:
            event = json.loads(line)
            if event.get("event") == "listening":
                port = event["port"]; break
        if port is None:
            raise RuntimeError("the relay did not report listening")
        # The relay reports every connection; drain its output so it never blocks on the pipe.
        import threading
        threading.Thread(target=lambda: [None for _ in relay.stdout], daemon=True).start()
        time.sleep(1)
        before = vm_rss_kib(relay.pid)
        sockets, seconds = open_devices(port, count)
        time.sleep(hold)
        with_all = vm_rss_kib(relay.pid)
        alive = still_open(sockets)
        for s in sockets: s.close()
        return seconds, before, with_all, alive
    finally:
        relay.terminate()
        try: relay.wait(timeout=30)
        except subprocess.TimeoutExpired: relay.kill(); relay.wait()
        subprocess.run(["rm", "-rf", directory])

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--winterop")
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hold", type=float, default=5)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.connections + 256
    if hard < need:
        sys.exit(f"sstp-relay-idle: the open-file limit is {hard}; {need} are needed (raise it with ulimit -Hn or in limits.conf)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    winterop = winterop_path(args.winterop)
    rows = []
    for run in range(args.runs):
        bare_seconds, bare_per = run_bare(args.connections)
        seconds, before, with_all, alive = run_relay(winterop, args.connections, args.hold)
        per = (with_all - before) / args.connections
        load = os.getloadavg()[0]
        rows.append((seconds, per, alive, bare_seconds, bare_per, load, before, with_all))
        print(f"run {run + 1}: {args.connections} device connections accepted and answered in {seconds:.2f} s "
              f"({args.connections / seconds:,.0f}/s; bare listener {bare_seconds:.2f} s, {seconds / bare_seconds:.1f} x); "
              f"relay VmRSS {before / 1024:.1f} -> {with_all / 1024:.1f} MiB = {per:.1f} KiB per connection "
              f"(bare listener {bare_per:.1f} KiB); {alive} still open after {args.hold:g} s; load {load:.1f}", flush=True)
    median = sorted(rows, key=lambda r: r[1])[len(rows) // 2]
    print(f"median: {median[1]:.1f} KiB per connection (goal < 20), accepted in {median[0]:.2f} s "
          f"({args.connections / median[0]:,.0f}/s), {median[2]} of {args.connections} held; "
          f"bare listener {median[3]:.2f} s and {median[4]:.1f} KiB per connection; load {median[5]:.1f}")
    if any(r[2] != args.connections for r in rows):
        sys.exit("sstp-relay-idle: some connections were closed by the relay")

if __name__ == "__main__":
    main()
