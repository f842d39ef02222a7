#!/usr/bin/env python3
"""MS-GRVSSTP relay figures (issue 11), release build, each run beside the load average.

    swift build -c release --product winterop        (or: cd Benchmarks && swift build -c release --product winterop)
    python3 Benchmarks/sstp-relay.py [--winterop PATH] [--runs 3] [--messages 100000] [--connections 10000] [--figures abc]

(a) Messages/s through `winterop sstp relay`, depositor to recipient, 256-byte messages,
    durable SQLite store (WAL, synchronous FULL, group commits) on the disk of the work
    directory: `sstp receive` is attached first, then `sstp send --stdin-messages` deposits
    N messages; the time runs from the send's start until the receiver has taken all N.
    Beside it: loopback TCP of the same length-prefixed bytes (records/s), and the relay's
    CPU time per message.
(b) The same against Mosquitto (Debian's `mosquitto` broker, persistence on, QoS 1 both
    ways, max_inflight_messages 0 = no limit): `mosquitto_sub -q 1 -c -C N` subscribed
    first, then `mosquitto_pub -q 1 -l` publishing N 256-byte lines. Reported as
    ours / Mosquitto's, both measured in the same run. Note Mosquitto's persistence is a
    periodic snapshot of its in-memory store (autosave_interval), not a commit before each
    PUBACK: it does less for durability than the relay.
(c) C idle device connections to one relay (each: TCP, then Connect with its own
    SourceDeviceURL, ConnectResponse Ok): the relay's resident memory per connection (RSS
    after minus RSS before, from /proc) and the time from the first connect to the last
    ConnectResponse. The soft and hard `ulimit -n` are raised for this script and its
    children (needs the hard limit >= C + 100, or root).
Missing programs are named and their figure skipped.
"""
import argparse, asyncio, importlib.util, json, os, resource, shutil, socket, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("sstp_data_path", os.path.join(HERE, "sstp-data-path.py"))
data_path = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data_path)
load, median_run, cpu_seconds, raw_tcp_mbps = data_path.load, data_path.median_run, data_path.cpu_seconds, data_path.raw_tcp_mbps

# Printable, so that mosquitto_pub -l (one message per line, C strings) sends it whole.
PAYLOAD = bytes(33 + (i * 31 + 7) % 94 for i in range(256))

def winterop_path(given):
    if given:
        return given
    for directory in (".build/release", "Benchmarks/.build/release", os.path.join(HERE, ".build/release")):
        candidate = os.path.join(directory, "winterop")
        if os.path.exists(candidate):
            return candidate
    return data_path.winterop_path(None)

def wait_for(path, predicate, timeout=30):
    """The first JSON line of the file at `path` for which `predicate` holds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    try:
                        event = json.loads(line)
                    except ValueError:
                        continue
                    if predicate(event):
                        return event
        time.sleep(0.02)
    raise RuntimeError(f"timed out waiting in {path}")

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def start_relay(winterop, work, name, extra=()):
    events = os.path.join(work, f"{name}.events")
    out = open(events, "w")
    process = subprocess.Popen([winterop, "sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", "dpp://relay",
                                "--store", "sqlite:" + os.path.join(work, f"{name}.sqlite"), "--json"] + list(extra),
                               stdout=out, stderr=subprocess.DEVNULL)
    out.close()
    port = wait_for(events, lambda e: e.get("event") == "listening" and e.get("service") == "sstp-relay")["port"]
    return process, port, events

def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill(); process.wait()

# (a) ------------------------------------------------------------------------------------

def relay_run(winterop, work, stream, messages, run):
    relay, port, events = start_relay(winterop, work, f"relay-{run}", ["--ack-delay", "0.005"])
    try:
        received = os.path.join(work, f"receive-{run}.events")
        with open(received, "w") as out:
            receiver = subprocess.Popen([winterop, "sstp", "receive", "--relay", f"127.0.0.1:{port}", "--relay-url", "dpp://relay",
                                         "--device-url", "dpp://recipient", "--identity", "grooveIdentity://bench",
                                         "--exit-after", str(messages), "--json", "--timeout", "60"], stdout=out, stderr=subprocess.DEVNULL)
        wait_for(events, lambda e: e.get("event") == "identity_registered")
        before = cpu_seconds(relay.pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with open(stream, "rb") as f:
            sender = subprocess.Popen([winterop, "sstp", "send", "--to", f"127.0.0.1:{port}", "--target-device", "dpp://relay",
                                       "--device-url", "dpp://depositor", "--resource", "bench", "--identity", "grooveIdentity://bench",
                                       "--device", "dpp://recipient", "--stdin-messages", "--json"], stdin=f, stdout=subprocess.DEVNULL)
        status = receiver.wait(timeout=600)
        elapsed = time.perf_counter() - start
        relay_cpu = cpu_seconds(relay.pid) - before
        sender.wait(timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        clients_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        if status != 0 or sender.returncode != 0:
            raise RuntimeError(f"sstp receive exited {status}, sstp send {sender.returncode}")
        return messages / elapsed, relay_cpu / messages * 1e6, clients_cpu / messages * 1e6
    finally:
        stop(relay)

def figure_a(winterop, work, args):
    stream = os.path.join(work, "small.stream")
    with open(stream, "wb") as f:
        for _ in range(args.messages):
            f.write(len(PAYLOAD).to_bytes(4, "big") + PAYLOAD)
    runs = []
    for run in range(args.runs):
        floor, _ = raw_tcp_mbps(os.path.getsize(stream))
        floor_rate = floor * 1e6 / (len(PAYLOAD) + 4)
        rate, per, clients = relay_run(winterop, work, stream, args.messages, run)
        runs.append((rate, per, clients, floor_rate, load()))
        print(f"   (a) run: {rate:.0f} messages/s, relay {per:.1f} µs CPU per message, sstp send + sstp receive {clients:.1f} µs; "
              f"loopback TCP {floor_rate:.0f} records/s ({runs[-1][4]})", flush=True)
    rate, per, clients, floor_rate, when = median_run(runs, lambda r: r[0])
    print(f"(a) relay, durable SQLite, {args.messages} x 256-byte messages depositor -> recipient: {rate:.0f} messages/s "
          f"({rate / 50000:.2f} of the 50,000 goal); relay {per:.1f} µs CPU per message, sstp send + sstp receive {clients:.1f} µs; "
          f"loopback TCP of the same bytes "
          f"{floor_rate:.0f} records/s, ratio {rate / floor_rate:.4f} (median of {args.runs}; {when})", flush=True)
    return rate, per

# (b) ------------------------------------------------------------------------------------

def mosquitto_run(work, lines, messages, run):
    directory = os.path.join(work, f"mosquitto-{run}")
    os.makedirs(directory, exist_ok=True)
    probe = socket.socket(); probe.bind(("127.0.0.1", 0)); port = probe.getsockname()[1]; probe.close()
    config = os.path.join(directory, "mosquitto.conf")
    with open(config, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {directory}/\n"
                "max_inflight_messages 0\nmax_queued_messages 0\nlog_dest none\n")
    broker = subprocess.Popen(["mosquitto", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close(); break
            except OSError:
                if time.time() > deadline: raise
                time.sleep(0.05)
        # A persistent session (-c): subscribed (-E: until the SUBACK) before the publisher
        # starts, then taken up again by the subscriber that counts the messages.
        subscribe = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "bench", "-q", "1", "-c", "-i", f"bench-sub-{run}"]
        subprocess.run(subscribe + ["-E"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        subscriber = subprocess.Popen(subscribe + ["-C", str(messages)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        before = cpu_seconds(broker.pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with open(lines, "rb") as f:
            publisher = subprocess.Popen(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", "bench", "-q", "1",
                                          "-l", "-i", f"bench-pub-{run}"], stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        status = subscriber.wait(timeout=600)
        elapsed = time.perf_counter() - start
        broker_cpu = cpu_seconds(broker.pid) - before
        publisher.wait(timeout=60)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        clients_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        if status != 0:
            raise RuntimeError(f"mosquitto_sub exited {status}")
        return messages / elapsed, broker_cpu / messages * 1e6, clients_cpu / messages * 1e6
    finally:
        stop(broker)

def figure_b(winterop, work, args, ours):
    missing = [p for p in ("mosquitto", "mosquitto_pub", "mosquitto_sub") if not shutil.which(p)]
    if missing:
        print(f"(b) skipped: {', '.join(missing)} not installed (Debian packages mosquitto, mosquitto-clients)", flush=True)
        return
    lines = os.path.join(work, "small.lines")
    with open(lines, "wb") as f:
        for _ in range(args.messages):
            f.write(PAYLOAD + b"\n")
    runs = []
    for run in range(args.runs):
        theirs, broker, clients = mosquitto_run(work, lines, args.messages, run)
        runs.append((theirs, broker, clients, load()))
        print(f"   (b) run: Mosquitto {theirs:.0f} messages/s, broker {broker:.1f} µs CPU per message, mosquitto_pub + mosquitto_sub "
              f"{clients:.1f} µs ({runs[-1][3]})", flush=True)
    theirs, broker, clients, when = median_run(runs, lambda r: r[0])
    print(f"(b) Mosquitto (persistence on, QoS 1 publish and subscribe), {args.messages} x 256-byte messages: {theirs:.0f} messages/s, "
          f"broker {broker:.1f} µs CPU per message, its clients {clients:.1f} µs; "
          + (f"ours / Mosquitto's = {ours[0] / theirs:.2f} by rate, broker CPU / relay CPU per message = {broker / ours[1]:.2f}" if ours else "ours not measured (figure a not run)")
          + f" (median of {args.runs}; {when})", flush=True)

# (c) ------------------------------------------------------------------------------------

def capture_connect(winterop):
    """The Connect command `sstp send` writes first, with SourceDeviceURL dpp://idle-000000."""
    listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
    port = listener.getsockname()[1]
    payload = os.path.join(tempfile.gettempdir(), "winterop-relay-bench-one")
    with open(payload, "wb") as f:
        f.write(b"x")
    sender = subprocess.Popen([winterop, "sstp", "send", "--to", f"127.0.0.1:{port}", "--target-device", "dpp://relay",
                               "--device-url", "dpp://idle-000000", "--resource", "bench", "--identity", "grooveIdentity://bench",
                               "--file", payload, "--timeout", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    connection, _ = listener.accept()
    data = b""
    while len(data) < 3 or len(data) < int.from_bytes(data[1:3], "little"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    connection.close(); listener.close(); sender.kill(); sender.wait()
    length = int.from_bytes(data[1:3], "little")
    connect = data[:length]
    if b"dpp://idle-000000\x00" not in connect:
        raise RuntimeError("could not capture a Connect command")
    return connect

async def hold_connections(port, connect, count, parallel=256):
    """Opens `count` connections, each sending Connect with its own SourceDeviceURL and
    reading the ConnectResponse; returns the open writers and the seconds it took."""
    writers = []
    semaphore = asyncio.Semaphore(parallel)
    async def one(index):
        async with semaphore:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(connect.replace(b"dpp://idle-000000\x00", f"dpp://idle-{index:06d}\x00".encode()))
            await writer.drain()
            header = await reader.readexactly(3)
            await reader.readexactly(int.from_bytes(header[1:3], "little") - 3)
            if header[0] != 0x02:
                raise RuntimeError(f"not a ConnectResponse: command 0x{header[0]:02x}")
            writers.append(writer)
    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    return writers, time.perf_counter() - start

def figure_c(winterop, work, args):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.connections + 200
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), max(hard, want)))
    except (ValueError, OSError):
        if hard < want:
            print(f"(c) skipped: ulimit -n is {hard} (hard), {want} needed; raise it or run as root", flush=True)
            return
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    connect = capture_connect(winterop)
    runs = []
    for run in range(args.runs):
        relay, port, _ = start_relay(winterop, work, f"idle-{run}")
        try:
            time.sleep(0.5)
            before = rss_kib(relay.pid)
            after, seconds = asyncio.run(_held(relay.pid, port, connect, args.connections))
            runs.append(((after - before) * 1024 / args.connections, seconds, before, after, load()))
            per, seconds, before, after, when = runs[-1]
            print(f"   (c) run: {args.connections} connections accepted in {seconds:.2f} s; RSS {before} KiB -> {after} KiB, "
                  f"{per / 1024:.1f} KiB per connection ({when})", flush=True)
        finally:
            stop(relay)
    per, seconds, before, after, when = median_run(runs, lambda r: r[0])
    print(f"(c) {args.connections} idle device connections (Connect, ConnectResponse Ok): {per / 1024:.1f} KiB resident per connection "
          f"(goal < 20 KiB; RSS {before} -> {after} KiB), accepted in {seconds:.2f} s ({args.connections / seconds:.0f} connections/s) "
          f"(median of {args.runs}; {when})", flush=True)

async def _held(pid, port, connect, count):
    """Holds the connections open while the relay's RSS is read: its RSS in KiB then, and
    the seconds the connections took."""
    writers, seconds = await hold_connections(port, connect, count)
    await asyncio.sleep(1.0)
    after = rss_kib(pid)
    for writer in writers:
        writer.close()
    return after, seconds

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--winterop")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--connections", type=int, default=10000)
    parser.add_argument("--figures", default="abc")
    args = parser.parse_args()
    winterop = winterop_path(args.winterop)
    print(f"winterop: {winterop}; {os.cpu_count()} CPUs; {load()}", flush=True)
    work = tempfile.mkdtemp(prefix="sstp-relay-bench-", dir=os.environ.get("BENCH_DIR", "/var/tmp"))
    try:
        ours = figure_a(winterop, work, args) if "a" in args.figures else None
        if "b" in args.figures:
            figure_b(winterop, work, args, ours)
        if "c" in args.figures:
            figure_c(winterop, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
