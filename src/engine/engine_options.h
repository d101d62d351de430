// Options of the engine, filled from the bootstrap manifest (reel.toml).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "catalog/types.h"
#include "chunking/chunk_names.h"
#include "chunking/chunker.h"

namespace reel {

enum class VersionPolicy {
  kOnClose,   // closing a written file makes a version
  kInterval,  // dirty files get a version every `interval_seconds`, and on close
  kManual,    // versions only on `reel save` (and on unmount / crash recovery, so nothing is lost)
};

struct EngineOptions {
  ChunkerOptions chunking;
  VersionPolicy policy = VersionPolicy::kOnClose;
  uint32_t interval_seconds = 30;
  // Where written data waits (sparse files + extent maps) until it becomes a version.
  std::string staging_dir;
  // Verified chunks kept in memory for reads.
  uint64_t chunk_cache_bytes = 256ull << 20;
  // Trash entries older than this are purged by `reel gc`.
  int64_t trash_retention_seconds = 30ll * 24 * 3600;
  // Unreferenced or orphaned chunks younger than this are left alone by `reel gc`.
  int64_t gc_grace_seconds = 3600;
  // Parallel chunk writers used when a version is committed.
  uint32_t upload_threads = 4;
  // How chunks are named (and checked when read): plain SHA-256, or keyed in an encrypted
  // workspace (chunking/chunk_cipher.h).
  ChunkNames chunk_names;
  // Called on the committing thread after each version this engine commits (`ino`: the file the
  // version is of, a conflict copy's when the commit made one). Must not block for long.
  std::function<void(InodeId ino, const VersionInfo& version)> on_committed;
};

}  // namespace reel
