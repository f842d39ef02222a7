#!/usr/bin/env python3
"""Independent computation of MS-TCC revision-10.0 unpaired-flow vectors.

Reference only: UnpairedGoldenTests.swift carries the bytes this prints and does not
run Python. Reading of the spec (DESIGN.md): Timestamp is 8 bytes big-endian; the
request HMAC (K1) covers those 8 bytes; the encrypted payload is the whole
BringUpSuccessResponse message (3-byte header included), AES-256-CBC with PKCS#7 under
K2; the response HMAC (K3) covers IV || ciphertext || the client's 8 timestamp bytes.
Run: python3 unpaired_vectors.py   (needs the `cryptography` package)
"""
import hmac, hashlib, struct
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

K1 = bytes(range(0x00, 0x20))
K2 = bytes(range(0x20, 0x40))
K3 = bytes(range(0x40, 0x60))
IV = bytes(range(0x60, 0x70))
# 2024-04-23T00:00:00Z as FILETIME: (unix + 11644473600) * 10^7
UNIX = 1713830400
TIMESTAMP = (UNIX + 11644473600) * 10_000_000

def structure(type_id, value):
    return struct.pack(">BH", type_id, len(value)) + value

def message(message_id, payload):
    return struct.pack(">BH", message_id, len(payload)) + payload

ts = struct.pack(">Q", TIMESTAMP)
request_hmac = hmac.new(K1, ts, hashlib.sha256).digest()
request = message(1, structure(8, ts) + structure(9, request_hmac))

success = message(2, structure(2, b"Sample SSID") + structure(3, bytes([1, 2, 3, 4, 5, 6]))
                  + structure(4, b"secret123") + structure(5, b"Bob's phone"))
padder = padding.PKCS7(128).padder()
padded = padder.update(success) + padder.finalize()
encryptor = Cipher(algorithms.AES(K2), modes.CBC(IV)).encryptor()
ciphertext = encryptor.update(padded) + encryptor.finalize()
response_hmac = hmac.new(K3, IV + ciphertext + ts, hashlib.sha256).digest()
unpaired = message(5, structure(9, response_hmac) + structure(10, IV) + structure(11, ciphertext))

print("timestamp", TIMESTAMP)
print("request", request.hex())
print("success", success.hex())
print("unpaired", unpaired.hex())
