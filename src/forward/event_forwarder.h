// EventForwarder: one [[forward]] of server.toml (forward/event_sink.h): the team's whole change
// feed delivered to a sink in order, at least once, by whichever server holds the lease
// "forward.NAME" (TeamDirectory::TakeLease), never by assuming one server.
//
// Each step takes or renews the lease, reads the events after the forwarder's cursor (stored in
// the team's database, so a server that takes over, or one restarted after a crash, resumes
// where the last delivery was acknowledged), delivers them, and only then moves the cursor,
// fenced by the lease's token: a server that lost the lease while it delivered cannot move it.
// A batch whose delivery failed, or whose cursor did not move, is delivered again: consumers
// drop repeats by the event's id. Events trimmed before they were delivered (a forwarder down
// for longer than the feed is kept) are logged and counted as missed.
//
// A failed delivery drops the sink's connection (the next step connects afresh: a JetStream
// stream that went is made again). After kFailuresBeforeRelease failed deliveries in a row the
// server releases the lease and leaves it alone for a third of its lifetime, so another server
// (which may reach the destination) takes over.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "catalog/types.h"
#include "catalog_rpc/event_feed.h"
#include "common/status.h"
#include "forward/event_sink.h"

namespace reel {

class TeamDirectory;

// Connects the forwarder's sink; called by the lease holder before its first delivery, and again
// after a failure to connect.
using SinkOpener = std::function<Result<std::unique_ptr<EventSink>>()>;

struct ForwarderOptions {
  std::string holder;                     // this server; "" makes a random one
  std::chrono::seconds lease_ttl{30};     // a dead server's forwarding moves on after this
  size_t batch = 500;                     // events per delivery, 1 to kMaxEventsPerRead
  std::chrono::milliseconds idle_wait{5000};  // how long a step waits for new events
  // How often a waiting step looks at the feed (a change through this server wakes it at once:
  // Notify()).
  std::chrono::milliseconds poll{100};
  std::function<TimeNs()> clock;          // unset: the wall clock
};

struct ForwardReport {
  bool held = false;       // false: another server holds the lease
  uint64_t delivered = 0;  // events delivered by this step
  uint64_t cursor = 0;     // the last event delivered, after this step
  uint64_t missed = 0;     // events trimmed before they could be delivered
};

inline constexpr int kFailuresBeforeRelease = 3;

class EventForwarder {
 public:
  // `team` must outlive it. Nothing runs until Start() (or RunOnce()).
  [[nodiscard]] static Result<std::unique_ptr<EventForwarder>> Create(
      TeamDirectory* team, std::string name, SinkOpener open, ForwarderOptions options);
  ~EventForwarder();  // Stop()
  EventForwarder(const EventForwarder&) = delete;
  EventForwarder& operator=(const EventForwarder&) = delete;

  // Runs steps on a thread of its own until Stop(), retrying failures with a growing delay.
  void Start();
  // Stops the thread (a step waiting for events returns at once) and releases the lease.
  void Stop();
  // A change was committed through this server: a waiting step looks again now.
  void Notify() { waiters_.Notify(); }

  // One step; waits up to `wait` for events when there are none after the cursor.
  [[nodiscard]] Result<ForwardReport> RunOnce(std::chrono::milliseconds wait = {});

  const std::string& name() const { return name_; }
  // For metrics: whether this server held the lease at its last step, events delivered and
  // failed steps since start.
  bool holding() const { return holding_.load(); }
  uint64_t delivered() const { return delivered_.load(); }
  uint64_t failures() const { return failures_.load(); }

 private:
  EventForwarder(TeamDirectory* team, std::string name, SinkOpener open,
                 ForwarderOptions options, std::string drive_id);
  void Run();
  // Takes or renews the lease; nullopt (and not holding) when another server has it.
  Result<std::optional<uint64_t>> Renew(TimeNs now);

  TeamDirectory* const team_;
  const std::string name_;
  const std::string lease_;  // "forward." + name_
  const SinkOpener open_;
  const ForwarderOptions options_;
  const std::string drive_id_;
  EventWaiters waiters_{1};
  // Used by the stepping thread only (or the caller of RunOnce when there is none).
  uint64_t token_ = 0;   // the lease's token when this server last held it (0: not held)
  uint64_t cursor_ = 0;  // the last event delivered, as of token_
  std::unique_ptr<EventSink> sink_;  // null until connected
  int failed_deliveries_ = 0;  // in a row
  TimeNs standby_until_ = 0;   // after releasing the lease: not taken again before this
  std::atomic<bool> holding_{false};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failures_{0};
  std::mutex mu_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace reel
