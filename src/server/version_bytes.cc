#include "server/version_bytes.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "chunking/chunk_names.h"
#include "store/chunk_keys.h"

namespace reel {

Result<std::shared_ptr<VersionBytes>> VersionBytes::Open(
    Catalog& view, const Version& version,
    const std::map<TierMask, std::shared_ptr<ObjectStore>>& stores,
    std::shared_ptr<const ChunkCipher> cipher, const std::string& shown) {
  std::shared_ptr<VersionBytes> out(new VersionBytes());
  out->cipher_ = std::move(cipher);
  out->shown_ = shown;
  for (const auto& [bit, store] : stores) out->keep_.push_back(store);
  std::vector<ChunkId> ids;
  ids.reserve(version.chunks.size());
  for (const ChunkRef& c : version.chunks) ids.push_back(c.id);
  REEL_ASSIGN_OR_RETURN(std::vector<ChunkLocation> packed, view.GetChunkLocations(ids));
  REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, view.GetChunkTiers(ids));
  // Each chunk's pack on each tier (a chunk is in at most one pack per tier).
  std::unordered_map<ChunkId, std::map<TierMask, const ChunkLocation*>, ChunkIdHash> packs;
  for (const ChunkLocation& loc : packed) packs[loc.member.chunk][loc.tier] = &loc;

  size_t missing = 0;
  uint64_t start = 0;
  for (size_t i = 0; i < version.chunks.size(); ++i) {
    const ChunkRef& c = version.chunks[i];
    Piece p;
    p.id = c.id;
    p.start = start;
    p.length = c.length;
    start += c.length;
    auto in_packs = packs.find(c.id);
    for (const auto& [bit, store] : stores) {
      if (in_packs != packs.end()) {
        auto loc = in_packs->second.find(bit);
        if (loc != in_packs->second.end()) {
          p.store = store.get();
          p.key = loc->second->pack;
          p.packed = true;
          p.offset = loc->second->member.offset;
          p.stored = loc->second->member.length;
          break;
        }
      }
      if ((tiers[i] & bit) != 0) {
        p.store = store.get();
        p.key = ChunkKey(c.id);
        break;
      }
    }
    if (p.store == nullptr) ++missing;
    out->pieces_.push_back(std::move(p));
  }
  if (missing > 0) {
    return Status(Code::kConflict,
        shown + ": " + std::to_string(missing) + " of its " +
        std::to_string(version.chunks.size()) +
        " chunks are not on the edge or cloud tier yet (only on the machine that wrote them): "
        "open it on a mount, or here once it is uploaded");
  }
  out->size_ = start;
  return out;
}

Result<std::vector<uint8_t>> VersionBytes::Fetch(size_t i) const {
  const Piece& p = pieces_[i];
  auto got = p.packed ? p.store->GetRange(p.key, p.offset, p.stored) : p.store->Get(p.key);
  if (!got.ok()) return got.status().WithContext(shown_);
  if (cipher_ != nullptr) {
    REEL_ASSIGN_OR_RETURN(size_t plain, cipher_->Open(p.id, *got));
    got->resize(plain);
  }
  const ChunkNames plain_names;
  const ChunkNames& names = cipher_ != nullptr ? cipher_->names() : plain_names;
  if (got->size() != p.length || names.Of(*got) != p.id) {
    return Status::Corruption(shown_ + ": chunk " + p.id.Hex() +
                              " from the store does not match its name");
  }
  return got;
}

Result<size_t> VersionBytes::Read(uint64_t offset, std::span<uint8_t> out) {
  size_t filled = 0;
  while (filled < out.size() && offset < size_) {
    // The piece holding `offset`: the last that starts at or before it.
    auto it = std::upper_bound(pieces_.begin(), pieces_.end(), offset,
                               [](uint64_t o, const Piece& p) { return o < p.start; });
    const size_t i = static_cast<size_t>(it - pieces_.begin()) - 1;
    const Piece& p = pieces_[i];
    // The store is read outside the lock: it guards only which chunk is kept.
    std::shared_ptr<const std::vector<uint8_t>> chunk;
    {
      std::lock_guard lock(mu_);
      if (cached_index_ == i) chunk = cached_;
    }
    if (!chunk) {
      REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> fetched, Fetch(i));
      chunk = std::make_shared<const std::vector<uint8_t>>(std::move(fetched));
      std::lock_guard lock(mu_);
      cached_index_ = i;
      cached_ = chunk;
    }
    const uint64_t within = offset - p.start;
    const size_t n = static_cast<size_t>(
        std::min<uint64_t>(out.size() - filled, p.length - within));
    std::memcpy(out.data() + filled, chunk->data() + within, n);
    filled += n;
    offset += n;
  }
  return filled;
}

}  // namespace reel
