#ifndef WO_TLS_PSK_H
#define WO_TLS_PSK_H

#include <stddef.h>
#include <stdint.h>

/// TLS 1.2 with a pre-shared key (RFC 4279, PSK-AES-GCM cipher suites) over memory BIOs,
/// for `winterop tcc --psk`: the shell moves bytes between the socket and the engine.
typedef struct wo_tls_psk wo_tls_psk;

/// A new engine; the key (1-256 bytes) and identity are copied. NULL on failure (err filled).
wo_tls_psk *_Nullable wo_tls_psk_new(int is_server, const uint8_t *_Nonnull key, size_t key_length,
                                     const char *_Nonnull identity, char *_Nonnull err, size_t errlen);
void wo_tls_psk_free(wo_tls_psk *_Nullable tls);

/// Hands bytes from the network to the engine.
int wo_tls_psk_feed(wo_tls_psk *_Nonnull tls, const uint8_t *_Nonnull input, size_t length);

/// Advances the handshake: 1 complete, 0 needs more input, -1 failed (err filled).
int wo_tls_psk_handshake(wo_tls_psk *_Nonnull tls, char *_Nonnull err, size_t errlen);

/// Decrypted bytes: >0 count, 0 none yet, -1 failed (err filled), -2 the peer sent close_notify.
int wo_tls_psk_read(wo_tls_psk *_Nonnull tls, uint8_t *_Nonnull out, size_t capacity, char *_Nonnull err, size_t errlen);

/// Encrypts `length` bytes: 0 on success, -1 failed (err filled).
int wo_tls_psk_write(wo_tls_psk *_Nonnull tls, const uint8_t *_Nonnull input, size_t length, char *_Nonnull err, size_t errlen);

/// Sends close_notify (its bytes then wait in the output).
void wo_tls_psk_close(wo_tls_psk *_Nonnull tls);

/// Bytes waiting to go to the network, and taking them.
size_t wo_tls_psk_pending_output(const wo_tls_psk *_Nonnull tls);
size_t wo_tls_psk_take_output(wo_tls_psk *_Nonnull tls, uint8_t *_Nonnull out, size_t capacity);

/// The negotiated cipher suite's name.
const char *_Nonnull wo_tls_psk_cipher(const wo_tls_psk *_Nonnull tls);

#endif
