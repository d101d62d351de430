// Reading the change feed over HTTP, the same way on a mount's control API (GET /v1/events) and
// on the team server (GET /v1/workspaces/NAME/events): the query parameters, and the long poll
// that waits for the next event when there is none yet.
//
//   after=N   events after seq N (default 0)
//   limit=N   at most N events, 1..1000 (default 100)
//   wait=S    when there is no event after N yet, wait up to S seconds (0..25, default 0) for
//             one before answering an empty page
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

struct EventRead {
  EventQuery query;
  std::chrono::milliseconds wait{0};
};

inline constexpr size_t kDefaultEventsPerRead = 100;
inline constexpr std::chrono::seconds kMaxEventWait{25};

// The parameters above from a request's query (httplib::Params); InvalidArgument for a value
// that is not a decimal number in range. Other parameters are the caller's to refuse.
[[nodiscard]] Result<EventRead> ParseEventRead(const std::multimap<std::string, std::string>& params);

// The reads of a server that wait for events: each holds one of the server's request threads, so
// at most `max_waiting` wait at once (Busy for more), and Stop() answers them all at once so the
// server can stop without waiting out their waits.
class EventWaiters {
 public:
  explicit EventWaiters(size_t max_waiting) : max_waiting_(max_waiting) {}
  // Answers every waiting read now, and every later one without waiting.
  void Stop();
  // A change was committed through this server: waiting reads look again now instead of at
  // their next poll.
  void Notify();
  [[nodiscard]] bool stopped();

  // `read(query)`, read again until it has events, `request.wait` has passed or Stop(): at
  // every Notify() and every `poll` (the catalog has no push; a change made through another
  // server is seen at the next poll).
  [[nodiscard]] Result<EventPage> Read(
      const std::function<Result<EventPage>(const EventQuery&)>& read, const EventRead& request,
      std::chrono::milliseconds poll = std::chrono::milliseconds(100));

 private:
  const size_t max_waiting_;
  std::mutex mu_;  // guards waiting_, stopped_ and changes_
  std::condition_variable cv_;
  size_t waiting_ = 0;
  bool stopped_ = false;
  uint64_t changes_ = 0;  // Notify() calls
};

}  // namespace reel
