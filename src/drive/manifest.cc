#include "drive/manifest.h"

#include <algorithm>


#include <cerrno>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <set>

#include <toml++/toml.h>

#include "common/fs_util.h"
#include "common/secure_random.h"
#include "common/sizes.h"
#include "common/utf8.h"
#include "common/toml_reader.h"

namespace reel {
namespace {

constexpr uint32_t kMaxIntervalSeconds = 7 * 24 * 3600;
constexpr uint32_t kMaxTrashRetentionDays = 100 * 365;
constexpr uint64_t kMaxGcGraceSeconds = 10ull * 365 * 24 * 3600;
constexpr uint32_t kMaxMetadataMs = 3'600'000;  // an hour
constexpr uint32_t kMaxUploadThreads = 64;
constexpr uint64_t kMaxBackupIntervalSeconds = 366ull * 24 * 3600;
constexpr uint32_t kMaxBackupKeep = 10000;

std::string JoinUnder(const std::string& dir, const std::string& rel) {
  return std::filesystem::path(dir + "/" + rel).lexically_normal().string();
}

std::string ResolvePath(const std::string& dir, const std::string& p) {
  if (p.empty() || p.front() == '/' || dir.empty()) return p;
  return JoinUnder(dir, p);
}

// "scheme://rest": rest relative -> scheme:// + dir/rest; everything else unchanged.
std::string ResolveUri(const std::string& dir, const std::string& uri, std::string_view scheme) {
  std::string prefix = std::string(scheme) + "://";
  if (uri.rfind(prefix, 0) != 0) return uri;
  std::string rest = uri.substr(prefix.size());
  if (rest.empty() || rest.front() == '/' || dir.empty()) return uri;
  return prefix + JoinUnder(dir, rest);
}

bool HasControlChars(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool IsTierName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers. Every error names the file, the line when known, the table and the key.

class ManifestParser : public TomlReader {
 public:
  using TomlReader::TomlReader;

  Result<Manifest> Parse(const toml::table& root) const {
    Manifest m;
    REEL_RETURN_IF_ERROR(CheckKeys(root, "top level",
                                   {"format", "drive", "catalog", "tier", "chunking", "versions",
                                    "cache", "gc", "transfer", "team", "locks"}));
    REEL_RETURN_IF_ERROR(Integer(&root, "top level", "format", 1, INT32_MAX, &m.format));
    if (m.format != kManifestFormat) {
      return Status(Code::kNotSupported,
                    file_ + ": format " + std::to_string(m.format) +
                        " is not supported by this version of reel (it reads format " +
                        std::to_string(kManifestFormat) + ")");
    }

    REEL_ASSIGN_OR_RETURN(const toml::table* drive, Table(root, "drive", true));
    REEL_RETURN_IF_ERROR(CheckKeys(*drive, "[drive]", {"id", "name"}));
    REEL_RETURN_IF_ERROR(String(drive, "[drive]", "id", &m.id, true));
    REEL_RETURN_IF_ERROR(String(drive, "[drive]", "name", &m.name, true));

    REEL_ASSIGN_OR_RETURN(const toml::table* team, Table(root, "team", false));
    if (team != nullptr) {
      REEL_RETURN_IF_ERROR(
          CheckKeys(*team, "[team]", {"server", "workspace", "follow_changes"}));
      REEL_RETURN_IF_ERROR(String(team, "[team]", "server", &m.team_server, true));
      REEL_RETURN_IF_ERROR(String(team, "[team]", "workspace", &m.team_workspace, true));
      REEL_RETURN_IF_ERROR(Bool(team, "[team]", "follow_changes", &m.team_follow_changes));
    }
    REEL_ASSIGN_OR_RETURN(const toml::table* locks, Table(root, "locks", false));
    if (locks != nullptr) {
      REEL_RETURN_IF_ERROR(CheckKeys(*locks, "[locks]", {"on_open"}));
      REEL_RETURN_IF_ERROR(Strings(locks, "[locks]", "on_open", &m.lock_on_open));
    }

    REEL_ASSIGN_OR_RETURN(const toml::table* catalog, Table(root, "catalog", true));
    REEL_RETURN_IF_ERROR(
        CheckKeys(*catalog, "[catalog]", {"uri", "backup_interval", "backup_keep"}));
    REEL_RETURN_IF_ERROR(String(catalog, "[catalog]", "uri", &m.catalog_uri, true));
    REEL_RETURN_IF_ERROR(Duration(catalog, "[catalog]", "backup_interval",
                                  kMaxBackupIntervalSeconds, &m.backup_interval_seconds));
    REEL_RETURN_IF_ERROR(Unsigned<uint32_t>(catalog, "[catalog]", "backup_keep", 1,
                                            kMaxBackupKeep, &m.backup_keep));

    const toml::node* tiers = root.get("tier");
    if (tiers == nullptr) return Error(nullptr, "[[tier]]", "", "missing: at least one tier is required");
    if (!tiers->is_array_of_tables()) {
      return Error(tiers, "tier", "", "must be an array of tables ([[tier]])");
    }
    m.tiers.clear();
    int index = 0;
    for (const auto& node : *tiers->as_array()) {
      ++index;
      const toml::table& t = *node.as_table();
      std::string label = "[[tier]] #" + std::to_string(index);
      REEL_RETURN_IF_ERROR(CheckKeys(t, label, {"name", "uri", "limit"}));
      TierConfig tier;
      REEL_RETURN_IF_ERROR(String(&t, label, "name", &tier.name, true));
      REEL_RETURN_IF_ERROR(String(&t, label, "uri", &tier.uri, true));
      REEL_RETURN_IF_ERROR(Size(&t, label, "limit", 1ull << 60, &tier.limit_bytes));
      m.tiers.push_back(std::move(tier));
    }

    REEL_ASSIGN_OR_RETURN(const toml::table* chunking, Table(root, "chunking", false));
    if (chunking) {
      REEL_RETURN_IF_ERROR(CheckKeys(*chunking, "[chunking]",
                                     {"algorithm", "min_size", "avg_size", "max_size",
                                      "fixed_size"}));
      std::string algorithm = std::string(ChunkingName(m.chunking.kind));
      REEL_RETURN_IF_ERROR(String(chunking, "[chunking]", "algorithm", &algorithm, false));
      auto kind = ParseChunking(algorithm);
      if (!kind.ok()) {
        return Error(chunking->get("algorithm"), "[chunking]", "algorithm",
                     kind.status().message());
      }
      m.chunking.kind = *kind;
      REEL_RETURN_IF_ERROR(Size32(chunking, "[chunking]", "min_size", &m.chunking.min_size));
      REEL_RETURN_IF_ERROR(Size32(chunking, "[chunking]", "avg_size", &m.chunking.avg_size));
      REEL_RETURN_IF_ERROR(Size32(chunking, "[chunking]", "max_size", &m.chunking.max_size));
      REEL_RETURN_IF_ERROR(Size32(chunking, "[chunking]", "fixed_size", &m.chunking.fixed_size));
    }

    REEL_ASSIGN_OR_RETURN(const toml::table* versions, Table(root, "versions", false));
    if (versions) {
      REEL_RETURN_IF_ERROR(CheckKeys(*versions, "[versions]",
                                     {"policy", "interval_seconds", "trash_retention_days"}));
      std::string policy = std::string(PolicyName(m.policy));
      REEL_RETURN_IF_ERROR(String(versions, "[versions]", "policy", &policy, false));
      auto p = ParsePolicy(policy);
      if (!p.ok()) {
        return Error(versions->get("policy"), "[versions]", "policy", p.status().message());
      }
      m.policy = *p;
      REEL_RETURN_IF_ERROR(Unsigned<uint32_t>(versions, "[versions]", "interval_seconds", 1,
                                              kMaxIntervalSeconds, &m.interval_seconds));
      REEL_RETURN_IF_ERROR(Unsigned<uint32_t>(versions, "[versions]", "trash_retention_days", 0,
                                              kMaxTrashRetentionDays, &m.trash_retention_days));
    }

    REEL_ASSIGN_OR_RETURN(const toml::table* cache, Table(root, "cache", false));
    if (cache) {
      REEL_RETURN_IF_ERROR(
          CheckKeys(*cache, "[cache]", {"staging_dir", "chunk_cache", "metadata_ms"}));
      REEL_RETURN_IF_ERROR(String(cache, "[cache]", "staging_dir", &m.staging_dir, false));
      REEL_RETURN_IF_ERROR(Size(cache, "[cache]", "chunk_cache", 1ull << 50, &m.chunk_cache_bytes));
      REEL_RETURN_IF_ERROR(Unsigned<uint32_t>(cache, "[cache]", "metadata_ms", 0, kMaxMetadataMs,
                                              &m.metadata_ms));
    }

    REEL_ASSIGN_OR_RETURN(const toml::table* gc, Table(root, "gc", false));
    if (gc) {
      REEL_RETURN_IF_ERROR(CheckKeys(*gc, "[gc]", {"grace_seconds"}));
      REEL_RETURN_IF_ERROR(Unsigned<uint64_t>(gc, "[gc]", "grace_seconds", 0, kMaxGcGraceSeconds,
                                              &m.gc_grace_seconds));
    }

    REEL_ASSIGN_OR_RETURN(const toml::table* transfer, Table(root, "transfer", false));
    if (transfer) {
      REEL_RETURN_IF_ERROR(CheckKeys(*transfer, "[transfer]", {"upload_threads", "threads"}));
      REEL_RETURN_IF_ERROR(Unsigned<uint32_t>(transfer, "[transfer]", "upload_threads", 1,
                                              kMaxUploadThreads, &m.upload_threads));
      REEL_RETURN_IF_ERROR(Unsigned<uint32_t>(transfer, "[transfer]", "threads", 1,
                                              kMaxUploadThreads, &m.transfer_threads));
    }
    return m;
  }
};

std::string AbsoluteDirOf(const std::string& path) {
  std::filesystem::path p(path);
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  if (ec) abs = p;
  std::filesystem::path dir = abs.parent_path();
  // Resolve symlinks of the directory when it exists, so one drive has one identity.
  char buf[PATH_MAX];
  if (::realpath(dir.c_str(), buf) != nullptr) return buf;
  return dir.lexically_normal().string();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string Manifest::ResolvedCatalogUri() const { return ResolveUri(dir, catalog_uri, "sqlite"); }

std::string Manifest::ResolvedTierUri(const TierConfig& tier) const {
  return ResolveUri(dir, tier.uri, "file");
}

std::string Manifest::ResolvedStagingDir() const { return ResolvePath(dir, staging_dir); }

const TierConfig* Manifest::FindTier(std::string_view name) const {
  for (const auto& t : tiers) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::string Manifest::Path() const { return dir + "/" + kManifestFileName; }

bool operator==(const Manifest& a, const Manifest& b) {
  const ChunkerOptions& ca = a.chunking;
  const ChunkerOptions& cb = b.chunking;
  return a.format == b.format && a.id == b.id && a.name == b.name &&
         a.catalog_uri == b.catalog_uri &&
         a.backup_interval_seconds == b.backup_interval_seconds &&
         a.backup_keep == b.backup_keep && a.tiers == b.tiers && ca.kind == cb.kind &&
         ca.min_size == cb.min_size && ca.avg_size == cb.avg_size && ca.max_size == cb.max_size &&
         ca.fixed_size == cb.fixed_size && a.policy == b.policy &&
         a.interval_seconds == b.interval_seconds &&
         a.trash_retention_days == b.trash_retention_days && a.staging_dir == b.staging_dir &&
         a.chunk_cache_bytes == b.chunk_cache_bytes && a.metadata_ms == b.metadata_ms &&
         a.gc_grace_seconds == b.gc_grace_seconds &&
         a.upload_threads == b.upload_threads && a.transfer_threads == b.transfer_threads &&
         a.team_server == b.team_server && a.team_workspace == b.team_workspace &&
         a.team_follow_changes == b.team_follow_changes && a.lock_on_open == b.lock_on_open &&
         a.dir == b.dir;
}

std::string_view PolicyName(VersionPolicy policy) {
  switch (policy) {
    case VersionPolicy::kOnClose: return "on-close";
    case VersionPolicy::kInterval: return "interval";
    case VersionPolicy::kManual: return "manual";
  }
  return "on-close";
}

Result<VersionPolicy> ParsePolicy(std::string_view name) {
  if (name == "on-close") return VersionPolicy::kOnClose;
  if (name == "interval") return VersionPolicy::kInterval;
  if (name == "manual") return VersionPolicy::kManual;
  return Status::InvalidArgument("unknown policy '" + std::string(name) +
                                 "' (expected on-close, interval or manual)");
}

std::string_view ChunkingName(ChunkerOptions::Kind kind) {
  return kind == ChunkerOptions::Kind::kFixed ? "fixed" : "fastcdc";
}

Result<ChunkerOptions::Kind> ParseChunking(std::string_view name) {
  if (name == "fastcdc") return ChunkerOptions::Kind::kFastCdc;
  if (name == "fixed") return ChunkerOptions::Kind::kFixed;
  return Status::InvalidArgument("unknown chunking algorithm '" + std::string(name) +
                                 "' (expected fastcdc or fixed)");
}

std::string NewDriveId() {
  uint8_t b[16];
  SecureRandomBytes(b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return out;
}

Status ValidateManifest(const Manifest& m, const std::string& where) {
  auto bad = [&](std::string_view key, const std::string& msg) {
    return Status::InvalidArgument(where + ": " + std::string(key) + ": " + msg);
  };
  if (m.format != kManifestFormat) {
    return Status(Code::kNotSupported, where + ": format " + std::to_string(m.format) +
                                           " is not supported (expected " +
                                           std::to_string(kManifestFormat) + ")");
  }
  if (!IsUuid(m.id)) {
    return bad("[drive] id", "'" + m.id + "' is not a lower-case UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
  }
  if (m.name.empty()) return bad("[drive] name", "must not be empty");
  if (m.name.size() > 255) return bad("[drive] name", "longer than 255 bytes");
  if (HasControlChars(m.name) || !IsUtf8(m.name)) {
    return bad("[drive] name", "must be UTF-8 text without control characters");
  }

  // Team: a server URL and a workspace name; the shared tiers are the server's.
  if (m.team_server.empty() != m.team_workspace.empty()) {
    return bad("[team]", "needs both server and workspace");
  }
  if (m.IsTeam()) {
    if (!(m.team_server.starts_with("http://") || m.team_server.starts_with("https://")) ||
        HasControlChars(m.team_server) || !IsUtf8(m.team_server)) {
      return bad("[team] server", "must be an http:// or https:// URL");
    }
    const bool name_ok =
        m.team_workspace.size() <= 64 &&
        m.team_workspace.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") ==
            std::string::npos &&
        m.team_workspace.front() != '.' && m.team_workspace.front() != '-' &&
        m.team_workspace.front() != '_';
    if (!name_ok) return bad("[team] workspace", "is 1 to 64 of [a-z0-9._-], starting with a letter or digit");
    if (m.tiers.size() != 1) {
      return bad("[[tier]]", "a team drive has only its local tier: the shared ones are the server's");
    }
  }

  // Catalog: an SQLite file (relative or absolute) or the in-memory database.
  if (m.catalog_uri != "sqlite::memory:") {
    const std::string prefix = "sqlite://";
    if (m.catalog_uri.rfind(prefix, 0) != 0 || m.catalog_uri.size() == prefix.size()) {
      return bad("[catalog] uri", "'" + m.catalog_uri +
                                      "' is not supported (expected sqlite://PATH or "
                                      "sqlite::memory:)");
    }
  }
  if (HasControlChars(m.catalog_uri) || !IsUtf8(m.catalog_uri)) {
    return bad("[catalog] uri", "must be UTF-8 text without control characters");
  }
  if (m.backup_interval_seconds > kMaxBackupIntervalSeconds) {
    return bad("[catalog] backup_interval", "at most " + FormatDuration(kMaxBackupIntervalSeconds));
  }
  if (m.backup_keep < 1 || m.backup_keep > kMaxBackupKeep) {
    return bad("[catalog] backup_keep", "must be 1 to " + std::to_string(kMaxBackupKeep));
  }

  if (m.tiers.empty()) return bad("[[tier]]", "at least one tier (local) is required");
  std::set<std::string> names;
  for (size_t i = 0; i < m.tiers.size(); ++i) {
    const auto& t = m.tiers[i];
    std::string label = "[[tier]] #" + std::to_string(i + 1);
    if (!IsTierName(t.name)) {
      return bad(label + " name", "'" + t.name + "' is not a valid tier name ([a-z0-9_-], 1-64 bytes)");
    }
    if (!names.insert(t.name).second) return bad(label + " name", "duplicate tier '" + t.name + "'");
    // local first, then edge, then cloud: the order reads try them in.
    static const std::vector<std::string> kOrder = {"local", "edge", "cloud"};
    auto rank = std::find(kOrder.begin(), kOrder.end(), t.name);
    if (rank == kOrder.end()) {
      return bad(label + " name", "unknown tier '" + t.name + "' (expected local, edge or cloud)");
    }
    if (i == 0 && t.name != "local") return bad(label + " name", "the first tier must be 'local'");
    if (i > 0 && rank <= std::find(kOrder.begin(), kOrder.end(), m.tiers[i - 1].name)) {
      return bad(label + " name", "tiers must be in the order local, edge, cloud");
    }
    if (t.name != "local" && t.limit_bytes != 0) {
      return bad(label + " limit", "only the local tier has a size limit");
    }
    bool file = t.uri.rfind("file://", 0) == 0 && t.uri.size() > 7;
    bool memory = t.uri.rfind("memory://", 0) == 0;
    bool remote = t.uri.rfind("s3://", 0) == 0 || t.uri.rfind("rados://", 0) == 0;
    if (t.name == "local" && !file && !memory) {
      return bad(label + " uri", "'" + t.uri +
                                     "' is not supported for the local tier (expected file://PATH "
                                     "or memory://NAME)");
    }
    if (!file && !memory && !remote) {
      return bad(label + " uri", "'" + t.uri.substr(0, t.uri.find(':')) +
                                     ":...' is not a supported store (file://, s3://, rados://)");
    }
    if (HasControlChars(t.uri) || !IsUtf8(t.uri)) {
      return bad(label + " uri", "must be UTF-8 text without control characters");
    }
  }

  const ChunkerOptions& c = m.chunking;
  if (c.min_size >= c.avg_size) {
    return bad("[chunking] min_size", FormatExactSize(c.min_size) +
                                          " must be smaller than avg_size (" +
                                          FormatExactSize(c.avg_size) + ")");
  }
  if (c.avg_size >= c.max_size) {
    return bad("[chunking] max_size", FormatExactSize(c.max_size) +
                                          " must be larger than avg_size (" +
                                          FormatExactSize(c.avg_size) + ")");
  }
  // Both algorithms' sizes are checked, whichever is selected, so switching `algorithm` later
  // never meets an invalid value.
  for (auto kind : {ChunkerOptions::Kind::kFastCdc, ChunkerOptions::Kind::kFixed}) {
    ChunkerOptions each = c;
    each.kind = kind;
    Status chunker = ValidateChunkerOptions(each);
    if (!chunker.ok()) return bad("[chunking]", chunker.message());
  }

  if (m.interval_seconds < 1 || m.interval_seconds > kMaxIntervalSeconds) {
    return bad("[versions] interval_seconds",
               "must be between 1 and " + std::to_string(kMaxIntervalSeconds));
  }
  if (m.trash_retention_days > kMaxTrashRetentionDays) {
    return bad("[versions] trash_retention_days",
               "must be at most " + std::to_string(kMaxTrashRetentionDays));
  }
  if (m.staging_dir.empty()) return bad("[cache] staging_dir", "must not be empty");
  if (HasControlChars(m.staging_dir) || !IsUtf8(m.staging_dir)) {
    return bad("[cache] staging_dir", "must be UTF-8 text without control characters");
  }
  if (m.lock_on_open.size() > 100) return bad("[locks] on_open", "at most 100 endings");
  for (const std::string& ending : m.lock_on_open) {
    if (ending.empty() || ending.size() > 64 || ending.find('/') != std::string::npos ||
        HasControlChars(ending) || !IsUtf8(ending)) {
      return bad("[locks] on_open", "each is a name ending such as \".psd\": 1 to 64 bytes of "
                                    "UTF-8, no '/' or control characters");
    }
  }
  if (m.metadata_ms > kMaxMetadataMs) {
    return bad("[cache] metadata_ms", "must be at most " + std::to_string(kMaxMetadataMs));
  }
  if (m.gc_grace_seconds > kMaxGcGraceSeconds) {
    return bad("[gc] grace_seconds", "must be at most " + std::to_string(kMaxGcGraceSeconds));
  }
  if (m.transfer_threads < 1 || m.transfer_threads > kMaxUploadThreads) {
    return bad("[transfer] threads", "must be 1 to " + std::to_string(kMaxUploadThreads));
  }
  if (m.upload_threads < 1 || m.upload_threads > kMaxUploadThreads) {
    return bad("[transfer] upload_threads",
               "must be between 1 and " + std::to_string(kMaxUploadThreads));
  }
  return Status::Ok();
}

Result<Manifest> ParseManifest(std::string_view text, const std::string& path) {
  REEL_ASSIGN_OR_RETURN(toml::table root, ParseToml(text, path));
  ManifestParser parser(path);
  REEL_ASSIGN_OR_RETURN(Manifest m, parser.Parse(root));
  REEL_RETURN_IF_ERROR(ValidateManifest(m, path));
  m.dir = AbsoluteDirOf(path);
  return m;
}

Result<Manifest> LoadManifest(const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) {
      return Status::NotFound("no drive manifest at " + path);
    }
    return text.status();
  }
  return ParseManifest(*text, path);
}

std::string FormatManifest(const Manifest& m) {
  std::string s;
  s += "# ReelDrive bootstrap manifest: it fully describes this drive. Every key is documented in\n";
  s += "# docs/manifest.md. Relative paths and URIs resolve against the directory of this file.\n";
  s += "format = " + std::to_string(m.format) + "\n\n";
  s += "[drive]\n";
  s += "id = " + TomlQuote(m.id) + "\n";
  s += "name = " + TomlQuote(m.name) + "\n\n";
  if (m.IsTeam()) {
    s += "# one workspace of a team drive, through its server (the token is in your credentials)\n";
    s += "[team]\n";
    s += "server = " + TomlQuote(m.team_server) + "\n";
    s += "workspace = " + TomlQuote(m.team_workspace) + "\n";
    s += "follow_changes = " + std::string(m.team_follow_changes ? "true" : "false") + "\n\n";
    s += "# files of these kinds are locked for the whole team while open for writing here\n";
    s += "[locks]\n";
    s += "on_open = [";
    for (size_t i = 0; i < m.lock_on_open.size(); ++i) {
      s += (i == 0 ? "" : ", ") + TomlQuote(m.lock_on_open[i]);
    }
    s += "]\n\n";
  }
  s += "[catalog]\n";
  s += "uri = " + TomlQuote(m.catalog_uri) + "\n";
  s += "# a compressed snapshot to the shared tiers (else locally) this often, and at unmount\n";
  s += "backup_interval = " + TomlQuote(FormatDuration(m.backup_interval_seconds)) + "\n";
  s += "backup_keep = " + std::to_string(m.backup_keep) + "\n\n";
  for (const auto& t : m.tiers) {
    s += "[[tier]]\n";
    s += "name = " + TomlQuote(t.name) + "\n";
    s += "uri = " + TomlQuote(t.uri) + "\n";
    if (t.limit_bytes != 0) s += "limit = " + TomlQuote(FormatExactSize(t.limit_bytes)) + "\n";
    s += "\n";
  }
  s += "[chunking]\n";
  s += "# \"fastcdc\" (content-defined, min/avg/max) or \"fixed\" (fixed_size)\n";
  s += "algorithm = " + TomlQuote(ChunkingName(m.chunking.kind)) + "\n";
  s += "min_size = " + TomlQuote(FormatExactSize(m.chunking.min_size)) + "\n";
  s += "avg_size = " + TomlQuote(FormatExactSize(m.chunking.avg_size)) + "\n";
  s += "max_size = " + TomlQuote(FormatExactSize(m.chunking.max_size)) + "\n";
  s += "fixed_size = " + TomlQuote(FormatExactSize(m.chunking.fixed_size)) + "\n\n";
  s += "[versions]\n";
  s += "# \"on-close\", \"interval\" or \"manual\"\n";
  s += "policy = " + TomlQuote(PolicyName(m.policy)) + "\n";
  s += "interval_seconds = " + std::to_string(m.interval_seconds) + "\n";
  s += "trash_retention_days = " + std::to_string(m.trash_retention_days) + "\n\n";
  s += "[cache]\n";
  s += "staging_dir = " + TomlQuote(m.staging_dir) + "\n";
  s += "chunk_cache = " + TomlQuote(FormatExactSize(m.chunk_cache_bytes)) + "\n";
  s += "metadata_ms = " + std::to_string(m.metadata_ms) + "\n\n";
  s += "[gc]\n";
  s += "grace_seconds = " + std::to_string(m.gc_grace_seconds) + "\n\n";
  s += "[transfer]\n";
  s += "upload_threads = " + std::to_string(m.upload_threads) + "\n";
  s += "# parallel copies to and from the edge and cloud tiers (the transfer queue)\n";
  s += "threads = " + std::to_string(m.transfer_threads) + "\n";
  return s;
}

Status WriteManifest(const std::string& path, const Manifest& m) {
  REEL_RETURN_IF_ERROR(ValidateManifest(m, path));
  return WriteFileAtomic(path, std::string_view(FormatManifest(m)), 0600);
}

EngineOptions ToEngineOptions(const Manifest& m) {
  EngineOptions o;
  o.chunking = m.chunking;
  o.policy = m.policy;
  o.interval_seconds = m.interval_seconds;
  o.staging_dir = m.ResolvedStagingDir();
  o.chunk_cache_bytes = m.chunk_cache_bytes;
  o.trash_retention_seconds = static_cast<int64_t>(m.trash_retention_days) * 24 * 3600;
  o.gc_grace_seconds = static_cast<int64_t>(m.gc_grace_seconds);
  o.upload_threads = m.upload_threads;
  return o;
}

}  // namespace reel
