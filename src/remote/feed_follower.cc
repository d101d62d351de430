#include "remote/feed_follower.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "catalog_rpc/catalog_json.h"
#include "common/percent_encode.h"
#include "http/json_client.h"

namespace reel {

FeedFollower::FeedFollower(TeamClientOptions client, std::string workspace)
    : options_([&] {
        // A long poll answers after up to kWait: the read must outlast it.
        client.timeout = std::max(client.timeout, kWait + std::chrono::seconds(10));
        return std::move(client);
      }()),
      workspace_(std::move(workspace)) {}

FeedFollower::~FeedFollower() { Stop(); }

Result<EventPage> FeedFollower::Read(uint64_t after, std::chrono::seconds wait) {
  httplib::Client* client = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("the change feed's reader is stopping");
    if (!client_) client_ = NewServerClient(options_);
    client = client_.get();  // kept until the thread ends; Stop() only stops its call
  }
  const std::string target = "/v1/workspaces/" + PercentEncode(workspace_) +
                             "/events?after=" + std::to_string(after) +
                             "&limit=" + std::to_string(kMaxEventsPerRead) +
                             "&wait=" + std::to_string(wait.count());
  const auto common = ServerHeaders(options_);
  httplib::Headers headers(common.begin(), common.end());
  REEL_ASSIGN_OR_RETURN(nlohmann::json body,
                        http::DecodeResponse(client->Get(target, headers), options_.url));
  try {
    return body.get<EventPage>();
  } catch (const std::exception& e) {
    return Status::Internal("bad change feed page from " + options_.url + ": " + e.what());
  }
}

Status FeedFollower::Start(Apply apply) {
  if (thread_.joinable()) return Status::Internal("the change feed is followed already");
  REEL_ASSIGN_OR_RETURN(EventPage now, Read(0, std::chrono::seconds(0)));
  cursor_.store(now.newest);
  newest_.store(now.newest);
  apply_ = std::move(apply);
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void FeedFollower::Stop() {
  if (!thread_.joinable()) return;
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    // Ends the read in progress (its socket is shut down); again until the thread is out, in
    // case a read was starting just as it was asked to stop.
    while (!done_) {
      if (client_) client_->stop();
      cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; });
    }
  }
  thread_.join();
}

void FeedFollower::Loop() {
  Follow();
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  cv_.notify_all();
}

void FeedFollower::Follow() {
  auto delay = std::chrono::milliseconds(200);
  bool failing = false;
  // Until when reads do not wait (the server had no waiting slot free), or nullopt.
  std::optional<std::chrono::steady_clock::time_point> polling;
  for (;;) {
    const uint64_t after = cursor_.load();
    if (polling && std::chrono::steady_clock::now() >= *polling) polling.reset();
    Result<EventPage> page = Read(after, polling ? std::chrono::seconds(0) : kWait);
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (stopping_) return;
      if (!page.ok() && page.status().code() == Code::kBusy && !polling) {
        // Every waiting slot of the server is taken (by readers that went away and whose wait
        // has not run out, or by many mounts): read without waiting for a while instead of
        // backing off, so that changes still show within kPoll.
        spdlog::info("change feed of workspace {}: {}; reading every {} ms for {} s", workspace_,
                     page.status().message(), kPoll.count(), kPollFor.count());
        polling = std::chrono::steady_clock::now() + kPollFor;
        continue;
      }
      if (!page.ok()) {
        if (!failing) {
          spdlog::warn("change feed of workspace {}: {}; other machines' changes show after the "
                       "cache's lifetime until it is back",
                       workspace_, page.status().ToString());
        }
        failing = true;
        cv_.wait_for(lock, delay, [this] { return stopping_; });
        if (stopping_) return;
        delay = std::min(delay * 2, std::chrono::milliseconds(10'000));
        continue;
      }
    }
    if (failing) spdlog::info("change feed of workspace {}: following again", workspace_);
    failing = false;
    delay = std::chrono::milliseconds(200);
    // Events after the cursor were trimmed before they were read.
    const bool missed = page->oldest > after + 1;
    // An empty page of the workspace's events: none up to the newest of the whole feed.
    const uint64_t next = page->events.empty() ? std::max(after, page->newest)
                                               : page->events.back().seq;
    std::vector<ChangeEvent> theirs;
    for (ChangeEvent& e : page->events) {
      if (options_.instance.empty() || e.instance != options_.instance) {
        theirs.push_back(std::move(e));
      }
    }
    if (!theirs.empty() || missed) apply_(theirs, missed);
    cursor_.store(next);
    newest_.store(std::max(next, page->newest));
    if (polling && page->events.empty()) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kPoll, [this] { return stopping_; });
      if (stopping_) return;
    }
  }
}

}  // namespace reel
