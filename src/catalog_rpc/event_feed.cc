#include "catalog_rpc/event_feed.h"

#include <charconv>
#include <thread>

namespace reel {

namespace {

// The query parameter `key` as a number in [low, high]; `fallback` when absent.
Result<uint64_t> Number(const std::multimap<std::string, std::string>& params, const char* key,
                        uint64_t fallback, uint64_t low, uint64_t high) {
  auto it = params.find(key);
  if (it == params.end()) return fallback;
  const std::string& text = it->second;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < low ||
      value > high) {
    return Status::InvalidArgument(std::string("query parameter '") + key + "' must be a number from " +
                                   std::to_string(low) + " to " + std::to_string(high));
  }
  return value;
}

}  // namespace

Result<EventRead> ParseEventRead(const std::multimap<std::string, std::string>& params) {
  EventRead r;
  REEL_ASSIGN_OR_RETURN(r.query.after, Number(params, "after", 0, 0, UINT64_MAX));
  REEL_ASSIGN_OR_RETURN(uint64_t limit,
                        Number(params, "limit", kDefaultEventsPerRead, 1, kMaxEventsPerRead));
  r.query.limit = static_cast<size_t>(limit);
  REEL_ASSIGN_OR_RETURN(uint64_t wait, Number(params, "wait", 0, 0,
                                              static_cast<uint64_t>(kMaxEventWait.count())));
  r.wait = std::chrono::seconds(wait);
  return r;
}

void EventWaiters::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
}

void EventWaiters::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++changes_;
  }
  cv_.notify_all();
}

bool EventWaiters::stopped() {
  std::lock_guard<std::mutex> lock(mu_);
  return stopped_;
}

Result<EventPage> EventWaiters::Read(
    const std::function<Result<EventPage>(const EventQuery&)>& read, const EventRead& request,
    std::chrono::milliseconds poll) {
  REEL_ASSIGN_OR_RETURN(EventPage page, read(request.query));
  if (!page.events.empty() || request.wait.count() == 0) return page;
  const auto deadline = std::chrono::steady_clock::now() + request.wait;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_ >= max_waiting_) {
      return Status::Busy(std::to_string(max_waiting_) +
                          " readers are already waiting for events here; read without waiting "
                          "or try again later");
    }
    ++waiting_;
  }
  Status failed;
  uint64_t seen = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen = changes_;
  }
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      const auto until = std::min(deadline, std::chrono::steady_clock::now() + poll);
      cv_.wait_until(lock, until, [&] { return stopped_ || changes_ != seen; });
      seen = changes_;
      if (stopped_ || std::chrono::steady_clock::now() >= deadline) break;
    }
    Result<EventPage> again = read(request.query);
    if (!again.ok()) {
      failed = again.status();
      break;
    }
    page = std::move(again).value();
    if (!page.events.empty()) break;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    --waiting_;
  }
  if (!failed.ok()) return failed;
  return page;
}

}  // namespace reel
