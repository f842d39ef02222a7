// A small C shim over the system's OpenSSL 3 for the DTLS 1.2 that MS-MICE tunnels
// through its TCP 7250 connection (MS-MICE 2.2.3, 3.1.5.5, 3.2.5.5). OpenSSL's own
// headers stay inside the .c file, so Swift sees only these opaque handles.
//
// Every function that can fail takes `err`/`errlen`: on failure it writes a NUL-terminated
// message there (what failed, followed by OpenSSL's error queue) and clears the queue.
// None of these functions may be called concurrently on the same `wo_dtls`.

#ifndef CWINTEROP_OPENSSL_H
#define CWINTEROP_OPENSSL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A certificate and its private key (an X509 and an EVP_PKEY, reference counted).
typedef struct wo_certificate wo_certificate;

/// One DTLS connection: SSL_CTX, SSL, a memory BIO to read from and one to write to.
typedef struct wo_dtls wo_dtls;

/// Generates an EC P-256 key and a self-signed X.509 v3 certificate with subject and
/// issuer CN = `common_name`, valid from now for 365 days, signed with SHA-256.
wo_certificate *_Nullable wo_certificate_self_signed(const char *_Nonnull common_name,
                                                     char *_Nonnull err, size_t errlen);

/// Loads a PEM certificate and a PEM private key (unencrypted) and checks that they match.
wo_certificate *_Nullable wo_certificate_load_pem(const char *_Nonnull certificate_path,
                                                  const char *_Nonnull private_key_path,
                                                  char *_Nonnull err, size_t errlen);

/// Releases a certificate (endpoints that use it keep their own references).
void wo_certificate_free(wo_certificate *_Nullable certificate);

/// Writes the SHA-256 digest of the certificate's DER encoding into `out` (32 bytes).
int wo_certificate_sha256(const wo_certificate *_Nonnull certificate, uint8_t *_Nonnull out);

/// Writes the certificate as PEM into `out` if it fits; returns the PEM length (or 0 on error).
size_t wo_certificate_pem(const wo_certificate *_Nonnull certificate, char *_Nullable out, size_t capacity);

/// Creates a DTLS 1.2 endpoint (`is_server` 1 or 0). `certificate` is required for a
/// server, optional for a client. No peer verification. `srtp_profiles` (may be NULL) is
/// a colon-separated use_srtp profile list. `mtu` is the link MTU OpenSSL fragments
/// handshake messages for (no MTU query: the memory BIO has none). The DTLS timer is
/// raised far past any realistic value, so OpenSSL never retransmits a flight.
wo_dtls *_Nullable wo_dtls_new(int is_server, const wo_certificate *_Nullable certificate,
                               const char *_Nullable srtp_profiles, const char *_Nullable cipher_list, unsigned mtu,
                               char *_Nonnull err, size_t errlen);

void wo_dtls_free(wo_dtls *_Nullable dtls);

/// Writes `input` (one datagram; may be empty) into the read BIO, then advances the handshake.
/// Returns 1 when the handshake is complete, 0 when it needs more input, -1 on failure.
/// Output to send is collected with `wo_dtls_take_output`.
int wo_dtls_handshake(wo_dtls *_Nonnull dtls, const uint8_t *_Nullable input, size_t input_length,
                      char *_Nonnull err, size_t errlen);

/// 1 once SSL_is_init_finished.
int wo_dtls_is_complete(const wo_dtls *_Nonnull dtls);

/// Bytes waiting in the write BIO.
size_t wo_dtls_pending_output(const wo_dtls *_Nonnull dtls);

/// Moves up to `capacity` bytes from the write BIO into `out`; returns the count.
size_t wo_dtls_take_output(wo_dtls *_Nonnull dtls, uint8_t *_Nonnull out, size_t capacity);

/// Discards anything left in the read BIO (so one datagram never leaks into the next).
/// Returns the number of bytes that were left.
size_t wo_dtls_discard_input(wo_dtls *_Nonnull dtls);

/// SSL_write_ex of `length` bytes (1...16384): one application-data record in the write BIO.
/// Returns 1 on success, -1 on failure.
int wo_dtls_write(wo_dtls *_Nonnull dtls, const uint8_t *_Nonnull plaintext, size_t length,
                  char *_Nonnull err, size_t errlen);

/// Writes `input` (one datagram) into the read BIO and SSL_read_ex's it into `out`.
/// Returns 1 with `*out_length` bytes of plaintext, 0 if OpenSSL discarded the input (a
/// record that does not authenticate, a replay, a record of another epoch: DTLS drops
/// those silently), 2 if the peer sent close_notify, -1 on a fatal error.
int wo_dtls_read(wo_dtls *_Nonnull dtls, const uint8_t *_Nonnull input, size_t input_length,
                 uint8_t *_Nonnull out, size_t capacity, size_t *_Nonnull out_length,
                 char *_Nonnull err, size_t errlen);

/// SSL_shutdown: queues a close_notify alert in the write BIO. Returns 1 on success, -1 on failure.
int wo_dtls_shutdown(wo_dtls *_Nonnull dtls, char *_Nonnull err, size_t errlen);

/// Negotiated values after the handshake ("DTLSv1.2", the cipher's OpenSSL name, the
/// use_srtp profile name or NULL). Valid while `dtls` lives.
const char *_Nonnull wo_dtls_version(const wo_dtls *_Nonnull dtls);
const char *_Nonnull wo_dtls_cipher(const wo_dtls *_Nonnull dtls);
const char *_Nullable wo_dtls_srtp_profile(const wo_dtls *_Nonnull dtls);

/// The shortest fragment a protected record can have under the negotiated cipher, when
/// OpenSSL treats a shorter one as a fatal internal error instead of dropping it (AEAD
/// ciphers: explicit nonce + tag); 0 when shorter records are merely discarded.
size_t wo_dtls_minimum_protected_length(const wo_dtls *_Nonnull dtls);

/// Writes the SHA-256 of the peer's certificate (DER) into `out` (32 bytes); returns 1,
/// or 0 when the peer sent none.
int wo_dtls_peer_sha256(const wo_dtls *_Nonnull dtls, uint8_t *_Nonnull out);

/// Seconds until OpenSSL's DTLS retransmission timer would fire (DTLSv1_get_timeout),
/// or -1 when no timer is running.
double wo_dtls_timeout_seconds(const wo_dtls *_Nonnull dtls);

/// The timer value (in microseconds) that the shim's timer callback returns for the first
/// flight; it is doubled on each (never happening) expiry.
unsigned wo_dtls_initial_timer_us(void);

/// A complete DTLS 1.2 handshake between two SSL objects over memory BIOs, in C only
/// (the benchmark floor). `certificate` may be NULL: then one is generated. Returns 1 on
/// success, -1 on failure.
int wo_dtls_bare_handshake(const wo_certificate *_Nullable certificate, const char *_Nullable srtp_profiles,
                           char *_Nonnull err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
