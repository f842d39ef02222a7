#!/usr/bin/env python3
"""MS-GRVSSTP relay against a Mosquitto broker, same machine, same run (issue 11, benchmark b).

    swift build -c release --product winterop
    apt-get install mosquitto mosquitto-clients        # the broker and its QoS-1 clients
    python3 Benchmarks/sstp-relay-vs-mqtt.py [--winterop PATH] [--messages 20000] [--runs 3] [--size 256]

Each run, on the same disk directory (not tmpfs: an fsync on tmpfs costs nothing):
1. `winterop sstp relay` (SQLite, WAL, synchronous FULL, group commits), the recipient
   `sstp receive --exit-after N` attached, then `sstp send --stdin-messages` deposits N
   messages of --size bytes. Timed from the deposit's start to the recipient's exit: every
   message committed, delivered and acknowledged by the recipient.
2. `mosquitto` with persistence on, a durable QoS-1 subscriber (`mosquitto_sub -q 1 -c`,
   clean session off) attached, then `mosquitto_pub -q 1 -l` publishes N messages of the
   same size. Timed from the publish's start to the subscriber's exit after N messages.
The ratio printed is ours / Mosquitto's. Mosquitto's persistence is a snapshot written
every autosave_interval (and at exit), not a commit per acknowledged message, so it
promises less than the relay: the relay acknowledges a deposit only after its commit.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, threading, time

def winterop_path(given):
    if given:
        return given
    out = subprocess.run(["swift", "build", "-c", "release", "--product", "winterop", "--show-bin-path"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(out, "winterop")

def first_event(process, name, timeout=30):
    deadline = time.time() + timeout
    for line in process.stdout:
        event = json.loads(line)
        if event.get("event") == name:
            return event
        if time.time() > deadline:
            break
    raise RuntimeError(f"no {name} event")

def drain(process):
    threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()

def stdin_messages(count, size):
    """`sstp send --stdin-messages` input: each message a 4-byte big-endian length, then its bytes."""
    payload = bytes((i * 7) & 0xFF for i in range(size))
    return (size.to_bytes(4, "big") + payload) * count

def run_sstp(winterop, directory, count, size):
    relay = subprocess.Popen([winterop, "sstp", "relay", "--listen", "127.0.0.1:0", "--relay-url", "dpp://relay",
                              "--store", f"sqlite:{directory}/relay.sqlite", "--json"], stdout=subprocess.PIPE, text=True)
    try:
        port = first_event(relay, "listening")["port"]
        drain(relay)
        receiver = subprocess.Popen([winterop, "sstp", "receive", "--relay", f"127.0.0.1:{port}", "--relay-url", "dpp://relay",
                                     "--device-url", "dpp://phone", "--identity", "grv://alice", "--exit-after", str(count), "--json"],
                                    stdout=subprocess.PIPE, text=True)
        first_event(receiver, "registered")
        drain(receiver)
        data = stdin_messages(count, size)
        start = time.perf_counter()
        sender = subprocess.run([winterop, "sstp", "send", "--to", f"127.0.0.1:{port}", "--target-device", "dpp://relay",
                                 "--device-url", "dpp://me", "--resource", "grv://bench", "--identity", "grv://alice",
                                 "--device", "dpp://phone", "--stdin-messages"], input=data, stdout=subprocess.DEVNULL)
        deposited = time.perf_counter() - start
        if sender.returncode != 0:
            raise RuntimeError(f"sstp send exited {sender.returncode}")
        if receiver.wait(timeout=600) != 0:
            raise RuntimeError(f"sstp receive exited {receiver.returncode}")
        return time.perf_counter() - start, deposited
    finally:
        relay.terminate()
        try: relay.wait(timeout=30)
        except subprocess.TimeoutExpired: relay.kill(); relay.wait()

def free_port():
    import socket
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    return port

def run_mosquitto(directory, count, size):
    port = free_port()
    config = os.path.join(directory, "mosquitto.conf")
    with open(config, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location {directory}/\n"
                "max_queued_messages 0\nmax_inflight_messages 0\n")
    broker = subprocess.Popen(["mosquitto", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", "warmup", "-m", "x", "-q", "1"],
                              stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.1)
        subscriber = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "bench", "-q", "1",
                                       "-c", "-i", "bench-subscriber", "-C", str(count)], stdout=subprocess.DEVNULL)
        time.sleep(0.5)  # the subscription is made before the first publish
        payload = (b"m" * size + b"\n") * count
        start = time.perf_counter()
        publisher = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", "bench", "-q", "1", "-l"],
                                   input=payload)
        published = time.perf_counter() - start
        if publisher.returncode != 0:
            raise RuntimeError(f"mosquitto_pub exited {publisher.returncode}")
        if subscriber.wait(timeout=600) != 0:
            raise RuntimeError(f"mosquitto_sub exited {subscriber.returncode}")
        return time.perf_counter() - start, published
    finally:
        broker.terminate(); broker.wait()

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--winterop")
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    missing = [tool for tool in ("mosquitto", "mosquitto_pub", "mosquitto_sub") if not shutil.which(tool)]
    if missing:
        sys.exit(f"sstp-relay-vs-mqtt: {', '.join(missing)} not found: apt-get install mosquitto mosquitto-clients")
    winterop = winterop_path(args.winterop)
    ratios = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="winterop-relay-mqtt-", dir=os.path.dirname(os.path.abspath(__file__))) as directory:
            os.makedirs(f"{directory}/sstp"); os.makedirs(f"{directory}/mqtt")
            sstp_seconds, deposited = run_sstp(winterop, f"{directory}/sstp", args.messages, args.size)
            mqtt_seconds, published = run_mosquitto(f"{directory}/mqtt", args.messages, args.size)
        ours, theirs = args.messages / sstp_seconds, args.messages / mqtt_seconds
        ratios.append((ours / theirs, ours, theirs, os.getloadavg()[0], args.messages / deposited))
        print(f"run {run + 1}: sstp relay {ours:,.0f} messages/s end to end (deposits acknowledged at {args.messages / deposited:,.0f}/s); "
              f"mosquitto QoS 1 {theirs:,.0f} messages/s (published at {args.messages / published:,.0f}/s); "
              f"ours / mosquitto = {ours / theirs:.2f}; load {os.getloadavg()[0]:.1f}", flush=True)
    ratio, ours, theirs, load, deposit = sorted(ratios)[len(ratios) // 2]
    print(f"median: {args.size}-byte messages, sstp relay (durable SQLite) {ours:,.0f}/s, mosquitto (QoS 1, persistence on) "
          f"{theirs:,.0f}/s: {ratio:.2f} x; load {load:.1f}")

if __name__ == "__main__":
    main()
