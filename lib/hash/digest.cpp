// MD5, SHA-1 and SHA-256 through OpenSSL's EVP interface.
#include "hash/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "core/text.h"

namespace ferret::hash {

const char* algorithm_name(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::md5: return "md5";
    case Algorithm::sha1: return "sha1";
    case Algorithm::sha256: return "sha256";
  }
  return "unknown";
}

const std::string& Digests::get(Algorithm a) const {
  return a == Algorithm::md5 ? md5 : a == Algorithm::sha1 ? sha1 : sha256;
}
std::string& Digests::get(Algorithm a) { return a == Algorithm::md5 ? md5 : a == Algorithm::sha1 ? sha1 : sha256; }

namespace {
// Fetched once: explicit fetching avoids OpenSSL 3's per-init provider lookup.
const EVP_MD* fetch_md(Algorithm algorithm) {
  static EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  static EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  switch (algorithm) {
    case Algorithm::md5: return md5;
    case Algorithm::sha1: return sha1;
    case Algorithm::sha256: return sha256;
  }
  return nullptr;
}
}  // namespace

struct Digest::State {
  EVP_MD_CTX* ctx = nullptr;
  ~State() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(Algorithm algorithm) : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  const EVP_MD* md = fetch_md(algorithm);
  // Only fails when OpenSSL itself is broken (no default provider): a programming-environment error.
  if (state_->ctx == nullptr || md == nullptr || EVP_DigestInit_ex(state_->ctx, md, nullptr) != 1) {
    throw std::runtime_error(std::string("OpenSSL cannot initialise ") + algorithm_name(algorithm));
  }
}
Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(std::span<const std::byte> bytes) {
  if (!bytes.empty()) EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size());
}

std::string Digest::finish_hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx, out, &len);
  return to_hex({out, len});
}

Digests digest_all(std::span<const std::byte> bytes) {
  Digests d;
  for (Algorithm a : kAllAlgorithms) {
    Digest digest(a);
    digest.update(bytes);
    d.get(a) = digest.finish_hex();
  }
  return d;
}

}  // namespace ferret::hash
