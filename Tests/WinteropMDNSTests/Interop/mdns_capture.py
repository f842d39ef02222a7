"""Prints every datagram that reaches UDP PORT for SECONDS as "SOURCEPORT HEX" lines
(stdlib only). With a third argument it joins 224.0.0.251 on 127.0.0.1 and shares the
port (SO_REUSEPORT), as an mDNS listener does.

usage: mdns_capture.py PORT SECONDS [group]
"""
import socket, sys, time, struct
port = int(sys.argv[1]); seconds = float(sys.argv[2]); group = len(sys.argv) > 3
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind(("0.0.0.0", port))
if group:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("224.0.0.251") + socket.inet_aton("127.0.0.1"))
s.settimeout(0.2)
print("ready", flush=True)
end = time.time() + seconds
while time.time() < end:
    try:
        data, addr = s.recvfrom(9000)
    except socket.timeout:
        continue
    print(addr[1], data.hex(), flush=True)

