// Early chunks: a big file written front to back is chunked and stored while it is still being
// written, on the committer thread, so closing it leaves only the tail to cut (see StagedFile).
// The writer never waits for this work beyond one read of 4 MiB under the shared lock.
#include <spdlog/spdlog.h>

#include "chunking/chunker.h"
#include "engine/chunk_uploader.h"
#include "engine/engine_impl.h"
#include "engine/version_builder.h"

namespace reel {
namespace {

// Early chunking starts once this much is written past the early chunks (smaller files are cut
// at close as before), and one pass reads at most kMaxPass, a kReadPiece at a time.
constexpr uint64_t kStartBytes = 32ull << 20;
constexpr uint64_t kMaxPass = 64ull << 20;
constexpr uint64_t kReadPiece = 4ull << 20;

}  // namespace

void EngineImpl::MaybePrepareEarlyChunks(FileState& fs) {
  if (!fs.staged || fs.staged->base_limit() != 0) return;
  const uint64_t from = fs.staged->early_end();
  if (fs.staged->size() < from + kStartBytes) return;
  if (fs.staged->WrittenUntil(from) >= from + kStartBytes) committer_->EnqueuePrepare(fs.ino);
}

void EngineImpl::PrepareEarlyChunks(InodeId ino) {
  if (!FindFile(ino)) return;
  std::shared_ptr<FileState> fs = Pin(ino);
  struct Unpinner {
    EngineImpl* engine;
    const std::shared_ptr<FileState>& fs;
    ~Unpinner() { engine->Unpin(fs); }
  } unpinner{this, fs};

  std::shared_ptr<StagedFile> staged;
  uint64_t start = 0, until = 0;
  {
    std::unique_lock lock(fs->mu);
    staged = fs->staged;
    if (!staged || staged->base_limit() != 0) return;
    (void)staged->EarlyChunks();  // drops what changes made stale; `start` is where that leaves
    start = staged->early_end();
    until = staged->WrittenUntil(start);
  }
  if (until < start + kStartBytes) return;
  until = std::min(until, start + kMaxPass);

  // The bytes, a piece at a time under the shared lock: the writer goes on in between, and a
  // change it makes below `until` drops what was cut from it when the chunks are added.
  std::vector<uint8_t> data(until - start);
  for (uint64_t at = start; at < until; at += kReadPiece) {
    std::shared_lock lock(fs->mu);
    if (fs->staged != staged) return;  // committed or dropped meanwhile
    const size_t n = static_cast<size_t>(std::min(kReadPiece, until - at));
    Status s = staged->ReadStaged(at, std::span<uint8_t>(data.data() + (at - start), n));
    if (!s.ok()) {
      spdlog::debug("early chunks of inode {}: {}", ino, s.ToString());
      return;  // the commit at close cuts these bytes itself
    }
  }

  // Hashed and stored by the uploader's threads, like a commit's chunks; pinned here again
  // before the uploader lets its pins go.
  std::vector<ChunkRef> refs;
  {
    ChunkUploader uploader(store_.get(), catalog_.get(), &inflight_, options_.upload_threads,
                           4ull * chunker_->MaxChunk());
    size_t pos = 0;
    for (uint32_t len : CutEarlyChunks(*chunker_, data)) {
      uploader.AddNew(std::vector<uint8_t>(data.begin() + static_cast<ptrdiff_t>(pos),
                                           data.begin() + static_cast<ptrdiff_t>(pos + len)));
      pos += len;
    }
    auto stored = uploader.Finish(/*sync=*/false);
    if (!stored.ok()) {
      spdlog::debug("early chunks of inode {}: {}", ino, stored.status().ToString());
      return;  // the commit at close cuts these bytes itself
    }
    refs = std::move(stored).value();
    for (const ChunkRef& r : refs) inflight_.Add(r.id);
    const UploadStats& st = uploader.stats();
    chunks_written_ += st.chunks_written;
    chunk_bytes_written_ += st.bytes_written;
    chunks_deduplicated_ += st.chunks_deduplicated;
  }
  auto unpin_all = [&] {
    for (const ChunkRef& r : refs) inflight_.Remove(r.id);
  };

  std::unique_lock lock(fs->mu);
  if (fs->staged != staged || staged->base_limit() != 0 || staged->early_end() != start) {
    unpin_all();  // committed, truncated or cut by someone else meanwhile
    return;
  }
  staged->AddEarlyChunks(refs, &inflight_);
  MaybePrepareEarlyChunks(*fs);  // more arrived while this pass ran
}

}  // namespace reel
