"""An independent MS-MICE source for interoperability tests: the DTLS client is
pyOpenSSL (OpenSSL through Python's cffi binding, no winterop code), the framing is
written here from MS-MICE 2.2 and DESIGN.md (each DTLS record in its own
SECURITY_HANDSHAKE; after the handshake a TLVArray is one application-data record
behind a clear 4-byte header).

usage: pyopenssl_mice_source.py SINK_HOST SINK_PORT PIN BIND_ADDRESS
Prints one JSON object with what happened; exit status 0 when the sink connected back.
"""
import hashlib
import json
import os
import socket
import struct
import sys
import time

from OpenSSL import SSL


def frame(command, payload):
    return struct.pack(">HBB", 4 + len(payload), 1, command) + payload


def tlv(kind, value):
    return struct.pack(">BH", kind, len(value)) + value


def read_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError("the sink closed the connection")
        data += chunk
    return data


def read_frame(sock):
    header = read_exact(sock, 4)
    size, version, command = struct.unpack(">HBB", header)
    return command, read_exact(sock, size - 4)


def parse_tlvs(data):
    items, offset = {}, 0
    while offset < len(data):
        kind, length = struct.unpack(">BH", data[offset:offset + 3])
        items[kind] = data[offset + 3:offset + 3 + length]
        offset += 3 + length
    return items


def split_records(data):
    records, offset = [], 0
    while offset + 13 <= len(data):
        length = struct.unpack(">H", data[offset + 11:offset + 13])[0]
        records.append(data[offset:offset + 13 + length])
        offset += 13 + length
    return records


def drain(connection):
    out = b""
    while True:
        try:
            out += connection.bio_read(65536)
        except SSL.WantReadError:
            return out


def main():
    sink_host, sink_port, pin, bind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    result = {"handshake": False, "pinAccepted": False, "rtspConnected": False}
    source_id = os.urandom(16)
    rtsp = socket.socket()
    rtsp.bind((bind, 0))
    rtsp.listen(1)
    rtsp.settimeout(5)
    sock = socket.create_connection((sink_host, sink_port), timeout=5, source_address=(bind, 0))
    source_ip = socket.inet_aton(sock.getsockname()[0])
    sink_ip = socket.inet_aton(sock.getpeername()[0])
    # SESSION_REQUEST: UseDtlsStreamEncryption | SinkDisplaysPin (2.2.4, 2.2.7.5).
    sock.sendall(frame(4, tlv(5, b"\x03") + tlv(0, "pyOpenSSL source".encode("utf-16-le")) + tlv(3, source_id)))

    context = SSL.Context(SSL.DTLS_METHOD)
    context.set_tlsext_use_srtp(b"SRTP_AES128_CM_SHA1_80")
    connection = SSL.Connection(context, None)
    connection.set_connect_state()
    done = False
    while not done:
        try:
            connection.do_handshake()
            done = True
        except SSL.WantReadError:
            pass
        for record in split_records(drain(connection)):
            sock.sendall(frame(3, tlv(4, record) + tlv(3, source_id)))
        if done:
            break
        command, payload = read_frame(sock)
        if command != 3:
            raise RuntimeError("expected SECURITY_HANDSHAKE, got command %d" % command)
        connection.bio_write(parse_tlvs(payload)[4])
    result["handshake"] = True
    result["cipher"] = connection.get_cipher_name()
    result["protocol"] = connection.get_protocol_version_name()

    def seal(plaintext):
        connection.write(plaintext)
        records = split_records(drain(connection))
        assert len(records) == 1, "one TLVArray is one record"
        return records[0]

    def open_record(record):
        connection.bio_write(record)
        return connection.read(65536)

    challenge = hashlib.sha256(pin.encode("ascii") + source_ip).digest()
    sock.sendall(frame(5, seal(tlv(6, challenge) + tlv(3, source_id))))
    command, payload = read_frame(sock)
    if command != 6:
        raise RuntimeError("expected PIN_RESPONSE, got command %d" % command)
    response = parse_tlvs(open_record(payload))
    result["pinReason"] = response[7][0]
    result["pinAccepted"] = response[7][0] == 0 and response.get(6) == hashlib.sha256(pin.encode("ascii") + sink_ip).digest()
    if result["pinAccepted"]:
        port = rtsp.getsockname()[1]
        sock.sendall(frame(1, seal(tlv(2, struct.pack(">H", port)) + tlv(3, source_id))))
        try:
            accepted, _ = rtsp.accept()
            result["rtspConnected"] = True
            time.sleep(0.2)  # project for a moment before stopping
            sock.sendall(frame(2, seal(tlv(0, "pyOpenSSL source".encode("utf-16-le")) + tlv(3, source_id))))
            accepted.close()
        except socket.timeout:
            pass
    sock.close()
    print(json.dumps(result), flush=True)
    return 0 if result["rtspConnected"] else 1


if __name__ == "__main__":
    sys.exit(main())
