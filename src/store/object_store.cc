#include "store/object_store.h"

#include <cstring>

#include "chunking/sha256.h"

namespace reel {

Status CheckHashedParts(std::span<const uint8_t> data, std::span<const HashedPart> parts) {
  if (!PartsCover(parts, data.size())) {
    return Status::InvalidArgument("the parts of a body must cover it exactly");
  }
  uint64_t at = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (Sha256(data.subspan(at, parts[i].size)) != parts[i].sha256) {
      return Status::Corruption("part " + std::to_string(i) + " (" + parts[i].sha256.Hex() +
                                ") does not match its hash");
    }
    at += parts[i].size;
  }
  return Status::Ok();
}

Status ObjectStore::PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                                   std::span<const HashedPart> parts) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  REEL_RETURN_IF_ERROR(CheckHashedParts(data, parts));
  return Put(key, data);
}

uint64_t ScatterInto(std::span<const uint8_t> from, std::span<const std::span<uint8_t>> into) {
  uint64_t at = 0;
  for (std::span<uint8_t> piece : into) {
    const size_t n = std::min<size_t>(piece.size(), from.size() - at);
    if (n > 0) std::memcpy(piece.data(), from.data() + at, n);
    at += n;
    if (at == from.size()) break;
  }
  return at;
}

Result<uint64_t> ObjectStore::GetRangeInto(const std::string& key, uint64_t offset,
                                           std::span<const std::span<uint8_t>> into) {
  uint64_t total = 0;
  for (std::span<uint8_t> piece : into) total += piece.size();
  REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> got, GetRange(key, offset, total));
  return ScatterInto(got, into);
}

}  // namespace reel
