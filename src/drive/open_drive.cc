// OpenDrive lives apart from drive.cc so code that only creates or inspects drives does not pull
// in the engine.
#include <openssl/crypto.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "drive/catalog_backup.h"
#include "drive/drive.h"
#include "drive/drive_identity.h"
#include "engine/engine.h"
#include "machine/machine_state.h"
#include "remote/cached_catalog.h"
#include "remote/create_ahead_catalog.h"
#include "remote/credentials.h"
#include "remote/feed_follower.h"
#include "remote/instance_reporter.h"
#include "remote/team_locks.h"
#include "remote/task_runner.h"
#include "remote/presigned_store.h"
#include "remote/remote_catalog.h"
#include "remote/team_client.h"
#include "store/object_store.h"
#include "tiers/placement.h"
#include "tiers/publish_requests.h"
#include "tiers/tiered_store.h"
#include "tiers/transfer_engine.h"

namespace reel {

OpenedDrive::OpenedDrive() = default;
OpenedDrive::OpenedDrive(OpenedDrive&&) noexcept = default;
OpenedDrive::~OpenedDrive() { Close(); }

OpenedDrive& OpenedDrive::operator=(OpenedDrive&& other) noexcept {
  if (this == &other) return *this;
  Close();
  engine = std::move(other.engine);
  store = std::exchange(other.store, nullptr);
  machine = std::move(other.machine);
  transfers = std::move(other.transfers);
  placement = std::move(other.placement);
  backups = std::move(other.backups);
  feed = std::move(other.feed);
  reporter = std::move(other.reporter);
  tasks = std::move(other.tasks);
  locks = std::move(other.locks);
  read_only = other.read_only;
  return *this;
}

void OpenedDrive::Close() {
  feed.reset();      // its thread calls into the engine and wakes the task runner
  tasks.reset();     // a task runs through placement and the engine
  reporter.reset();  // its last report reads the engine, the cache and the queue
  placement.reset();
  transfers.reset();
  if (backups) {
    backups->Stop();
    if (engine) {
      // The last backup holds what the shutdown committed.
      Status shut = engine->Shutdown();
      if (!shut.ok()) spdlog::error("shutdown: {}", shut.ToString());
      auto info = backups->BackupNow();
      if (!info.ok()) spdlog::error("catalog backup at close: {}", info.status().ToString());
    }
  }
  backups.reset();
  engine.reset();
  if (locks) locks->Stop();  // after the engine's last commit, which its fences cover
  locks.reset();
  machine.reset();
  store = nullptr;
}

std::string MachineStatePath(const Manifest& manifest) { return manifest.dir + "/machine.db"; }

std::string CreateJournalPath(const Manifest& manifest) {
  return manifest.dir + "/creates.journal";
}

namespace {

// What a drive is made of before the engine: its catalog, this machine's cache store and the
// shared tiers, and (for a drive of one's own) the catalog's backups.
struct DriveParts {
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<ObjectStore> local;
  std::vector<SharedTier> shared;
  std::unique_ptr<CatalogBackups> backups;  // none for a team drive: the server's database
  std::string legacy_catalog;               // a catalog file that may hold this machine's state
  bool read_only = false;                   // the user only reads the team workspace
  std::shared_ptr<const ChunkCipher> cipher;  // an encrypted workspace's; else plaintext
  // A team workspace: the change feed's reader, and the catalog cache it keeps current.
  std::unique_ptr<FeedFollower> feed;
  std::unique_ptr<InstanceReporter> reporter;
  std::unique_ptr<TaskRunner> tasks;
  std::shared_ptr<TeamLocks> locks;
  CachedCatalog* cache = nullptr;
};

// A drive of one's own: the manifest's catalog and stores.
Result<DriveParts> OpenOwnDrive(const Manifest& manifest) {
  DriveParts parts;
  REEL_ASSIGN_OR_RETURN(DriveStores opened, OpenDriveStores(manifest));
  const std::vector<NamedStore> named = opened.Named();
  parts.local = std::move(opened.stores.front());  // local first
  for (size_t i = 1; i < opened.stores.size(); ++i) {
    const std::string& name = opened.tiers[i];
    parts.shared.push_back(
        {name, name == "edge" ? kTierEdge : kTierCloud, std::move(opened.stores[i])});
  }

  // Never open a lost catalog as a new one over stores that hold the drive's data.
  REEL_RETURN_IF_ERROR(CheckCatalogPresent(manifest, named));
  std::string catalog_uri = manifest.ResolvedCatalogUri();
  auto catalog = OpenCatalog(catalog_uri, ::geteuid(), ::getegid());
  if (!catalog.ok()) {
    Status s = catalog.status().WithContext("open catalog " + catalog_uri);
    if (s.code() == Code::kCorruption || s.code() == Code::kIOError) {
      return Status(s.code(), s.message() + ". " + RestoreHint(manifest, named));
    }
    return s;
  }
  REEL_RETURN_IF_ERROR(BindDrive(manifest, **catalog, named));
  // Creates are answered at once and recorded in batches (create_ahead_catalog.h).
  REEL_ASSIGN_OR_RETURN(parts.catalog,
                        CreateAheadCatalog::Open(std::move(catalog).value(), CreateJournalPath(manifest)));
  parts.legacy_catalog = CatalogFilePath(manifest);
  parts.backups = std::make_unique<CatalogBackups>(
      parts.catalog.get(), CatalogBackupTargets(named), manifest.dir, manifest.backup_keep,
      manifest.backup_interval_seconds);
  return parts;
}

// A workspace of a team drive: its namespace and shared tiers through the server, as the user
// logged in to it; this machine's cache from the manifest.
Result<DriveParts> OpenTeamDrive(const Manifest& manifest, const TierConfig& local) {
  REEL_ASSIGN_OR_RETURN(std::string path, CredentialsPath());
  REEL_ASSIGN_OR_RETURN(Credentials credentials, Credentials::Load(path));
  REEL_ASSIGN_OR_RETURN(auto login, credentials.Find(manifest.team_server));
  TeamClientOptions client;
  client.url = login.first;
  client.token = login.second.token;
  client.ca_cert = login.second.ca_cert;
  client.instance = NewInstanceId();  // this mount's changes, as the change feed names them
  // Every part of the mount takes turns on the same few connections (the feed's waiting reads
  // keep one of their own): each open connection holds one of the server's request threads.
  client.connections = NewTeamConnections(client);
  TeamClient team(client);
  DriveParts parts;
  REEL_ASSIGN_OR_RETURN(WorkspaceView space, team.WorkspaceInfo(manifest.team_workspace));
  parts.read_only = space.role == "reader";
  if (space.encrypted) {
    REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> key, team.WorkspaceKey(space.name));
    auto cipher = ChunkCipher::FromWorkspaceKey(key);
    OPENSSL_cleanse(key.data(), key.size());
    REEL_ASSIGN_OR_RETURN(parts.cipher, std::move(cipher));
  }
  REEL_ASSIGN_OR_RETURN(std::vector<std::string> tiers, team.StoreTiers(space.name));
  REEL_ASSIGN_OR_RETURN(parts.local, OpenObjectStore(manifest.ResolvedTierUri(local)));
  for (const std::string& tier : tiers) {
    parts.shared.push_back({tier, tier == "edge" ? kTierEdge : kTierCloud,
                            std::make_unique<PresignedStore>(client, manifest.team_workspace,
                                                             tier, !space.encrypted)});
  }
  auto cached = std::make_unique<CachedCatalog>(
      std::make_unique<RemoteCatalog>(client, manifest.team_workspace),
      std::chrono::milliseconds(manifest.metadata_ms));
  parts.cache = cached.get();
  if (manifest.team_follow_changes) {
    parts.feed = std::make_unique<FeedFollower>(client, manifest.team_workspace);
  }
  parts.reporter = std::make_unique<InstanceReporter>(client, manifest.team_workspace);
  // The feed's task events wake the runner; without a feed it asks every second.
  parts.tasks = std::make_unique<TaskRunner>(
      client, manifest.team_follow_changes ? kTaskPollWithFeed : std::chrono::seconds(1));
  parts.locks = std::make_shared<TeamLocks>(client, manifest.team_workspace);
  if (parts.read_only) {
    parts.catalog = std::move(cached);
  } else {
    // A writer's creates are answered here and recorded in batches (create_ahead_catalog.h).
    REEL_ASSIGN_OR_RETURN(parts.catalog,
                          CreateAheadCatalog::Open(std::move(cached), CreateJournalPath(manifest)));
  }
  return parts;
}

// A task a pipeline sent this mount (remote/task_runner.h): what `reel KIND PATH` does here.
Result<std::string> RunTask(Engine& engine, Placement& placement, const std::string& kind,
                            const std::string& path) {
  Result<InodeId> found = engine.Resolve(path);
  if (found.status().code() == Code::kNotFound) {
    return Status::NotFound("\"" + path + "\" is not in the workspace");
  }
  REEL_ASSIGN_OR_RETURN(InodeId ino, std::move(found));
  Result<PlacementResult> r = Status::InvalidArgument("unknown task \"" + kind + "\"");
  if (kind == "publish" || kind == "save") {
    REEL_RETURN_IF_ERROR(engine.WaitIdle());  // what was closed before the task is in it
    r = kind == "publish" ? placement.Publish(ino) : placement.SaveToWorkingTier(ino);
  } else if (kind == "hydrate") {
    r = placement.Hydrate(ino);
  } else if (kind == "evict") {
    r = placement.Evict(ino);
  } else if (kind == "pin" || kind == "unpin") {
    r = placement.Pin(ino, kind == "pin");
  }
  REEL_RETURN_IF_ERROR(r.status());
  return std::to_string(r->files) + " files, " + std::to_string(r->chunks) + " chunks, " +
         std::to_string(r->bytes) + " bytes";
}

}  // namespace

Result<OpenedDrive> OpenDrive(const Manifest& manifest, const DriveLock& lock) {
  if (lock.dir() != manifest.dir) {
    return Status::Internal("OpenDrive: the lock held is for " + lock.dir() +
                            ", the manifest is in " + manifest.dir);
  }
  REEL_RETURN_IF_ERROR(ValidateManifest(manifest, manifest.Path()));
  const TierConfig* local = manifest.LocalTier();
  if (local == nullptr) return Status::InvalidArgument(manifest.Path() + ": no local tier");

  EngineOptions options = ToEngineOptions(manifest);
  REEL_RETURN_IF_ERROR(MakeDirs(options.staging_dir, 0700));
  // A team workspace that publishes every save answers a commit with its publish requested:
  // Placement uploads it.
  auto publish_requests = std::make_shared<PublishRequests>();
  options.on_committed = [publish_requests](InodeId ino, const VersionInfo& v) {
    if (v.published < 0) publish_requests->Add(ino, v.number);
  };

  REEL_ASSIGN_OR_RETURN(DriveParts parts, manifest.IsTeam() ? OpenTeamDrive(manifest, *local)
                                                           : OpenOwnDrive(manifest));
  if (parts.cipher) options.chunk_names = parts.cipher->names();
  // A catalog file of an older ReelDrive may still hold this machine's queue and pins.
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<MachineState> machine,
                        MachineState::Open(MachineStatePath(manifest), parts.legacy_catalog));
  Catalog* catalog_ptr = parts.catalog.get();

  auto tiered = std::make_unique<TieredStore>(std::move(parts.local), std::move(parts.shared),
                                              catalog_ptr, local->limit_bytes, parts.cipher);
  REEL_RETURN_IF_ERROR(tiered->Open().WithContext("index the local cache"));
  TieredStore* tiered_ptr = tiered.get();

  OpenedDrive drive;
  auto engine = Engine::Open(std::move(parts.catalog), std::move(tiered), options);
  if (!engine.ok()) return engine.status().WithContext("open drive " + manifest.dir);
  drive.engine = std::move(engine).value();
  drive.store = tiered_ptr;
  drive.backups = std::move(parts.backups);
  drive.read_only = parts.read_only;
  drive.machine = std::move(machine);
  if (parts.locks) {
    drive.engine->SetFileLocks(parts.locks, manifest.lock_on_open);
    parts.locks->Start();
    drive.locks = std::move(parts.locks);
  }
  if (parts.feed) {
    CachedCatalog* cache = parts.cache;
    Engine* engine = drive.engine.get();
    TaskRunner* tasks = parts.tasks.get();  // stopped after the feed (Close)
    Status followed = parts.feed->Start(
        [cache, engine, tasks](const std::vector<ChangeEvent>& events, bool missed) {
          if (missed) {
            cache->ForgetAll();
          } else {
            cache->Forget(events);
          }
          engine->ApplyRemoteChanges(events);
          const bool task = std::any_of(events.begin(), events.end(), [](const ChangeEvent& e) {
            return e.kind == ChangeKind::kTask;
          });
          if (tasks != nullptr && (task || missed)) tasks->Wake();
        });
    if (!followed.ok()) {
      spdlog::warn("change feed: {}; other machines' changes show when the metadata cache "
                   "expires instead ([cache] metadata_ms)",
                   followed.ToString());
    }
    drive.feed = std::move(parts.feed);
  }
  if (drive.backups) drive.backups->Start();
  drive.transfers =
      std::make_unique<TransferEngine>(catalog_ptr, drive.machine.get(), tiered_ptr,
                                       manifest.transfer_threads);
  drive.placement = std::make_unique<Placement>(
      catalog_ptr, drive.machine.get(), tiered_ptr, drive.transfers.get(),
      manifest.IsTeam() ? publish_requests : nullptr);
  REEL_RETURN_IF_ERROR(drive.placement->Start());
  REEL_RETURN_IF_ERROR(drive.transfers->Start());
  if (parts.reporter) {
    Engine* engine = drive.engine.get();
    TransferEngine* transfers = drive.transfers.get();
    parts.reporter->Start([engine, tiered_ptr, transfers] {
      InstanceView now;
      const CacheStats cache = tiered_ptr->cache().Stats();
      now.cache_bytes = cache.bytes;
      now.cache_limit = cache.limit_bytes;
      if (auto p = transfers->Progress(); p.ok()) now.transfer_queue = p->queue.queued;
      now.pending_commits = engine->Counters().pending_commits;
      return now;
    });
    drive.reporter = std::move(parts.reporter);
  }
  if (parts.tasks) {
    Engine* engine = drive.engine.get();
    Placement* placement = drive.placement.get();
    parts.tasks->Start([engine, placement](const std::string& kind,
                                           const std::string& path) -> Result<std::string> {
      return RunTask(*engine, *placement, kind, path);
    });
    drive.tasks = std::move(parts.tasks);
  }
  return drive;
}

}  // namespace reel
