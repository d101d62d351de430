// FeedFollower: how a team mount learns of the changes other machines make to its workspace. A
// thread reads the workspace's change feed from the server (GET /v1/workspaces/NAME/events, a
// long poll that the server answers as soon as a change commits) and hands each page of other
// instances' events to `apply`, which drops what the mount had cached of them (the catalog
// cache's answers, the kernel's names, attributes and pages). The mount's own changes, named by
// its instance id (TeamClientOptions::instance), are skipped: it has already seen them.
//
// It starts after the newest event of the feed: what the mount caches is read after that. When
// the server cannot be reached it tries again with a growing delay (the cache's short lifetime
// covers the gap); when every waiting slot of the server is taken (409 busy) it reads without
// waiting, kPoll apart, for a while; when it comes back after events it had not read were
// trimmed, `apply` is told that some were missed and forgets everything. Stop() ends a read in
// progress at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"
#include "remote/team_client.h"

namespace reel {

class FeedFollower {
 public:
  // `events`: other instances' events, in order; `missed`: events were trimmed before they were
  // read, so anything cached may be stale.
  using Apply = std::function<void(const std::vector<ChangeEvent>& events, bool missed)>;

  FeedFollower(TeamClientOptions client, std::string workspace);
  ~FeedFollower();  // Stop()
  FeedFollower(const FeedFollower&) = delete;
  FeedFollower& operator=(const FeedFollower&) = delete;

  // Reads where the feed is now, then follows it in a thread, calling `apply` there.
  [[nodiscard]] Status Start(Apply apply);
  void Stop();

  // The seq of the last event read (applied or skipped): how far this mount has followed.
  uint64_t cursor() const { return cursor_.load(); }
  // The newest seq of the team's whole feed at the last read (cursor() lags it while events
  // wait to be read).
  uint64_t newest() const { return newest_.load(); }

 private:
  // One read of the feed after `after` (long poll up to kWait).
  Result<EventPage> Read(uint64_t after, std::chrono::seconds wait);
  void Loop();    // Follow(), then done_
  void Follow();  // until Stop()

  static constexpr std::chrono::seconds kWait{20};
  // When the server has no slot for a waiting read: reads that do not wait, kPoll apart, for
  // kPollFor, then a waiting read again.
  static constexpr std::chrono::milliseconds kPoll{100};
  static constexpr std::chrono::seconds kPollFor{10};

  const TeamClientOptions options_;
  const std::string workspace_;
  Apply apply_;
  std::atomic<uint64_t> cursor_{0};
  std::atomic<uint64_t> newest_{0};
  // guards stopping_, done_ and client_ (the call in progress is stopped through it)
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool done_ = false;  // Loop() has returned
  std::unique_ptr<httplib::Client> client_;
  std::thread thread_;
};

}  // namespace reel
