// TLS 1.2 PSK over memory BIOs (see include/wo_tls_psk.h).
#include "wo_tls_psk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

struct wo_tls_psk {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rbio; // owned by ssl
    BIO *wbio; // owned by ssl
    uint8_t key[256];
    size_t key_length;
    char identity[128];
};

static int app_index = -1;

static void report(char *err, size_t errlen, const char *what) {
    unsigned long code = ERR_get_error();
    if (code != 0) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        snprintf(err, errlen, "%s: %s", what, line);
    } else {
        snprintf(err, errlen, "%s", what);
    }
    ERR_clear_error();
}

static wo_tls_psk *engine(SSL *ssl) { return (wo_tls_psk *)SSL_get_ex_data(ssl, app_index); }

static unsigned int client_callback(SSL *ssl, const char *hint, char *identity, unsigned int max_identity,
                                    unsigned char *psk, unsigned int max_psk) {
    (void)hint;
    wo_tls_psk *tls = engine(ssl);
    if (tls == NULL || tls->key_length > max_psk || strlen(tls->identity) + 1 > max_identity) return 0;
    strcpy(identity, tls->identity);
    memcpy(psk, tls->key, tls->key_length);
    return (unsigned int)tls->key_length;
}

static unsigned int server_callback(SSL *ssl, const char *identity, unsigned char *psk, unsigned int max_psk) {
    wo_tls_psk *tls = engine(ssl);
    if (tls == NULL || identity == NULL || strcmp(identity, tls->identity) != 0 || tls->key_length > max_psk) return 0;
    memcpy(psk, tls->key, tls->key_length);
    return (unsigned int)tls->key_length;
}

wo_tls_psk *wo_tls_psk_new(int is_server, const uint8_t *key, size_t key_length, const char *identity, char *err, size_t errlen) {
    if (key_length == 0 || key_length > 256 || strlen(identity) >= 128) {
        snprintf(err, errlen, "the key must be 1 to 256 bytes and the identity under 128 characters");
        return NULL;
    }
    if (app_index < 0) app_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    wo_tls_psk *tls = calloc(1, sizeof *tls);
    if (tls == NULL) return NULL;
    memcpy(tls->key, key, key_length);
    tls->key_length = key_length;
    strcpy(tls->identity, identity);
    tls->ctx = SSL_CTX_new(is_server ? TLS_server_method() : TLS_client_method());
    if (tls->ctx == NULL) goto fail;
    SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(tls->ctx, TLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(tls->ctx, "PSK-AES256-GCM-SHA384:PSK-AES128-GCM-SHA256") != 1) goto fail;
    if (is_server) {
        SSL_CTX_set_psk_server_callback(tls->ctx, server_callback);
    } else {
        SSL_CTX_set_psk_client_callback(tls->ctx, client_callback);
    }
    tls->ssl = SSL_new(tls->ctx);
    tls->rbio = BIO_new(BIO_s_mem());
    tls->wbio = BIO_new(BIO_s_mem());
    if (tls->ssl == NULL || tls->rbio == NULL || tls->wbio == NULL) goto fail;
    SSL_set_ex_data(tls->ssl, app_index, tls);
    SSL_set_bio(tls->ssl, tls->rbio, tls->wbio);
    if (is_server) SSL_set_accept_state(tls->ssl); else SSL_set_connect_state(tls->ssl);
    return tls;
fail:
    report(err, errlen, "cannot set up TLS-PSK");
    if (tls->ssl == NULL) {
        if (tls->rbio) BIO_free(tls->rbio);
        if (tls->wbio) BIO_free(tls->wbio);
    }
    wo_tls_psk_free(tls);
    return NULL;
}

void wo_tls_psk_free(wo_tls_psk *tls) {
    if (tls == NULL) return;
    if (tls->ssl) SSL_free(tls->ssl);
    if (tls->ctx) SSL_CTX_free(tls->ctx);
    memset(tls->key, 0, sizeof tls->key);
    free(tls);
}

int wo_tls_psk_feed(wo_tls_psk *tls, const uint8_t *input, size_t length) {
    return BIO_write(tls->rbio, input, (int)length) == (int)length ? 0 : -1;
}

int wo_tls_psk_handshake(wo_tls_psk *tls, char *err, size_t errlen) {
    int result = SSL_do_handshake(tls->ssl);
    if (result == 1) return 1;
    int code = SSL_get_error(tls->ssl, result);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return 0;
    report(err, errlen, "TLS-PSK handshake failed (a different pre-shared key?)");
    return -1;
}

int wo_tls_psk_read(wo_tls_psk *tls, uint8_t *out, size_t capacity, char *err, size_t errlen) {
    int result = SSL_read(tls->ssl, out, (int)capacity);
    if (result > 0) return result;
    int code = SSL_get_error(tls->ssl, result);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) return 0;
    if (code == SSL_ERROR_ZERO_RETURN) return -2;
    report(err, errlen, "TLS-PSK record failed");
    return -1;
}

int wo_tls_psk_write(wo_tls_psk *tls, const uint8_t *input, size_t length, char *err, size_t errlen) {
    if (length == 0) return 0;
    int result = SSL_write(tls->ssl, input, (int)length);
    if (result == (int)length) return 0;
    report(err, errlen, "TLS-PSK write failed");
    return -1;
}

void wo_tls_psk_close(wo_tls_psk *tls) {
    SSL_shutdown(tls->ssl);
    ERR_clear_error();
}

size_t wo_tls_psk_pending_output(const wo_tls_psk *tls) { return BIO_ctrl_pending(tls->wbio); }

size_t wo_tls_psk_take_output(wo_tls_psk *tls, uint8_t *out, size_t capacity) {
    int read = BIO_read(tls->wbio, out, (int)capacity);
    return read > 0 ? (size_t)read : 0;
}

const char *wo_tls_psk_cipher(const wo_tls_psk *tls) {
    const char *name = SSL_get_cipher_name(tls->ssl);
    return name ? name : "none";
}
