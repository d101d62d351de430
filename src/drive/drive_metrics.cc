#include "drive/drive_metrics.h"

#include "drive/drive.h"
#include "engine/engine.h"
#include "metrics/metrics.h"
#include "remote/feed_follower.h"
#include "tiers/local_cache.h"
#include "tiers/tiered_store.h"
#include "tiers/transfer_engine.h"

namespace reel {

namespace {

Sample Counter(std::string name, std::string help, uint64_t value) {
  return Sample{std::move(name), std::move(help), {}, static_cast<double>(value), true};
}
Sample Gauge(std::string name, std::string help, uint64_t value) {
  return Sample{std::move(name), std::move(help), {}, static_cast<double>(value), false};
}

}  // namespace

void AddDriveCollectors(Metrics& metrics, OpenedDrive& drive) {
  metrics.AddCollector([&drive](std::vector<Sample>& out) {
    const EngineCounters c = drive.engine->Counters();
    out.push_back(Counter("reel_chunks_written_total", "Chunks written to the store (new content)",
                          c.chunks_written));
    out.push_back(Counter("reel_chunk_bytes_written_total", "Bytes of the chunks written",
                          c.chunk_bytes_written));
    out.push_back(Counter("reel_chunks_deduplicated_total",
                          "Chunks of new versions the store held already", c.chunks_deduplicated));
    out.push_back(Counter("reel_versions_committed_total", "Versions committed",
                          c.versions_committed));
    out.push_back(Counter("reel_commit_conflicts_total",
                          "Commits made on a version replaced elsewhere meanwhile", c.conflicts));
    out.push_back(Gauge("reel_pending_commits", "Closed files waiting for their commit",
                        c.pending_commits));
    out.push_back(Counter("reel_chunks_prefetched_total", "Chunks fetched ahead of a reader",
                          c.chunks_prefetched));
  });
  if (drive.store != nullptr) {
    TieredStore* store = drive.store;
    metrics.AddCollector([store](std::vector<Sample>& out) {
      const CacheStats cache = store->cache().Stats();
      out.push_back(Gauge("reel_cache_bytes", "Chunk bytes in the local cache", cache.bytes));
      out.push_back(Gauge("reel_cache_limit_bytes", "The local cache's limit (0: none)",
                          cache.limit_bytes));
      out.push_back(Gauge("reel_cache_chunks", "Chunks in the local cache", cache.chunks));
      out.push_back(Counter("reel_cache_evicted_bytes_total", "Bytes evicted from the local cache",
                            cache.evicted_bytes));
      const TierFetchStats fetch = store->fetch_stats();
      out.push_back(Sample{"reel_chunk_reads_total",
                           "Chunks read, by where they came from (the cache hit ratio is local "
                           "over all)",
                           {{"from", "local"}}, static_cast<double>(fetch.local_hits), true});
      out.push_back(Sample{"reel_chunk_reads_total", "", {{"from", "shared"}},
                           static_cast<double>(fetch.remote_fetches), true});
      out.push_back(Counter("reel_shared_tier_read_bytes_total",
                            "Bytes read from the shared tiers (edge, cloud)", fetch.remote_bytes));
      out.push_back(Counter("reel_shared_tier_requests_total",
                            "GET requests sent to the shared tiers", fetch.remote_requests));
    });
  }
  if (drive.transfers != nullptr) {
    TransferEngine* transfers = drive.transfers.get();
    metrics.AddCollector([transfers](std::vector<Sample>& out) {
      auto p = transfers->Progress();
      if (!p.ok()) return;
      out.push_back(Gauge("reel_transfers_queued", "Transfers waiting in the queue",
                          p->queue.queued));
      out.push_back(Gauge("reel_transfers_running", "Transfers running", p->queue.running));
      out.push_back(Gauge("reel_transfers_waiting_retry", "Queued transfers that failed before",
                          p->queue.waiting_retry));
      out.push_back(Gauge("reel_transfers_pending_bytes", "Bytes queued or running",
                          p->queue.bytes_pending));
      out.push_back(Counter("reel_transfers_completed_total", "Transfers completed",
                            p->completed));
      out.push_back(Counter("reel_transfers_completed_bytes_total",
                            "Bytes uploaded to the shared tiers by completed transfers",
                            p->completed_bytes));
      out.push_back(Counter("reel_transfers_failures_total", "Failed transfer attempts",
                            p->failures));
    });
  }
  if (drive.feed != nullptr) {
    FeedFollower* feed = drive.feed.get();
    metrics.AddCollector([feed](std::vector<Sample>& out) {
      const uint64_t cursor = feed->cursor(), newest = feed->newest();
      out.push_back(Gauge("reel_feed_cursor", "The last event of the team's feed this mount read",
                          cursor));
      out.push_back(Gauge("reel_feed_lag_events",
                          "Events of the team's feed not yet read by this mount, as of its last "
                          "read",
                          newest > cursor ? newest - cursor : 0));
    });
  }
}

}  // namespace reel
