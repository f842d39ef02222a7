"""An independent MS-MICE sink for interoperability tests: the DTLS server is
pyOpenSSL with a self-signed certificate made by `cryptography`; the framing is
written here from MS-MICE 2.2 and DESIGN.md.

usage: pyopenssl_mice_sink.py BIND_ADDRESS PIN
Prints {"port": N} once listening, then one JSON object with what happened.
"""
import datetime
import hashlib
import json
import socket
import struct
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from OpenSSL import SSL, crypto

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from pyopenssl_mice_source import drain, frame, parse_tlvs, read_frame, split_records, tlv  # noqa: E402


def certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pyopenssl-sink")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return crypto.X509.from_cryptography(cert), crypto.PKey.from_cryptography_key(key)


def main():
    bind, pin = sys.argv[1], sys.argv[2]
    result = {"sessionRequest": False, "handshake": False, "pinAccepted": False, "rtspConnected": False, "stopProjection": False}
    server = socket.socket()
    server.bind((bind, 0))
    server.listen(1)
    server.settimeout(10)
    print(json.dumps({"port": server.getsockname()[1]}), flush=True)
    sock, peer = server.accept()
    sock.settimeout(5)
    source_ip = socket.inet_aton(peer[0])
    sink_ip = socket.inet_aton(sock.getsockname()[0])
    command, payload = read_frame(sock)
    if command == 4:
        result["sessionRequest"] = parse_tlvs(payload)[5][0] & 0x03 == 0x03
        command, payload = read_frame(sock)
    cert, key = certificate()
    context = SSL.Context(SSL.DTLS_METHOD)
    context.use_certificate(cert)
    context.use_privatekey(key)
    context.set_tlsext_use_srtp(b"SRTP_AES128_CM_SHA1_80")
    connection = SSL.Connection(context, None)
    connection.set_accept_state()
    while True:
        if command != 3:
            raise RuntimeError("expected SECURITY_HANDSHAKE, got command %d" % command)
        connection.bio_write(parse_tlvs(payload)[4])
        done = False
        try:
            connection.do_handshake()
            done = True
        except SSL.WantReadError:
            pass
        for record in split_records(drain(connection)):
            sock.sendall(frame(3, tlv(4, record)))
        if done:
            break
        command, payload = read_frame(sock)
    result["handshake"] = True

    def seal(plaintext):
        connection.write(plaintext)
        return split_records(drain(connection))[0]

    def open_record(record):
        connection.bio_write(record)
        return connection.read(65536)

    command, payload = read_frame(sock)
    items = parse_tlvs(open_record(payload))
    if command == 5 and items.get(6) == hashlib.sha256(pin.encode("ascii") + source_ip).digest():
        result["pinAccepted"] = True
        answer = tlv(6, hashlib.sha256(pin.encode("ascii") + sink_ip).digest()) + tlv(7, b"\x00") + tlv(3, items[3])
        sock.sendall(frame(6, seal(answer)))
        command, payload = read_frame(sock)
        ready = parse_tlvs(open_record(payload))
        if command == 1:
            port = struct.unpack(">H", ready[2])[0]
            rtsp = socket.create_connection((peer[0], port), timeout=5)
            result["rtspConnected"] = True
            command, payload = read_frame(sock)
            result["stopProjection"] = command == 2 and 3 in parse_tlvs(open_record(payload))
            rtsp.close()
    else:
        sock.sendall(frame(6, seal(tlv(7, b"\x01"))))
    sock.close()
    print(json.dumps(result), flush=True)
    return 0 if result["stopProjection"] else 1


if __name__ == "__main__":
    sys.exit(main())
