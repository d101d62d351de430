// ChunkUploader: collects the ordered chunk list of a version being committed. New chunk data is
// hashed, checked against the catalog (dedup) and written to the store by a small pool of worker
// threads; reused chunks pass straight through. Every id stays registered in InflightChunks until
// the uploader is destroyed, which must happen after the catalog commit that references them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "chunking/chunk_names.h"
#include "common/chunk_id.h"
#include "common/status.h"

namespace reel {

class Catalog;
class ObjectStore;
class InflightChunks;

struct UploadStats {
  uint64_t chunks_written = 0;
  uint64_t bytes_written = 0;
  uint64_t chunks_deduplicated = 0;
};

class ChunkUploader {
 public:
  // New content is named by `names`.
  ChunkUploader(ObjectStore* store, Catalog* catalog, InflightChunks* inflight,
                const ChunkNames& names, uint32_t threads, uint64_t max_queued_bytes);
  ~ChunkUploader();
  ChunkUploader(const ChunkUploader&) = delete;
  ChunkUploader& operator=(const ChunkUploader&) = delete;

  // Appends an already stored chunk (or a hole).
  void AddExisting(const ChunkRef& ref);
  // Appends new content; blocks while too much is queued.
  void AddNew(std::vector<uint8_t> data);
  // Waits for every queued chunk and makes the new ones durable (one ObjectStore::SyncPuts);
  // the ordered list, or the first error.
  Result<std::vector<ChunkRef>> Finish();
  const UploadStats& stats() const { return stats_; }

 private:
  struct Job {
    size_t slot;
    std::vector<uint8_t> data;
  };
  void WorkerLoop();
  Status Store(size_t slot, const std::vector<uint8_t>& data);

  ObjectStore* store_;
  Catalog* catalog_;
  InflightChunks* inflight_;
  const ChunkNames names_;
  const uint32_t max_threads_;
  const uint64_t max_queued_bytes_;

  std::mutex mu_;  // guards everything below
  std::condition_variable work_cv_;   // a job was queued or stop_ set
  std::condition_variable space_cv_;  // queued bytes dropped or a job finished
  std::deque<Job> jobs_;
  uint64_t queued_bytes_ = 0;
  size_t running_ = 0;
  bool stop_ = false;
  Status first_error_;
  std::deque<ChunkRef> refs_;  // deque: slots keep their address while the list grows
  std::vector<ChunkId> registered_;
  UploadStats stats_;
  std::vector<std::thread> workers_;
};

}  // namespace reel
