// The bootstrap manifest `reel.toml`: one file that fully describes a drive instance (identity,
// catalog, tiers and their stores, chunking, version policy, cache, garbage collection).
// Every key is documented in docs/manifest.md.
//
// Paths and URIs in the manifest may be relative (`sqlite://catalog.db`, `file://store`,
// `staging`); they resolve against the directory that holds the manifest, so a drive directory
// can be moved or copied. Absolute ones (`sqlite:///data/catalog.db`, `/fast/staging`) stay.
// The Manifest struct keeps the values as written; the Resolved*() helpers give absolute ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chunking/chunker.h"
#include "common/sizes.h"  // FormatExactSize, ParseDuration, FormatDuration
#include "common/status.h"
#include "engine/engine_options.h"

namespace reel {

inline constexpr const char* kManifestFileName = "reel.toml";
inline constexpr int64_t kManifestFormat = 1;

// A place where chunks live, in read order: `local` (this machine's cache: file:// or memory://,
// always first), then optionally `edge` (a store near the studio) and `cloud`, each any store
// URI (file://, s3://, rados://).
struct TierConfig {
  std::string name;  // "local", "edge" or "cloud"
  std::string uri;   // store URI as written, e.g. "file://store", "s3://bucket/drive?region=..."
  // local only: the most clean chunk bytes kept (0: no limit). Chunks that exist on no shared
  // tier yet and chunks of pinned files are kept whatever the limit.
  uint64_t limit_bytes = 0;
  friend bool operator==(const TierConfig&, const TierConfig&) = default;
};

struct Manifest {
  int64_t format = kManifestFormat;

  // [drive]
  std::string id;    // random UUID made at init; never changes
  std::string name;  // human name, e.g. "default"

  // [catalog]
  std::string catalog_uri = "sqlite://catalog.db";
  uint64_t backup_interval_seconds = 3600;  // 0: only at unmount and on request
  uint32_t backup_keep = 24;                // backups kept per store

  // [[tier]]
  std::vector<TierConfig> tiers{{"local", "file://store"}};

  // [team]: the drive is one workspace of a team drive, reached through its server
  // (docs/team-api.md) as the user logged in to it (`reel login`). The namespace and the shared
  // tiers are then the server's: [catalog] is not used and the only tier is `local` (this
  // machine's cache), beside staging and machine.db. The token stays in the user's credentials
  // file, never here.
  std::string team_server;     // a server URL (normalized), "" for a drive of one's own
  std::string team_workspace;  // the workspace's name
  // Follow the workspace's change feed, so other machines' changes show as they happen; off,
  // they show when what the mount keeps expires ([cache] metadata_ms), and the mount does
  // without the kernel's writeback cache (which would keep a file's old size).
  bool team_follow_changes = true;
  bool IsTeam() const { return !team_server.empty(); }

  // [locks] on_open: a team mount that opens a file whose name ends with one of these (case
  // insensitive) for writing holds it locked for the whole team until it closes; another
  // machine's open for writing gets EBUSY meanwhile (docs/locks.md). [] for none.
  std::vector<std::string> lock_on_open = {".prproj", ".aep", ".nk", ".blend", ".psd"};

  // [chunking]
  ChunkerOptions chunking;

  // [versions]
  VersionPolicy policy = VersionPolicy::kOnClose;
  uint32_t interval_seconds = 30;
  uint32_t trash_retention_days = 30;

  // [cache]
  std::string staging_dir = "staging";
  uint64_t chunk_cache_bytes = 256ull << 20;
  // How long names and attributes are kept without asking again (ms): by the kernel, and on a
  // team drive by the mount's catalog cache. Another machine's change shows as soon as the
  // change feed tells of it; this is the bound when the feed is out of reach.
  uint32_t metadata_ms = 1000;

  // [gc]
  uint64_t gc_grace_seconds = 3600;

  // [transfer]
  uint32_t upload_threads = 4;  // chunk writes wait on the disk (direct I/O): 4 overlap them
  uint32_t transfer_threads = 16;  // the transfer queue's workers (edge/cloud copies)

  // Absolute directory of the manifest file (set by LoadManifest / InitDrive; not written to the
  // file). Relative paths and URIs resolve against it.
  std::string dir;

  // Absolute forms of the relative paths/URIs above.
  std::string ResolvedCatalogUri() const;
  std::string ResolvedTierUri(const TierConfig& tier) const;
  std::string ResolvedStagingDir() const;
  // The tier with this name, or nullptr (Validate() guarantees a `local` one).
  const TierConfig* FindTier(std::string_view name) const;
  const TierConfig* LocalTier() const { return FindTier("local"); }
  // Path of the manifest file itself (dir + "/reel.toml").
  std::string Path() const;

};

// Field-by-field equality (ChunkerOptions has no operator==).
[[nodiscard]] bool operator==(const Manifest& a, const Manifest& b);

// Reads, parses and validates a manifest. Errors name the file and the key
// ("/d/reel.toml: [versions] policy: unknown policy 'sometimes' (expected on-close, interval or
// manual)"). Unknown tables and keys are errors so a typo never goes unnoticed.
// `path` may be relative; Manifest::dir is made absolute.
[[nodiscard]] Result<Manifest> LoadManifest(const std::string& path);
// Parses manifest text; `path` is used for error messages and to set Manifest::dir.
[[nodiscard]] Result<Manifest> ParseManifest(std::string_view text, const std::string& path);
// Checks every field (the same checks LoadManifest makes). `where` prefixes messages.
[[nodiscard]] Status ValidateManifest(const Manifest& m, const std::string& where = "manifest");
// Serializes (with comments) to TOML text. Sizes are written as exact human sizes ("1MiB").
[[nodiscard]] std::string FormatManifest(const Manifest& m);
// Validates and writes the manifest atomically (mode 0600) to `path`.
[[nodiscard]] Status WriteManifest(const std::string& path, const Manifest& m);

// Engine options from the manifest (staging dir resolved).
[[nodiscard]] EngineOptions ToEngineOptions(const Manifest& m);

// "on-close" / "interval" / "manual".
[[nodiscard]] std::string_view PolicyName(VersionPolicy policy);
[[nodiscard]] Result<VersionPolicy> ParsePolicy(std::string_view name);
// "fastcdc" / "fixed".
[[nodiscard]] std::string_view ChunkingName(ChunkerOptions::Kind kind);
[[nodiscard]] Result<ChunkerOptions::Kind> ParseChunking(std::string_view name);


// A new random UUID (version 4), e.g. "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f".
[[nodiscard]] std::string NewDriveId();

}  // namespace reel
