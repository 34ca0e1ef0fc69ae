/* SHA-1 and SHA-256 (FIPS 180-4) for plugins, which may not link OpenSSL or Ferret's hash library. */
#ifndef FERRET_PLUGINS_COMMON_SHA_H
#define FERRET_PLUGINS_COMMON_SHA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLUGIN_SHA1_DIGEST_SIZE 20
#define PLUGIN_SHA256_DIGEST_SIZE 32

/* Streaming contexts: init, update any number of times, final once. */
typedef struct plugin_sha1 {
  uint32_t state[5];
  uint64_t length; /* bytes hashed so far */
  unsigned char block[64];
  size_t used; /* bytes waiting in block */
} plugin_sha1;

typedef struct plugin_sha256 {
  uint32_t state[8];
  uint64_t length;
  unsigned char block[64];
  size_t used;
} plugin_sha256;

void plugin_sha1_init(plugin_sha1* ctx);
void plugin_sha1_update(plugin_sha1* ctx, const void* data, size_t length);
void plugin_sha1_final(plugin_sha1* ctx, unsigned char digest[PLUGIN_SHA1_DIGEST_SIZE]);

void plugin_sha256_init(plugin_sha256* ctx);
void plugin_sha256_update(plugin_sha256* ctx, const void* data, size_t length);
void plugin_sha256_final(plugin_sha256* ctx, unsigned char digest[PLUGIN_SHA256_DIGEST_SIZE]);

/* Writes `length` bytes as lowercase hex and a NUL into `out` (room for 2 * length + 1). */
void plugin_hex(const unsigned char* bytes, size_t length, char* out);

#ifdef __cplusplus
}
#endif

#endif /* FERRET_PLUGINS_COMMON_SHA_H */
