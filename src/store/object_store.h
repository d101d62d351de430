// ObjectStore: the narrow interface every place that holds chunk bytes implements (a local
// directory, memory, and later S3 and Ceph RADOS). Keys are relative names made of
// [A-Za-z0-9._-] segments joined by '/'; no empty, "." or ".." segment; at most 1024 bytes
// (MaxKeyLength(): less in a store that puts a prefix in front of every key in a backend limited
// to 1024, such as s3://bucket/prefix), at most 255 bytes per segment (a segment is a file name
// in a file:// store). Every method checks
// its key (or prefix) and returns InvalidArgument for a bad one before touching the store.
// All methods are thread-safe.
//
// Implementations: LocalDirStore (file://), MemoryStore (memory://), S3Store (s3://), RadosStore
// (rados://) and, for tests, FaultInjectionStore (a wrapper).
// tests/store/object_store_conformance_test.cc is the shared suite every implementation must pass.
//
// Note for file:// stores: a key cannot be both an object and a "directory" of other keys
// ("a" and "a/b"); such a Put fails (NotDirectory/IsDirectory). Object stores proper (S3, RADOS)
// allow both, so callers should not rely on either behaviour.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/shared_bytes.h"
#include "common/status.h"
#include "store/hashed_part.h"

namespace reel {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  int64_t mtime_unix_ns = 0;  // last modification, when the store knows it (0 otherwise)
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // Stores `data` under `key`, replacing any object there. Atomic: a reader sees the whole old
  // object or the whole new one, never a part. Durable when it returns OK.
  virtual Status Put(const std::string& key, std::span<const uint8_t> data) = 0;
  // Like Put (atomic), but durable only once a later SyncPuts() returns OK: a local store then
  // pays one filesystem sync per batch (a version's chunks) instead of two fsyncs per object, and
  // writes past the page cache (the callers' bytes are not read back soon: a commit's new chunks,
  // a cache fill of a fetched chunk, which needs no SyncPuts at all).
  // Stores without such a batch (memory, S3, RADOS: durable on return) just Put.
  virtual Status PutUnsynced(const std::string& key, std::span<const uint8_t> data) {
    return Put(key, data);
  }
  // Appends the whole object to `out`, for bytes read once (an upload's read of a local chunk): a
  // local store reads them past the page cache. NotFound if absent.
  virtual Status GetAppend(const std::string& key, std::vector<uint8_t>* out) {
    REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> data, Get(key));
    out->insert(out->end(), data.begin(), data.end());
    return Status::Ok();
  }
  // Put of a body made of `parts` whose SHA-256s the caller states (a pack of chunks). Nothing
  // is stored unless every part matches: a mismatch is Corruption naming the part. Parts that do
  // not cover `data` exactly are InvalidArgument. The default hashes the parts here; a store
  // whose server can check them does that instead (S3 with signed chunks), so the bytes are
  // checked end to end without the caller's CPU hashing them.
  virtual Status PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                                std::span<const HashedPart> parts);
  // Makes every PutUnsynced that returned OK before this call durable.
  virtual Status SyncPuts() { return Status::Ok(); }
  // The whole object. NotFound if absent.
  virtual Result<std::vector<uint8_t>> Get(const std::string& key) = 0;
  // Bytes [offset, offset+length) of the object, fewer if the object ends first (empty when
  // offset >= size). NotFound if absent.
  virtual Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                                uint64_t length) = 0;
  // GetRange into the caller's memory: bytes [offset, offset + total size of `into`) of the
  // object, filling the pieces of `into` one after the other (a scatter read: a pack run's chunks
  // land each in its own aligned place). Returns how many bytes were read, fewer if the object
  // ends first (the rest of `into` is then unspecified). NotFound if absent. The default copies
  // from GetRange; stores that can read into place (preadv, S3's body) override it.
  virtual Result<uint64_t> GetRangeInto(const std::string& key, uint64_t offset,
                                        std::span<const std::span<uint8_t>> into);
  // Get of a chunk object, whose key names its SHA-256 (store/chunk_keys.h). `*verified` says
  // whether the store itself checked the bytes against that hash (a tiered store does for copies
  // it fetched from another tier), so the caller need not hash them again.
  virtual Result<std::vector<uint8_t>> GetChunk(const std::string& key, bool* verified) {
    *verified = false;
    return Get(key);
  }
  // Called once per key by GetChunks: the result of GetChunk for keys[index].
  using ChunkFetched = std::function<void(size_t index, Result<SharedBytes> data, bool verified)>;
  // GetChunk of several chunk objects, which a streaming reader will read in this order. Calls
  // `done` exactly once for every key, in any order, before it returns (possibly several at
  // once, after one request to a backend that fetched them together: a tiered store reads
  // chunks that lie next to each other in a pack with one ranged GET). The default fetches them
  // one by one.
  virtual void GetChunks(const std::vector<std::string>& keys, const ChunkFetched& done) {
    for (size_t i = 0; i < keys.size(); ++i) {
      bool verified = false;
      auto got = GetChunk(keys[i], &verified);
      done(i, ToShared(std::move(got)), verified);
    }
  }
  // Size (and time, if known) without the content. NotFound if absent.
  virtual Result<ObjectInfo> Head(const std::string& key) = 0;
  // Removes the object. Deleting an absent key is OK (idempotent). Durable when it returns OK.
  virtual Status Delete(const std::string& key) = 0;
  // Calls `visit` for every object whose key starts with `prefix` (plain string prefix: "" is
  // everything, "chunks/" everything below chunks, "chunks/ab" also matches "chunks/abc/d"), in
  // no particular order, until it returns false. Objects put or deleted during the listing may or
  // may not be seen. `visit` is called without store locks held, so it may call the store.
  virtual Status List(const std::string& prefix,
                      const std::function<bool(const ObjectInfo&)>& visit) = 0;
  // The URI the store was opened with, without credentials.
  virtual std::string Uri() const = 0;
  // The longest key this store accepts; a longer one is InvalidArgument.
  virtual size_t MaxKeyLength() const { return 1024; }
};

// Copies `from` into the pieces of `into`, one after the other, as far as either goes; returns
// the bytes copied.
uint64_t ScatterInto(std::span<const uint8_t> from, std::span<const std::span<uint8_t>> into);
// PutHashedParts' check, here: InvalidArgument or Corruption (naming the first bad part).
[[nodiscard]] Status CheckHashedParts(std::span<const uint8_t> data,
                                      std::span<const HashedPart> parts);
// Checks a key against the rules above.
[[nodiscard]] Status ValidateObjectKey(const std::string& key);
// Checks a List prefix: "" or a valid key, optionally followed by '/', or a valid key cut
// anywhere inside its last segment ("chunks/a", "chunks/", "chunks/ab/cd").
[[nodiscard]] Status ValidateObjectKeyPrefix(const std::string& prefix);

// Opens a store by URI:
//   file:///abs/dir   a local directory (created if missing)
//   memory://NAME     an in-memory store (tests); each call makes a new empty one
//   s3://BUCKET/PREFIX?options   an S3 bucket (store/s3/s3_config.h, docs/s3.md)
//   rados://POOL/PREFIX?conf=/path/ceph.conf&id=admin&create_pool=true
//                     a Ceph RADOS pool via librados (store/rados/rados_config.h has the options)
// Anything else is InvalidArgument, with the supported schemes in the message.
[[nodiscard]] Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri);

}  // namespace reel
