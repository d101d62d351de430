#include "store/object_store.h"

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

}  // namespace reel
