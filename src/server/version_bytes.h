// VersionBytes: one version of a workspace's file, read on the team server for the web app's
// previews and downloads. Its chunks come from the team's stores the server holds (a packed
// chunk's bytes by a ranged GET of its pack, a loose one whole), are opened with the workspace's
// key when it is encrypted, and are checked against their names, as a mount reads them.
//
// Where each chunk is is decided when the version is opened, in the request's catalog calls;
// reading then touches only the stores, so no database connection waits on a transfer. A version
// with a chunk on no tier the server reaches (still only on the machine that wrote it) cannot be
// opened: Conflict (409), saying so.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "chunking/chunk_cipher.h"
#include "store/object_store.h"
#include "web/web_front.h"

namespace reel {

class VersionBytes final : public web::ByteSource {
 public:
  // `stores`: the stores the server holds, by tier bit, tried in the map's order (edge before
  // cloud). `cipher`: the workspace's, or nullptr when it is not encrypted. `shown` names the
  // file and version in errors ("shots/a.mov version 3").
  [[nodiscard]] static Result<std::shared_ptr<VersionBytes>> Open(
      Catalog& view, const Version& version,
      const std::map<TierMask, std::shared_ptr<ObjectStore>>& stores,
      std::shared_ptr<const ChunkCipher> cipher, const std::string& shown);

  uint64_t size() const override { return size_; }
  Result<size_t> Read(uint64_t offset, std::span<uint8_t> out) override;

 private:
  // One chunk of the version and where its stored bytes are.
  struct Piece {
    ChunkId id;
    uint64_t start = 0;      // its first byte in the file
    uint32_t length = 0;     // its plaintext length
    ObjectStore* store = nullptr;
    std::string key;         // the pack's or the loose chunk's object
    bool packed = false;     // then its stored bytes are [offset, offset + stored) of the pack
    uint64_t offset = 0;
    uint64_t stored = 0;
  };

  VersionBytes() = default;
  // The plaintext of piece `i`, fetched, opened and checked.
  [[nodiscard]] Result<std::vector<uint8_t>> Fetch(size_t i) const;

  std::vector<std::shared_ptr<ObjectStore>> keep_;  // the stores the pieces point into
  std::shared_ptr<const ChunkCipher> cipher_;
  std::vector<Piece> pieces_;
  uint64_t size_ = 0;
  std::string shown_;

  // The chunk read last: a player reads a chunk in many small pieces, in order. Fetched outside
  // the lock (never held across a store's I/O).
  std::mutex mu_;  // guards cached_index_ and cached_
  size_t cached_index_ = SIZE_MAX;
  std::shared_ptr<const std::vector<uint8_t>> cached_;
};

}  // namespace reel
