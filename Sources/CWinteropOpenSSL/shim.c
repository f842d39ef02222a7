// OpenSSL 3 shim for winterop's DTLS 1.2 (see include/CWinteropOpenSSL.h).
//
// Interoperability notes (DESIGN.md, "Interoperability facts"):
// - The tunnel is TCP, so the DTLS layer must never retransmit: a peer that already
//   finished its handshake tears the connection down on a repeated flight (MS-MICE
//   3.1.5.5). The timer callback returns an initial timeout of an hour, far beyond the
//   1-second Security Handshake Message Timer that tears the connection down instead;
//   DTLSv1_handle_timeout is never called.
// - Memory BIOs do not keep datagram boundaries: the caller writes exactly one tunnelled
//   payload before each SSL call and splits what the write BIO holds into whole records.

#include "CWinteropOpenSSL.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct wo_certificate {
    X509 *x509;
    EVP_PKEY *key;
};

struct wo_dtls {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rbio; // owned by ssl
    BIO *wbio; // owned by ssl
};

/// One hour, in microseconds (fits an unsigned int: 3.6e9 < 4.29e9).
static const unsigned kInitialTimerMicroseconds = 3600u * 1000000u;

unsigned wo_dtls_initial_timer_us(void) { return kInitialTimerMicroseconds; }

/// Writes `what`, then every entry of OpenSSL's error queue (which it empties), into err.
static void report(char *err, size_t errlen, const char *what) {
    if (err == NULL || errlen == 0) {
        ERR_clear_error();
        return;
    }
    size_t used = (size_t)snprintf(err, errlen, "%s", what);
    if (used >= errlen) used = errlen - 1;
    unsigned long code;
    int first = 1;
    while ((code = ERR_get_error()) != 0) {
        if (used + 8 >= errlen) continue; // keep draining the queue
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        int written = snprintf(err + used, errlen - used, "%s%s", first ? ": " : "; ", line);
        first = 0;
        if (written < 0) break;
        used += (size_t)written;
        if (used >= errlen) used = errlen - 1;
    }
}

// MARK: certificates

static int no_password(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u;
    return 0; // never prompt on a terminal for an encrypted key
}

/// Moves a certificate and its key into a new wo_certificate (clearing the caller's
/// pointers on success), or reports "out of memory" and leaves them to the caller.
static wo_certificate *certificate_take(X509 **x509, EVP_PKEY **key, char *err, size_t errlen) {
    wo_certificate *result = calloc(1, sizeof *result);
    if (result == NULL) {
        report(err, errlen, "out of memory");
        return NULL;
    }
    result->x509 = *x509;
    result->key = *key;
    *x509 = NULL;
    *key = NULL;
    return result;
}

wo_certificate *wo_certificate_self_signed(const char *common_name, char *err, size_t errlen) {
    ERR_clear_error();
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x509 = X509_new();
    BIGNUM *serial = BN_new();
    wo_certificate *result = NULL;
    if (key == NULL || x509 == NULL || serial == NULL) {
        report(err, errlen, "cannot generate an EC P-256 key");
        goto done;
    }
    X509_NAME *name = X509_get_subject_name(x509);
    if (!X509_set_version(x509, X509_VERSION_3)
        || !BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY)
        || BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x509)) == NULL
        || X509_gmtime_adj(X509_getm_notBefore(x509), 0) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x509), 365L * 24 * 3600) == NULL
        || !X509_set_pubkey(x509, key)
        || name == NULL
        || !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)common_name, -1, -1, 0)
        || !X509_set_issuer_name(x509, name)
        || X509_sign(x509, key, EVP_sha256()) == 0) {
        report(err, errlen, "cannot build the self-signed certificate");
        goto done;
    }
    result = certificate_take(&x509, &key, err, errlen);
done:
    BN_free(serial);
    X509_free(x509);
    EVP_PKEY_free(key);
    return result;
}

wo_certificate *wo_certificate_load_pem(const char *certificate_path, const char *private_key_path,
                                        char *err, size_t errlen) {
    ERR_clear_error();
    char what[600];
    X509 *x509 = NULL;
    EVP_PKEY *key = NULL;
    wo_certificate *result = NULL;
    BIO *bio = BIO_new_file(certificate_path, "r");
    if (bio == NULL) {
        snprintf(what, sizeof what, "cannot open the certificate file %s", certificate_path);
        report(err, errlen, what);
        goto done;
    }
    x509 = PEM_read_bio_X509(bio, NULL, no_password, NULL);
    BIO_free(bio);
    if (x509 == NULL) {
        snprintf(what, sizeof what, "%s holds no PEM certificate", certificate_path);
        report(err, errlen, what);
        goto done;
    }
    bio = BIO_new_file(private_key_path, "r");
    if (bio == NULL) {
        snprintf(what, sizeof what, "cannot open the private key file %s", private_key_path);
        report(err, errlen, what);
        goto done;
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    BIO_free(bio);
    if (key == NULL) {
        snprintf(what, sizeof what, "%s holds no unencrypted PEM private key", private_key_path);
        report(err, errlen, what);
        goto done;
    }
    if (X509_check_private_key(x509, key) != 1) {
        snprintf(what, sizeof what, "the private key in %s does not match the certificate in %s",
                 private_key_path, certificate_path);
        report(err, errlen, what);
        goto done;
    }
    result = certificate_take(&x509, &key, err, errlen);
done:
    X509_free(x509);
    EVP_PKEY_free(key);
    return result;
}

void wo_certificate_free(wo_certificate *certificate) {
    if (certificate == NULL) return;
    X509_free(certificate->x509);
    EVP_PKEY_free(certificate->key);
    free(certificate);
}

int wo_certificate_sha256(const wo_certificate *certificate, uint8_t *out) {
    unsigned int length = 0;
    if (X509_digest(certificate->x509, EVP_sha256(), out, &length) != 1 || length != 32) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

size_t wo_certificate_pem(const wo_certificate *certificate, char *out, size_t capacity) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return 0;
    size_t length = 0;
    if (PEM_write_bio_X509(bio, certificate->x509) == 1) {
        char *data = NULL;
        long count = BIO_get_mem_data(bio, &data);
        if (count > 0 && data != NULL) {
            length = (size_t)count;
            if (out != NULL && capacity >= length) memcpy(out, data, length);
        }
    }
    BIO_free(bio);
    ERR_clear_error();
    return length;
}

// MARK: endpoints

/// DTLS_set_timer_cb: the first call (timer_us == 0) starts the flight timer at an hour;
/// OpenSSL asks again only after an expiry, which cannot happen within a MICE session.
static unsigned int never_retransmit(SSL *ssl, unsigned int timer_us) {
    (void)ssl;
    if (timer_us == 0) return kInitialTimerMicroseconds;
    return timer_us > UINT_MAX / 2 ? UINT_MAX : timer_us * 2;
}

wo_dtls *wo_dtls_new(int is_server, const wo_certificate *certificate, const char *srtp_profiles,
                     const char *cipher_list, unsigned mtu, char *err, size_t errlen) {
    ERR_clear_error();
    wo_dtls *dtls = calloc(1, sizeof *dtls);
    if (dtls == NULL) {
        report(err, errlen, "out of memory");
        return NULL;
    }
    dtls->ctx = SSL_CTX_new(is_server ? DTLS_server_method() : DTLS_client_method());
    if (dtls->ctx == NULL) {
        report(err, errlen, "SSL_CTX_new(DTLS) failed");
        goto fail;
    }
    SSL_CTX *ctx = dtls->ctx;
    if (!SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) || !SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION)) {
        report(err, errlen, "cannot restrict the context to DTLS 1.2");
        goto fail;
    }
    // No peer verification: the shipping sink uses a self-signed certificate and checks none.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_QUERY_MTU);
    if (certificate != NULL) {
        if (SSL_CTX_use_certificate(ctx, certificate->x509) != 1
            || SSL_CTX_use_PrivateKey(ctx, certificate->key) != 1
            || SSL_CTX_check_private_key(ctx) != 1) {
            report(err, errlen, "cannot use the certificate and private key");
            goto fail;
        }
    } else if (is_server) {
        report(err, errlen, "a DTLS server needs a certificate");
        goto fail;
    }
    // SSL_CTX_set_tlsext_use_srtp returns 0 on success.
    if (srtp_profiles != NULL && SSL_CTX_set_tlsext_use_srtp(ctx, srtp_profiles) != 0) {
        char what[300];
        snprintf(what, sizeof what, "OpenSSL does not accept the use_srtp profile list \"%s\"", srtp_profiles);
        report(err, errlen, what);
        goto fail;
    }
    if (cipher_list != NULL && SSL_CTX_set_cipher_list(ctx, cipher_list) != 1) {
        char what[300];
        snprintf(what, sizeof what, "OpenSSL does not accept the cipher list \"%s\"", cipher_list);
        report(err, errlen, what);
        goto fail;
    }
    dtls->ssl = SSL_new(ctx);
    dtls->rbio = BIO_new(BIO_s_mem());
    dtls->wbio = BIO_new(BIO_s_mem());
    if (dtls->ssl == NULL || dtls->rbio == NULL || dtls->wbio == NULL) {
        BIO_free(dtls->rbio);
        BIO_free(dtls->wbio);
        dtls->rbio = dtls->wbio = NULL;
        report(err, errlen, "SSL_new or BIO_new failed");
        goto fail;
    }
    // An empty read BIO means "retry later", not end of file.
    BIO_set_mem_eof_return(dtls->rbio, -1);
    BIO_set_mem_eof_return(dtls->wbio, -1);
    SSL_set_bio(dtls->ssl, dtls->rbio, dtls->wbio);
    if (SSL_set_mtu(dtls->ssl, mtu) <= 0) { // returns the MTU it set, 0 when too small
        char what[120];
        snprintf(what, sizeof what, "OpenSSL refuses the MTU %u (too small)", mtu);
        report(err, errlen, what);
        goto fail;
    }
    DTLS_set_timer_cb(dtls->ssl, never_retransmit);
    if (is_server)
        SSL_set_accept_state(dtls->ssl);
    else
        SSL_set_connect_state(dtls->ssl);
    return dtls;
fail:
    wo_dtls_free(dtls);
    return NULL;
}

void wo_dtls_free(wo_dtls *dtls) {
    if (dtls == NULL) return;
    SSL_free(dtls->ssl); // frees both BIOs
    SSL_CTX_free(dtls->ctx);
    free(dtls);
}

static int feed(wo_dtls *dtls, const uint8_t *input, size_t input_length, char *err, size_t errlen) {
    if (input_length == 0) return 1;
    if (input_length > INT_MAX || BIO_write(dtls->rbio, input, (int)input_length) != (int)input_length) {
        report(err, errlen, "cannot queue the payload in the read BIO");
        return 0;
    }
    return 1;
}

static void describe_failure(wo_dtls *dtls, int ssl_error, const char *operation, char *err, size_t errlen) {
    char what[200];
    const char *kind;
    switch (ssl_error) {
    case SSL_ERROR_SSL: kind = "protocol error"; break;
    case SSL_ERROR_SYSCALL: kind = "I/O error"; break;
    case SSL_ERROR_ZERO_RETURN: kind = "the peer closed the connection (close_notify)"; break;
    default: kind = "unexpected SSL_get_error"; break;
    }
    snprintf(what, sizeof what, "%s failed (%s, SSL_get_error %d, state %s)", operation, kind, ssl_error,
             SSL_state_string_long(dtls->ssl));
    report(err, errlen, what);
}

int wo_dtls_handshake(wo_dtls *dtls, const uint8_t *input, size_t input_length, char *err, size_t errlen) {
    ERR_clear_error();
    if (!feed(dtls, input, input_length, err, errlen)) return -1;
    int result = SSL_do_handshake(dtls->ssl);
    if (result == 1) return 1;
    int ssl_error = SSL_get_error(dtls->ssl, result);
    if (ssl_error == SSL_ERROR_WANT_READ || ssl_error == SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return 0;
    }
    describe_failure(dtls, ssl_error, "DTLS handshake", err, errlen);
    return -1;
}

int wo_dtls_is_complete(const wo_dtls *dtls) { return SSL_is_init_finished(dtls->ssl) ? 1 : 0; }

size_t wo_dtls_pending_output(const wo_dtls *dtls) { return BIO_ctrl_pending(dtls->wbio); }

size_t wo_dtls_take_output(wo_dtls *dtls, uint8_t *out, size_t capacity) {
    size_t total = 0;
    while (total < capacity && BIO_ctrl_pending(dtls->wbio) > 0) {
        size_t chunk = capacity - total;
        if (chunk > INT_MAX) chunk = INT_MAX;
        int count = BIO_read(dtls->wbio, out + total, (int)chunk);
        if (count <= 0) break;
        total += (size_t)count;
    }
    return total;
}

size_t wo_dtls_discard_input(wo_dtls *dtls) {
    size_t left = BIO_ctrl_pending(dtls->rbio);
    if (left > 0) (void)BIO_reset(dtls->rbio);
    return left;
}

int wo_dtls_write(wo_dtls *dtls, const uint8_t *plaintext, size_t length, char *err, size_t errlen) {
    ERR_clear_error();
    size_t written = 0;
    int result = SSL_write_ex(dtls->ssl, plaintext, length, &written);
    if (result == 1 && written == length) return 1;
    describe_failure(dtls, SSL_get_error(dtls->ssl, result), "SSL_write", err, errlen);
    return -1;
}

int wo_dtls_read(wo_dtls *dtls, const uint8_t *input, size_t input_length, uint8_t *out, size_t capacity,
                 size_t *out_length, char *err, size_t errlen) {
    ERR_clear_error();
    *out_length = 0;
    if (!feed(dtls, input, input_length, err, errlen)) return -1;
    int result = SSL_read_ex(dtls->ssl, out, capacity, out_length);
    if (result == 1) return 1;
    int ssl_error = SSL_get_error(dtls->ssl, result);
    if (ssl_error == SSL_ERROR_WANT_READ) {
        ERR_clear_error();
        return 0;
    }
    if (ssl_error == SSL_ERROR_ZERO_RETURN) {
        ERR_clear_error();
        return 2;
    }
    describe_failure(dtls, ssl_error, "SSL_read", err, errlen);
    return -1;
}

int wo_dtls_shutdown(wo_dtls *dtls, char *err, size_t errlen) {
    ERR_clear_error();
    int result = SSL_shutdown(dtls->ssl); // 0: close_notify sent, waiting for the peer's; 1: both done
    if (result >= 0) return 1;
    describe_failure(dtls, SSL_get_error(dtls->ssl, result), "SSL_shutdown", err, errlen);
    return -1;
}

const char *wo_dtls_version(const wo_dtls *dtls) { return SSL_get_version(dtls->ssl); }

const char *wo_dtls_cipher(const wo_dtls *dtls) {
    const char *name = SSL_get_cipher_name(dtls->ssl);
    return name != NULL ? name : "(NONE)";
}

const char *wo_dtls_srtp_profile(const wo_dtls *dtls) {
    SRTP_PROTECTION_PROFILE *profile = SSL_get_selected_srtp_profile(dtls->ssl);
    return profile != NULL ? profile->name : NULL;
}

size_t wo_dtls_minimum_protected_length(const wo_dtls *dtls) {
    // OpenSSL 3.0 answers some records that are too short for the cipher with SSLfatal
    // instead of DTLS's silent discard, so one short record from the network would kill
    // the connection: AEAD ciphers fail EVP_CTRL_AEAD_TLS1_AAD below explicit nonce + tag
    // (tls1_enc: internal error); CBC ciphers fail below the MAC size (+1 without
    // encrypt-then-MAC: "length too short"). The minimum returned is below every valid
    // record's length and at or above those thresholds.
    const SSL_CIPHER *cipher = SSL_get_current_cipher(dtls->ssl);
    if (cipher == NULL) return 0;
    const char *name = SSL_CIPHER_get_name(cipher);
    if (SSL_CIPHER_is_aead(cipher)) {
        if (strstr(name, "CHACHA20") != NULL) return 16; // no explicit nonce, 16-byte tag
        if (strstr(name, "CCM8") != NULL) return 8 + 8;  // 8-byte explicit nonce, 8-byte tag
        return 8 + 16;                                    // GCM and CCM: 8-byte nonce, 16-byte tag
    }
    const EVP_MD *digest = EVP_get_digestbynid(SSL_CIPHER_get_digest_nid(cipher));
    const EVP_CIPHER *evp = EVP_get_cipherbynid(SSL_CIPHER_get_cipher_nid(cipher));
    int mac = digest != NULL ? EVP_MD_get_size(digest) : EVP_MAX_MD_SIZE;
    int block = evp != NULL ? EVP_CIPHER_get_block_size(evp) : 16;
    if (mac < 0) mac = EVP_MAX_MD_SIZE;
    if (block < 1) block = 16;
    ERR_clear_error();
    return (size_t)block + (size_t)mac + 1; // explicit IV + MAC + at least one padding byte
}

int wo_dtls_peer_sha256(const wo_dtls *dtls, uint8_t *out) {
    X509 *peer = SSL_get0_peer_certificate(dtls->ssl);
    unsigned int length = 0;
    if (peer == NULL) return 0;
    if (X509_digest(peer, EVP_sha256(), out, &length) != 1 || length != 32) {
        ERR_clear_error();
        return 0;
    }
    return 1;
}

double wo_dtls_timeout_seconds(const wo_dtls *dtls) {
    struct timeval remaining;
    if (DTLSv1_get_timeout(dtls->ssl, &remaining) != 1) return -1;
    return (double)remaining.tv_sec + (double)remaining.tv_usec / 1e6;
}

// MARK: the benchmark floor

int wo_dtls_bare_handshake(const wo_certificate *certificate, const char *srtp_profiles, char *err, size_t errlen) {
    wo_certificate *generated = NULL;
    if (certificate == NULL) {
        generated = wo_certificate_self_signed("winterop bare handshake", err, errlen);
        if (generated == NULL) return -1;
        certificate = generated;
    }
    int status = -1;
    const size_t capacity = 65536;
    uint8_t *buffer = malloc(capacity);
    wo_dtls *client = wo_dtls_new(0, NULL, srtp_profiles, NULL, 1400, err, errlen);
    wo_dtls *server = wo_dtls_new(1, certificate, srtp_profiles, NULL, 1400, err, errlen);
    if (buffer == NULL || client == NULL || server == NULL) {
        if (buffer == NULL) report(err, errlen, "out of memory");
        goto done;
    }
    size_t length = 0;
    int client_done = 0, server_done = 0;
    for (int round = 0; round < 8 && !(client_done && server_done); round++) {
        int result = wo_dtls_handshake(client, buffer, length, err, errlen);
        if (result < 0) goto done;
        client_done = result;
        if (wo_dtls_pending_output(client) > capacity) {
            report(err, errlen, "client flight too large");
            goto done;
        }
        length = wo_dtls_take_output(client, buffer, capacity);
        result = wo_dtls_handshake(server, buffer, length, err, errlen);
        if (result < 0) goto done;
        server_done = result;
        if (wo_dtls_pending_output(server) > capacity) {
            report(err, errlen, "server flight too large");
            goto done;
        }
        length = wo_dtls_take_output(server, buffer, capacity);
    }
    if (client_done && server_done) {
        status = 1;
    } else {
        report(err, errlen, "the bare handshake did not complete in 8 rounds");
    }
done:
    wo_dtls_free(client);
    wo_dtls_free(server);
    free(buffer);
    wo_certificate_free(generated);
    return status;
}
