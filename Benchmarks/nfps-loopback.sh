#!/usr/bin/env bash
# MS-NFPS end to end: a raw package (1 GiB by default) from `winterop nfps send` to
# `winterop nfps receive` over loopback, beside three floors measured in the same run:
# `openssl speed -evp aes-128-cbc` (encryption, 16 KiB blocks), `openssl enc` of the same
# file (reading it and encrypting it, one thread, no network) and a plain loopback TCP
# copy of the same file (read, send, receive, write; Python with 1 MiB buffers).
# Peak resident memory and CPU seconds of both winterop processes from /usr/bin/time,
# and the load average beside the figures. --no-sha256 runs both sides without the
# package digest (the received file is then compared with cmp).
#
#   swift build -c release --product winterop && Benchmarks/nfps-loopback.sh [MiB] [--no-sha256]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
winterop=${WINTEROP:-$here/../.build/release/winterop}
mib=${1:-1024}
digest=${2:-}
[ -z "$digest" ] || [ "$digest" = --no-sha256 ] || { echo "usage: $0 [MiB] [--no-sha256]" >&2; exit 2; }
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

# Floor 1b: OpenSSL encrypting the same file on one thread (`openssl enc`: read from
# tmpfs, one AES-128-CBC chain, output to /dev/null, 1 MiB buffers). Unlike `openssl
# speed`, whose 16 KiB stay in the core's cache, this reads the input as a sender must.
enc_start=$(date +%s.%N)
openssl enc -aes-128-cbc -nopad -bufsize 1048576 -K "$secret" -iv 00000000000000000000000000000000 \
  -in "$dir/package.bin" -out /dev/null
enc_end=$(date +%s.%N)
enc_mbs=$(awk -v b=$bytes -v s=$enc_start -v e=$enc_end 'BEGIN { printf "%.0f", b / (e - s) / 1e6 }')

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
/usr/bin/time -f "%M %U %S" -o "$dir/send.rss" "$winterop" nfps send --listen 127.0.0.1:0 --json $digest \
  --session-id $id --secret $secret --raw "$dir/package.bin" > "$dir/send.log" 2> "$dir/send.err" &
sender=$!
for _ in $(seq 100); do grep -q '"port"' "$dir/send.log" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$dir/send.log" | head -1)
start=$(date +%s.%N)
/usr/bin/time -f "%M %U %S" -o "$dir/recv.rss" "$winterop" nfps receive --to 127.0.0.1:$port --json $digest \
  --session-id $id --secret $secret --out "$dir/inbox" --raw > "$dir/recv.log" 2> "$dir/recv.err"
end=$(date +%s.%N)
wait $sender
load=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -z "$digest" ]; then
  sent_sha=$(sed -n 's/.*"event":"done".*"sha256":"\([0-9a-f]*\)".*/\1/p' "$dir/send.log")
  recv_sha=$(sed -n 's/.*"event":"done".*"sha256":"\([0-9a-f]*\)".*/\1/p' "$dir/recv.log")
  file_sha=$(sha256sum "$dir/package.bin" | cut -d' ' -f1)
  [ "$sent_sha" = "$file_sha" ] && [ "$recv_sha" = "$file_sha" ] || { echo "digests differ: $file_sha $sent_sha $recv_sha" >&2; exit 1; }
  checked="SHA-256 checked on both sides"
else
  cmp -s "$dir/package.bin" "$dir/inbox/package.opc" || { echo "the received package differs" >&2; exit 1; }
  checked="--no-sha256, compared with cmp"
fi
seconds=$(sed -n 's/.*"event":"done".*"seconds":\([0-9.]*\).*/\1/p' "$dir/recv.log")
nfps_mbs=$(awk -v b=$bytes -v s=$seconds 'BEGIN { printf "%.0f", b / s / 1e6 }')
wall_mbs=$(awk -v b=$bytes -v s=$start -v e=$end 'BEGIN { printf "%.0f", b / (e - s) / 1e6 }')
echo "package:                  $mib MiB raw, $checked (load average $load)"
echo "nfps send → receive:      $nfps_mbs MB/s (transfer; $wall_mbs MB/s including connect and process start)"
echo "openssl aes-128-cbc 16K:  $openssl_mbs MB/s   ratio $(awk -v a=$nfps_mbs -v b=$openssl_mbs 'BEGIN { printf "%.2f", a / b }')"
echo "openssl enc of the file:  $enc_mbs MB/s   ratio $(awk -v a=$nfps_mbs -v b=$enc_mbs 'BEGIN { printf "%.2f", a / b }') (read + encrypt on one thread, no network)"
echo "plain loopback TCP copy:  $tcp_mbs MB/s   ratio $(awk -v a=$nfps_mbs -v b=$tcp_mbs 'BEGIN { printf "%.2f", a / b }')"
read -r send_rss send_user send_sys < <(tail -1 "$dir/send.rss")
read -r recv_rss recv_user recv_sys < <(tail -1 "$dir/recv.rss")
echo "peak RSS: sender $(( send_rss / 1024 )) MiB, receiver $(( recv_rss / 1024 )) MiB"
echo "CPU per GiB: sender $(awk -v u=$send_user -v s=$send_sys -v m=$mib 'BEGIN { printf "%.2f", (u + s) * 1024 / m }') s," \
  "receiver $(awk -v u=$recv_user -v s=$recv_sys -v m=$mib 'BEGIN { printf "%.2f", (u + s) * 1024 / m }') s" \
  "→ at most $(awk -v a=$send_user -v b=$send_sys -v c=$recv_user -v d=$recv_sys -v m=$mib -v o=$openssl_mbs \
       'BEGIN { mb = m * 1048576 / 1e6; t = (a + b + c + d) / 2; if (t < mb / o) t = mb / o; printf "%.0f MB/s, %.2f ×", mb / t, mb / t / o }') openssl on an idle 2-core machine"
