#include "wo_nfps_cipher.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>

enum { block = 16 };

// Fetched once: an implicit fetch on every call would take the provider store's lock.
static EVP_CIPHER *cipher;
static pthread_once_t fetched = PTHREAD_ONCE_INIT;

static void fetch(void) { cipher = EVP_CIPHER_fetch(NULL, "AES-128-CBC", NULL); }

int wo_nfps_aes128_cbc(int encrypt, const uint8_t *key, uint8_t *chain,
                       const uint8_t *input, uint8_t *output, size_t length) {
    if (length % block != 0) return 0;
    if (length == 0) return 1;
    pthread_once(&fetched, fetch);
    if (cipher == NULL) return 0;
    // Decrypting in place overwrites the last ciphertext block, which continues the chain.
    uint8_t next[block];
    if (!encrypt) memcpy(next, input + length - block, block);

    EVP_CIPHER_CTX *context = EVP_CIPHER_CTX_new();
    if (context == NULL) return 0;
    int ok = EVP_CipherInit_ex2(context, cipher, key, chain, encrypt, NULL) == 1
          && EVP_CIPHER_CTX_set_padding(context, 0) == 1;
    size_t done = 0;
    while (ok && done < length) {
        // EVP takes int lengths: whole blocks below INT_MAX per update.
        size_t step = length - done;
        if (step > (size_t)(INT_MAX - block)) step = (size_t)(INT_MAX - block) / block * block;
        int written = 0;
        ok = EVP_CipherUpdate(context, output + done, &written, input + done, (int)step) == 1
          && (size_t)written == step;
        done += step;
    }
    EVP_CIPHER_CTX_free(context);
    if (!ok) return 0;
    memcpy(chain, encrypt ? output + length - block : next, block);
    return 1;
}
