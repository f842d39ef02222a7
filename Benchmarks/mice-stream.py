#!/usr/bin/env python3
"""MS-MICE projection stream figures (issue 15), between real release processes.

    swift build -c release --product winterop
    python3 Benchmarks/mice-stream.py [--winterop PATH] [--rates 100,200] [--seconds 6] [--runs 3]

For each rate and mode (the stream in clear, then each datagram a DTLS record of a
PIN-paired session), `winterop mice source --media FILE.ts --loop --rate-mbps R` projects a
generated MPEG-TS file to `winterop mice sink --player none`. Measured over --seconds after
a one-second warm-up, from the sink's `stream_stats` events (transport-stream bytes
delivered in order, loss) and its CPU time (/proc/PID/stat, user + system):
  - Mbit/s of transport stream the sink delivered, and its loss;
  - the sink's CPU time per Mbit and its share of one core;
beside the floor measured in the same run: the same source (same rate, same datagrams,
same DTLS records) sending to a bare C `recv(2)` loop instead (the sink started with
`--rtp-advertise-port` naming that loop's port), whose CPU per Mbit is the kernel's UDP
receive cost. The median run (by the sink's CPU per Mbit) is printed with the load average
read at that moment; the machine is shared.
"""
import argparse, json, os, queue, shutil, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from process_figures import cpu_seconds, load, winterop_path  # noqa: E402

FLOOR_C = r"""
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
int main(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct timeval tick = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("bind"); return 1; }
    socklen_t length = sizeof address;
    getsockname(fd, (struct sockaddr *)&address, &length);
    printf("%d\n", ntohs(address.sin_port));
    fflush(stdout);
    static char buffer[65536];
    long long datagrams = 0, bytes = 0;
    struct timespec last, now;
    clock_gettime(CLOCK_MONOTONIC, &last);
    for (;;) {
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n > 0) { datagrams++; bytes += n; }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((now.tv_sec - last.tv_sec) * 1000000000LL + (now.tv_nsec - last.tv_nsec) >= 1000000000LL) {
            printf("{\"event\":\"stream_stats\",\"packets\":%lld,\"bytes\":%lld,\"lost\":0}\n", datagrams, datagrams * 1316);
            fflush(stdout);
            last = now;
        }
    }
}
"""

TS_PACKET = 188
PCR_EVERY = 20


def ts_file(path, megabytes, mbps):
    """An MPEG-TS file: PID 0x1011 with a PCR every 20 packets, paced for `mbps`."""
    count = megabytes * 1_000_000 // TS_PACKET
    seconds_per_packet = TS_PACKET * 8 / (mbps * 1e6)
    body = bytes(range(256))
    with open(path, "wb") as f:
        for i in range(count):
            cc = i & 0x0F
            if i % PCR_EVERY == 0:
                pcr = int(i * seconds_per_packet * 27_000_000)
                base, ext = pcr // 300, pcr % 300
                field = bytes([7, 0x10, (base >> 25) & 0xFF, (base >> 17) & 0xFF, (base >> 9) & 0xFF,
                               (base >> 1) & 0xFF, ((base & 1) << 7) | 0x7E | (ext >> 8), ext & 0xFF])
                packet = bytes([0x47, 0x10, 0x11, 0x30 | cc]) + field
            else:
                packet = bytes([0x47, 0x10, 0x11, 0x10 | cc])
            f.write(packet + body[: TS_PACKET - len(packet)])


class Events:
    """A child's JSON lines, each with the time it was read and the child's CPU time then."""

    def __init__(self, process, cpu_of=None):
        self.process = process
        self.lines = queue.Queue()
        cpu_of = cpu_of or process.pid
        def read():
            for line in process.stdout:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                try:
                    cpu = cpu_seconds(cpu_of)
                except OSError:
                    cpu = None
                self.lines.put((time.perf_counter(), cpu, json.loads(line)))
        threading.Thread(target=read, daemon=True).start()

    def wait(self, name, timeout=30):
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no {name} event")
            t, cpu, event = self.lines.get(timeout=left)
            if event.get("event") == name:
                return t, cpu, event


def measure(stats, warmup, seconds):
    """(Mbit/s, CPU s per Mbit, share of a core, loss) from the stats after `warmup`."""
    t0, cpu0, first = stats.wait("stream_stats")
    while t0 < warmup:
        t0, cpu0, first = stats.wait("stream_stats")
    t1, cpu1, last = t0, cpu0, first
    while t1 - t0 < seconds:
        t1, cpu1, last = stats.wait("stream_stats")
    mbit = (last["bytes"] - first["bytes"]) * 8 / 1e6
    packets = last["packets"] - first["packets"]
    lost = last.get("lost", 0) - first.get("lost", 0)
    return mbit / (t1 - t0), (cpu1 - cpu0) / max(mbit, 1e-9), (cpu1 - cpu0) / (t1 - t0), lost / max(packets + lost, 1)


def run(winterop, media, rate, encrypted, seconds, floor=None):
    """One projection; with `floor` (the C loop's process) the stream goes to it instead."""
    security = ["--pin", "13572468"] if encrypted else ["--pin", "off", "--encryption", "off"]
    sink_args = [winterop, "mice", "sink", "--listen", "127.0.0.1:0", "--json", "--no-advertise",
                 "--container-id", "5F1C2A9E-3B7D-4C8E-9A6F-0D2E4B8C1A3F", "--rtp-port", "0", "--player", "none"] + security
    if floor:
        sink_args += ["--rtp-advertise-port", str(floor[1])]
    sink = subprocess.Popen(sink_args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    sink_events = Events(sink)
    source = None
    try:
        port = sink_events.wait("listening")[2]["port"]
        source = subprocess.Popen([winterop, "mice", "source", "--sink", f"127.0.0.1:{port}", "--rtsp-listen", "127.0.0.1:0",
                                   "--media", media, "--loop", "--rate-mbps", str(rate), "--json"] + security,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        source_events = Events(source)
        started = source_events.wait("stream_started")[2]
        if started.get("encrypted") != encrypted:
            raise RuntimeError(f"the stream is {'not ' if encrypted else ''}encrypted: {started}")
        start = time.perf_counter()
        source_cpu0 = cpu_seconds(source.pid)
        stats = floor[2] if floor else sink_events
        result = measure(stats, start + 1.0, seconds)
        source_share = (cpu_seconds(source.pid) - source_cpu0) / (time.perf_counter() - start)
        return result + (source_share, load())
    finally:
        for p in (source, sink):
            if p:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()


def start_floor(binary):
    process = subprocess.Popen([binary], stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    return process, port, Events(process)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--winterop")
    parser.add_argument("--rates", default="100", help="Mbit/s, comma-separated")
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--megabytes", type=int, default=20, help="size of the generated file (sent with --loop)")
    args = parser.parse_args()
    winterop = winterop_path(args.winterop)
    work = tempfile.mkdtemp(prefix="mice-stream-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        floor_binary = os.path.join(work, "udp-floor")
        with open(floor_binary + ".c", "w") as f:
            f.write(FLOOR_C)
        subprocess.run([compiler, "-O2", "-o", floor_binary, floor_binary + ".c"], check=True)
        for rate in [float(r) for r in args.rates.split(",")]:
            media = os.path.join(work, "stream.ts")
            ts_file(media, args.megabytes, rate)
            for encrypted in (False, True):
                mode = "DTLS + PIN, one record per datagram" if encrypted else "clear"
                runs = []
                for _ in range(args.runs):
                    floor = start_floor(floor_binary)
                    try:
                        f_mbps, f_per, f_share, _, _, f_load = run(winterop, media, rate, encrypted, args.seconds, floor)
                    finally:
                        floor[0].terminate(); floor[0].wait()
                    mbps, per, share, loss, source_share, sink_load = run(winterop, media, rate, encrypted, args.seconds)
                    runs.append((per, mbps, share, loss, source_share, sink_load, f_mbps, f_per, f_share, f_load))
                    print(f"   run {mode} at {rate:.0f} Mbit/s: sink {mbps:.1f} Mbit/s, {per * 1e3:.2f} ms CPU/Mbit "
                          f"({share * 100:.1f} % of a core), loss {loss * 100:.2f} %, source {source_share * 100:.0f} % of a core "
                          f"({sink_load}); floor recv(2) loop {f_mbps:.1f} Mbit/s, {f_per * 1e3:.2f} ms CPU/Mbit ({f_load})", flush=True)
                per, mbps, share, loss, source_share, sink_load, f_mbps, f_per, f_share, f_load = sorted(runs)[len(runs) // 2]
                ratio = per / f_per if f_per > 0 else float("inf")
                print(f"{mode}, source at {rate:.0f} Mbit/s: the sink delivered {mbps:.1f} Mbit/s of transport stream "
                      f"(loss {loss * 100:.2f} %) with {per * 1e3:.2f} ms CPU per Mbit = {share * 100:.1f} % of one core "
                      f"[{sink_load}]; floor (bare recv(2) loop, same datagrams): {f_per * 1e3:.2f} ms per Mbit "
                      f"({f_share * 100:.1f} % of a core) [{f_load}]; ratio {ratio:.1f} (median of {args.runs})", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
