#include "chunking/chunk_cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <string_view>

namespace reel {
namespace {

constexpr size_t kNonceBytes = 12;

// HMAC-SHA256(key, label): one of the keys the workspace key gives.
std::array<uint8_t, 32> DeriveKey(std::span<const uint8_t> key, std::string_view label) {
  std::array<uint8_t, 32> k{};
  std::copy(key.begin(), key.end(), k.begin());
  const ChunkId d = HmacSha256(
      k, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(label.data()), label.size()));
  OPENSSL_cleanse(k.data(), k.size());
  return d.bytes;
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
  CipherCtx() = default;
};

// Starts AES-256-GCM with the chunk's nonce and its name as associated data.
bool Start(EVP_CIPHER_CTX* ctx, bool seal, const std::array<uint8_t, 32>& key, const ChunkId& id) {
  int ignored = 0;
  return ctx != nullptr &&
         EVP_CipherInit_ex2(ctx, EVP_aes_256_gcm(), key.data(), id.bytes.data(), seal ? 1 : 0,
                            nullptr) == 1 &&
         EVP_CipherUpdate(ctx, nullptr, &ignored, id.bytes.data(),
                          static_cast<int>(id.bytes.size())) == 1;
}

// Runs the cipher over `data` in place, in pieces an int can count.
bool Run(EVP_CIPHER_CTX* ctx, std::span<uint8_t> data) {
  constexpr size_t kStep = size_t{1} << 30;
  for (size_t at = 0; at < data.size(); at += kStep) {
    const int n = static_cast<int>(std::min(kStep, data.size() - at));
    int out = 0;
    if (EVP_CipherUpdate(ctx, data.data() + at, &out, data.data() + at, n) != 1 || out != n) {
      return false;
    }
  }
  return true;
}

}  // namespace

static_assert(kNonceBytes == 12, "GCM's default IV length");

Result<std::shared_ptr<const ChunkCipher>> ChunkCipher::FromWorkspaceKey(
    std::span<const uint8_t> key) {
  if (key.size() != kWorkspaceKeyBytes) {
    return Status::InvalidArgument("a workspace key has " + std::to_string(kWorkspaceKeyBytes) +
                                   " bytes, not " + std::to_string(key.size()));
  }
  std::shared_ptr<ChunkCipher> c(new ChunkCipher(), [](ChunkCipher* p) {
    OPENSSL_cleanse(p->data_key_.data(), p->data_key_.size());
    delete p;
  });
  std::array<uint8_t, 32> names = DeriveKey(key, "reeldrive chunk names v1");
  c->names_ = ChunkNames::Keyed(names);
  OPENSSL_cleanse(names.data(), names.size());
  c->data_key_ = DeriveKey(key, "reeldrive chunk data v1");
  return std::shared_ptr<const ChunkCipher>(std::move(c));
}

Status ChunkCipher::SealTail(const ChunkId& id, size_t plain, std::vector<uint8_t>* buf) const {
  if (plain > buf->size()) return Status::Internal("seal: more plaintext than the buffer holds");
  CipherCtx c;
  const size_t at = buf->size() - plain;
  int ignored = 0;
  if (!Start(c.ctx, true, data_key_, id) || !Run(c.ctx, {buf->data() + at, plain}) ||
      EVP_CipherFinal_ex(c.ctx, nullptr, &ignored) != 1) {
    return Status::Internal("seal chunk " + id.Hex() + ": AES-256-GCM failed");
  }
  buf->resize(buf->size() + kSealOverhead);
  if (EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kSealOverhead,
                          buf->data() + buf->size() - kSealOverhead) != 1) {
    buf->resize(buf->size() - kSealOverhead);
    return Status::Internal("seal chunk " + id.Hex() + ": no GCM tag");
  }
  return Status::Ok();
}

Result<size_t> ChunkCipher::Open(const ChunkId& id, std::span<uint8_t> sealed) const {
  Status refused = Status::Corruption("chunk " + id.Hex() +
                                      " was not sealed as itself with this workspace's key");
  if (sealed.size() < kSealOverhead) return refused;
  const size_t plain = sealed.size() - kSealOverhead;
  CipherCtx c;
  if (!Start(c.ctx, false, data_key_, id)) return Status::Internal("open chunk: AES-256-GCM failed");
  int ignored = 0;
  if (!Run(c.ctx, sealed.first(plain)) ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kSealOverhead, sealed.data() + plain) != 1 ||
      EVP_CipherFinal_ex(c.ctx, nullptr, &ignored) != 1) {
    // Bytes that fail their tag must not be used: wipe what was decrypted.
    OPENSSL_cleanse(sealed.data(), plain);
    return refused;
  }
  return plain;
}

}  // namespace reel
