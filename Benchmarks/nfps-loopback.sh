#!/usr/bin/env bash
# MS-NFPS end to end: a raw package (1 GiB by default) from `winterop nfps send` to
# `winterop nfps receive` over loopback, beside two floors measured in the same run:
# `openssl speed -evp aes-128-cbc` (encryption, 16 KiB blocks) and a plain loopback TCP
# copy of the same file (read, send, receive, write; Python with 1 MiB buffers).
# Peak resident memory of both winterop processes from /usr/bin/time.
#
#   swift build -c release --product winterop && Benchmarks/nfps-loopback.sh [MiB]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
winterop=${WINTEROP:-$here/../.build/release/winterop}
mib=${1:-1024}
# In memory (/dev/shm) where there is one, so that the disk is not what is measured.
base=${NFPS_BENCH_DIR:-$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp )}
dir=$(mktemp -d "$base/nfps-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
id=0123456789abcdef
secret=000102030405060708090a0b0c0d0e0f

head -c $((mib << 20)) /dev/urandom > "$dir/package.bin"
bytes=$((mib << 20))

# Floor 1: AES-128-CBC encryption in OpenSSL, 16 KiB blocks (kB/s → MB/s).
openssl_mbs=$(openssl speed -evp aes-128-cbc -bytes 16384 -seconds 3 2>/dev/null \
  | awk 'tolower($1) ~ /^aes-128-cbc$/ { v = $NF } END { sub(/k$/, "", v); printf "%.0f", v / 1000 }')

# Floor 2: plain loopback TCP copy of the same file.
tcp_mbs=$(python3 - "$dir/package.bin" "$dir/copy.bin" <<'PY'
import socket, sys, threading, time
src, dst = sys.argv[1], sys.argv[2]
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(1)
port = server.getsockname()[1]
def receive():
    conn, _ = server.accept()
    buf = bytearray(1 << 20); view = memoryview(buf)
    with open(dst, "wb") as out:
        while True:
            n = conn.recv_into(view)
            if n == 0: break
            out.write(view[:n])
    conn.close()
t = threading.Thread(target=receive); t.start()
start = time.monotonic()
c = socket.create_connection(("127.0.0.1", port))
with open(src, "rb") as f:
    while True:
        chunk = f.read(1 << 20)
        if not chunk: break
        c.sendall(chunk)
c.close(); t.join()
import os
print("%.0f" % (os.path.getsize(src) / (time.monotonic() - start) / 1e6))
PY
)
rm -f "$dir/copy.bin"

# winterop: send → receive.
/usr/bin/time -f "%M" -o "$dir/send.rss" "$winterop" nfps send --listen 127.0.0.1:0 --json \
  --session-id $id --secret $secret --raw "$dir/package.bin" > "$dir/send.log" 2> "$dir/send.err" &
sender=$!
for _ in $(seq 100); do grep -q '"port"' "$dir/send.log" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$dir/send.log" | head -1)
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$dir/recv.rss" "$winterop" nfps receive --to 127.0.0.1:$port --json \
  --session-id $id --secret $secret --out "$dir/inbox" --raw > "$dir/recv.log" 2> "$dir/recv.err"
end=$(date +%s.%N)
wait $sender
sent_sha=$(sed -n 's/.*"event":"done".*"sha256":"\([0-9a-f]*\)".*/\1/p' "$dir/send.log")
recv_sha=$(sed -n 's/.*"event":"done".*"sha256":"\([0-9a-f]*\)".*/\1/p' "$dir/recv.log")
file_sha=$(sha256sum "$dir/package.bin" | cut -d' ' -f1)
[ "$sent_sha" = "$file_sha" ] && [ "$recv_sha" = "$file_sha" ] || { echo "digests differ: $file_sha $sent_sha $recv_sha" >&2; exit 1; }
seconds=$(sed -n 's/.*"event":"done".*"seconds":\([0-9.]*\).*/\1/p' "$dir/recv.log")
nfps_mbs=$(awk -v b=$bytes -v s=$seconds 'BEGIN { printf "%.0f", b / s / 1e6 }')
wall_mbs=$(awk -v b=$bytes -v s=$start -v e=$end 'BEGIN { printf "%.0f", b / (e - s) / 1e6 }')
echo "package:                  $mib MiB raw, SHA-256 checked on both sides"
echo "nfps send → receive:      $nfps_mbs MB/s (transfer; $wall_mbs MB/s including connect and process start)"
echo "openssl aes-128-cbc 16K:  $openssl_mbs MB/s   ratio $(awk -v a=$nfps_mbs -v b=$openssl_mbs 'BEGIN { printf "%.2f", a / b }')"
echo "plain loopback TCP copy:  $tcp_mbs MB/s   ratio $(awk -v a=$nfps_mbs -v b=$tcp_mbs 'BEGIN { printf "%.2f", a / b }')"
echo "peak RSS: sender $(( $(cat "$dir/send.rss") / 1024 )) MiB, receiver $(( $(cat "$dir/recv.rss") / 1024 )) MiB"
