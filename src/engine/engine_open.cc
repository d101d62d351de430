// Engine construction, crash recovery of staged writes, and shutdown.
#include <time.h>

#include <chrono>

#include <spdlog/spdlog.h>

#include "common/fs_util.h"
#include "engine/chunk_uploader.h"
#include "engine/engine_impl.h"
#include "engine/version_builder.h"

namespace reel {

TimeNs NowNs() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<TimeNs>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Result<std::unique_ptr<Engine>> Engine::Open(std::unique_ptr<Catalog> catalog,
                                             std::unique_ptr<ObjectStore> store,
                                             EngineOptions options) {
  if (!catalog || !store) return Status::InvalidArgument("engine needs a catalog and a store");
  if (options.staging_dir.empty()) return Status::InvalidArgument("staging_dir is not set");
  REEL_RETURN_IF_ERROR(MakeDirs(options.staging_dir));
  REEL_ASSIGN_OR_RETURN(auto chunker, MakeChunker(options.chunking));
  auto engine = std::make_unique<EngineImpl>(std::move(catalog), std::move(store),
                                             std::move(options), std::move(chunker));
  REEL_RETURN_IF_ERROR(engine->Recover());
  engine->StartCommitter();
  return std::unique_ptr<Engine>(std::move(engine));
}

EngineImpl::EngineImpl(std::unique_ptr<Catalog> catalog, std::unique_ptr<ObjectStore> store,
                       EngineOptions options, std::unique_ptr<Chunker> chunker)
    : catalog_(std::move(catalog)), store_(std::move(store)), options_(std::move(options)),
      chunker_(std::move(chunker)), reader_(store_.get(), options_.chunk_names, options_.chunk_cache_bytes),
      virtual_tree_(catalog_.get()) {}

EngineImpl::~EngineImpl() {
  Status s = Shutdown();
  if (!s.ok()) spdlog::error("shutdown: {}", s.ToString());
}

void EngineImpl::StartCommitter() {
  uint32_t interval = options_.policy == VersionPolicy::kInterval ? options_.interval_seconds : 0;
  committer_ = std::make_unique<Committer>([this](InodeId ino) { CommitQueued(ino); },
                                           [this] { CommitAllDirty(VersionKind::kAutosave); },
                                           interval);
}

// Staged writes that were made durable (fsync or close) before a crash become "recovered"
// versions, layer by layer from the bottom. A record is dropped only when the catalog says so for
// certain: the file is gone (NotFound) or not a regular file, or one of its versions carries the
// record's id (the crash hit between the catalog commit and the cleanup). Any other catalog error
// keeps every record and fails the open, so the data is recovered at a later open; nothing is
// judged from version numbers alone. A layer made during a commit lies on the version that
// carries the id of the layer below it: committed before the crash, or just now by recovery.
Status EngineImpl::Recover() {
  REEL_ASSIGN_OR_RETURN(auto metas, StagedFile::ListRecoverable(options_.staging_dir));
  for (const auto& meta : metas) {
    REEL_ASSIGN_OR_RETURN(RecoveryPlan plan, PlanRecovery(meta));
    if (!plan.recover) {
      spdlog::info("recovery: dropping staged writes of inode {} ({})", meta.ino, plan.why);
      StagedFile::Discard(options_.staging_dir, meta);
      continue;
    }
    REEL_ASSIGN_OR_RETURN(auto staged, StagedFile::Reopen(options_.staging_dir, meta));
    auto fs = Pin(meta.ino);
    {
      std::unique_lock lock(fs->mu);
      fs->base = plan.base;  // the version the writes were made on (see PlanRecovery)
      fs->loaded = true;
      fs->staged = std::move(staged);
    }
    auto info = CommitFile(*fs, VersionKind::kRecovered, plan.why);
    Unpin(fs);
    if (!info.ok()) {
      return info.status().WithContext("recovering inode " + std::to_string(meta.ino) +
                                       " (its staged writes are kept)");
    }
    if (*info) {
      spdlog::info("recovery: inode {} -> version {} ({} bytes)", meta.ino, (*info)->number,
                   (*info)->size);
    }
  }
  return Status::Ok();
}

Result<EngineImpl::RecoveryPlan> EngineImpl::PlanRecovery(const StagedMeta& meta) {
  auto kept = [&](const Status& s) {
    return s.WithContext("recovery of inode " + std::to_string(meta.ino) + " in " +
                         options_.staging_dir + ": the catalog failed; its staged writes are kept "
                         "and recovered at the next open");
  };
  RecoveryPlan plan;
  auto attr = catalog_->GetAttributes(meta.ino);
  auto versions = attr.ok() ? catalog_->ListVersions(meta.ino) : attr.status();
  if (!versions.ok()) {
    if (versions.status().code() != Code::kNotFound) return kept(versions.status());
    plan.why = "the file is gone";
    return plan;
  }
  if (attr->type != FileType::kRegular) {
    plan.why = "the inode is no longer a regular file";
    return plan;
  }
  const VersionInfo* base = nullptr;
  for (const VersionInfo& v : *versions) {
    if (meta.id != 0 && v.commit_id == meta.id) {
      plan.why = "already committed as version " + std::to_string(v.number);
      return plan;
    }
    bool same = meta.over_id != 0          ? v.commit_id == meta.over_id
                : meta.base_created != 0 ? v.created == meta.base_created
                                         : v.number == meta.base_version;
    if ((meta.base_version != 0 || meta.over_id != 0) && same) base = &v;
  }
  plan.recover = true;
  plan.why = "recovered after a crash";
  uint64_t base_number = base != nullptr ? base->number : 0;
  if ((meta.base_version != 0 || meta.over_id != 0) && base == nullptr) {
    // The catalog does not know the version the writes were made on (it was restored from a
    // backup taken before it): bytes not rewritten since then come from the current version.
    base_number = attr->version;
    plan.why = "recovered after a crash; its base version is not in the catalog, unwritten "
               "bytes come from version " + std::to_string(base_number);
  }
  if (base_number != 0) {
    auto version = catalog_->GetVersion(meta.ino, base_number);
    if (!version.ok()) return kept(version.status());
    plan.base = VersionLayout(std::make_shared<const Version>(std::move(version).value()));
  }
  return plan;
}

Status EngineImpl::WaitIdle() {
  {
    std::unique_lock lock(files_mu_);
    released_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return closing_writers_ == 0; });
  }
  if (committer_) committer_->WaitIdle();
  // Commits that failed (e.g. the disk was full) are tried once more, now.
  std::vector<InodeId> failed;
  {
    std::lock_guard lock(commit_errors_mu_);
    for (const auto& [ino, status] : commit_errors_) failed.push_back(ino);
  }
  if (failed.empty()) return Status::Ok();
  if (committer_) {
    for (InodeId ino : failed) committer_->Enqueue(ino);
    committer_->WaitIdle();
  }
  std::lock_guard lock(commit_errors_mu_);
  if (commit_errors_.empty()) return Status::Ok();
  const Status& first = commit_errors_.begin()->second;
  return Status(first.code(), std::to_string(commit_errors_.size()) +
                                  " closed file(s) could not be committed (their data is kept "
                                  "staged and tried again at the next sync): " +
                                  first.message());
}

EngineCounters EngineImpl::Counters() {
  EngineCounters c;
  c.chunks_written = chunks_written_.load();
  c.chunk_bytes_written = chunk_bytes_written_.load();
  c.chunks_deduplicated = chunks_deduplicated_.load();
  c.versions_committed = versions_committed_.load();
  c.conflicts = conflicts_.load();
  c.pending_commits = committer_ ? committer_->Pending() : 0;
  c.chunks_prefetched = reader_.prefetched();
  return c;
}

Status EngineImpl::Shutdown() {
  if (shut_down_.exchange(true)) return Status::Ok();
  if (committer_) committer_->Stop();
  // Whatever is still staged (manual policy, files still open) becomes a version: nothing that
  // was written is left behind.
  CommitAllDirty(VersionKind::kAutosave);
  return catalog_->Sync();
}

}  // namespace reel
