#include "forward/event_forwarder.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/hex.h"
#include "common/secure_random.h"
#include "team/team_directory.h"

namespace reel {

namespace {

constexpr TimeNs kNsPerSecond = 1'000'000'000;

ForwarderOptions Completed(ForwarderOptions o) {
  if (o.holder.empty()) o.holder = "server-" + ToHex(SecureRandomBytes(8));
  if (!o.clock) o.clock = [] { return WallClockNs(); };
  return o;
}

}  // namespace

EventForwarder::EventForwarder(TeamDirectory* team, std::string name,
                               SinkOpener open, ForwarderOptions options, std::string drive_id)
    : team_(team),
      name_(std::move(name)),
      lease_("forward." + name_),
      open_(std::move(open)),
      options_(Completed(std::move(options))),
      drive_id_(std::move(drive_id)) {}

Result<std::unique_ptr<EventForwarder>> EventForwarder::Create(TeamDirectory* team,
                                                               std::string name,
                                                               SinkOpener open,
                                                               ForwarderOptions options) {
  REEL_RETURN_IF_ERROR(ValidateForwarderName(name));
  if (options.batch == 0 || options.batch > kMaxEventsPerRead) {
    return Status::InvalidArgument("a forwarder's batch is 1 to " +
                                   std::to_string(kMaxEventsPerRead) + " events");
  }
  if (options.lease_ttl.count() <= 0) return Status::InvalidArgument("a lease lasts a positive time");
  REEL_ASSIGN_OR_RETURN(std::string drive_id, team->catalog().GetDriveId());
  return std::unique_ptr<EventForwarder>(new EventForwarder(
      team, std::move(name), std::move(open), std::move(options), std::move(drive_id)));
}

EventForwarder::~EventForwarder() { Stop(); }

void EventForwarder::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void EventForwarder::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  waiters_.Stop();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (Status s = team_->ReleaseLease(lease_, options_.holder); !s.ok()) {
    spdlog::warn("forward {}: could not release the lease: {}", name_, s.ToString());
  }
}

Result<ForwardReport> EventForwarder::RunOnce(std::chrono::milliseconds wait) {
  ForwardReport report;
  const TimeNs now = options_.clock();
  if (now < standby_until_) return report;  // left for another server to take
  REEL_ASSIGN_OR_RETURN(std::optional<uint64_t> token, Renew(now));
  if (!token) return report;
  report.held = true;
  if (sink_ == nullptr) {
    REEL_ASSIGN_OR_RETURN(sink_, open_());
  }
  if (*token != token_) {
    // Newly held: another server may have moved the cursor since this one last held it.
    REEL_ASSIGN_OR_RETURN(cursor_, team_->ForwardCursor(name_));
    token_ = *token;
    spdlog::info("forward {}: delivering to {} after event {} (lease token {})", name_,
                 sink_->Describe(), cursor_, token_);
  }
  report.cursor = cursor_;
  EventRead read;
  read.query.after = cursor_;
  read.query.limit = options_.batch;
  read.wait = std::min(wait, std::chrono::milliseconds(options_.lease_ttl) / 3);
  REEL_ASSIGN_OR_RETURN(
      EventPage page,
      waiters_.Read([this](const EventQuery& q) { return team_->catalog().ReadEvents(q); }, read,
                    options_.poll));
  if (page.events.empty()) return report;
  if (read.wait.count() > 0) {
    // The read may have waited a while: the delivery gets the lease's whole lifetime.
    REEL_ASSIGN_OR_RETURN(std::optional<uint64_t> again, Renew(options_.clock()));
    if (again != token) {
      token_ = 0;
      report.held = false;
      return report;
    }
  }
  if (page.events.front().seq > cursor_ + 1) {
    report.missed = page.events.front().seq - cursor_ - 1;
    spdlog::warn("forward {}: events {} to {} were trimmed before they were delivered", name_,
                 cursor_ + 1, page.events.front().seq - 1);
  }
  const std::vector<OutgoingEvent> out = OutgoingEvents(drive_id_, page.events);
  if (Status delivered = sink_->Deliver(out); !delivered.ok()) {
    delivered = delivered.WithContext("deliver to " + sink_->Describe());
    sink_.reset();  // connect afresh at the next step
    if (++failed_deliveries_ >= kFailuresBeforeRelease) {
      failed_deliveries_ = 0;
      token_ = 0;
      holding_.store(false);
      standby_until_ = options_.clock() + options_.lease_ttl.count() * kNsPerSecond / 3;
      spdlog::warn("forward {}: {} failed deliveries in a row: lease released for another server",
                   name_, kFailuresBeforeRelease);
      if (Status s = team_->ReleaseLease(lease_, options_.holder); !s.ok()) {
        spdlog::warn("forward {}: could not release the lease: {}", name_, s.ToString());
      }
    }
    return delivered;
  }
  failed_deliveries_ = 0;
  const uint64_t last = page.events.back().seq;
  Status saved = team_->SaveForwardCursor(name_, last, lease_, options_.holder, token_,
                                          options_.clock());
  if (saved.code() == Code::kConflict) {
    token_ = 0;  // lost the lease: reload the cursor when held again
    holding_.store(false);
  }
  REEL_RETURN_IF_ERROR(saved);
  delivered_.fetch_add(page.events.size());
  cursor_ = last;
  report.cursor = last;
  report.delivered = page.events.size();
  return report;
}

Result<std::optional<uint64_t>> EventForwarder::Renew(TimeNs now) {
  REEL_ASSIGN_OR_RETURN(std::optional<uint64_t> token,
                        team_->TakeLease(lease_, options_.holder,
                                         options_.lease_ttl.count() * kNsPerSecond, now));
  holding_.store(token.has_value());
  if (!token) token_ = 0;
  return token;
}

void EventForwarder::Run() {
  const auto first_delay = std::chrono::milliseconds(200);
  const auto max_delay = std::chrono::seconds(10);
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(first_delay);
  bool failing = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Result<ForwardReport> step = RunOnce(options_.idle_wait);
    lock.lock();
    if (!step.ok()) {
      failures_.fetch_add(1);
      if (!failing) {
        spdlog::warn("forward {}: {} (retrying)", name_, step.status().ToString());
        failing = true;
      }
      wake_.wait_for(lock, delay, [&] { return stopping_; });
      delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(max_delay));
      continue;
    }
    if (failing) spdlog::info("forward {}: delivering again", name_);
    failing = false;
    delay = first_delay;
    if (!step->held) {
      wake_.wait_for(lock, options_.lease_ttl / 3, [&] { return stopping_; });
    }
  }
}

}  // namespace reel
