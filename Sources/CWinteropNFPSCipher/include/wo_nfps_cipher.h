// MS-NFPS's stream cipher on the system's OpenSSL 3 (libcrypto's EVP AES-128-CBC): the
// same code `openssl speed -evp aes-128-cbc` measures, without the per-call copies and
// zero-fill of swift-crypto's AES._CBC. OpenSSL's headers stay inside the .c file.

#ifndef WO_NFPS_CIPHER_H
#define WO_NFPS_CIPHER_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__clang__)
#define _Nonnull
#endif

/// AES-128-CBC without padding over `length` bytes (a multiple of 16) of `input` into
/// `output` (`length` bytes; it may be `input` itself), encrypting when `encrypt` is 1,
/// decrypting when 0, from the chaining value `chain` (16 bytes). On success `chain`
/// holds the value that continues the chain (the last ciphertext block) and 1 is
/// returned; 0 when OpenSSL failed or `length` is not whole blocks.
int wo_nfps_aes128_cbc(int encrypt, const uint8_t *_Nonnull key, uint8_t *_Nonnull chain,
                       const uint8_t *_Nonnull input, uint8_t *_Nonnull output, size_t length);

#endif
