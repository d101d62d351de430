#include "remote/team_locks.h"

#include <spdlog/spdlog.h>

#include "catalog_rpc/catalog_json.h"
#include "common/percent_encode.h"

namespace reel {

using nlohmann::json;

namespace {

constexpr std::chrono::milliseconds kTick{500};

}  // namespace

TeamLocks::TeamLocks(TeamClientOptions client, std::string workspace)
    : client_(client),
      renewer_client_(WithoutRetries(client)),
      workspace_(std::move(workspace)),
      instance_(client.instance) {}

TeamLocks::~TeamLocks() { Stop(); }

void TeamLocks::Start() {
  ticker_.Start(kTick, [this] { Renew(); });
}

void TeamLocks::Stop() {
  ticker_.Stop();
  uint64_t session = 0;
  {
    std::lock_guard lock(mu_);
    session = std::exchange(session_, 0);
    held_.clear();
  }
  if (session == 0) return;
  Result<json> r = renewer_client_.Call("DELETE", "/v1/lock-sessions/" + std::to_string(session),
                                        nullptr);
  if (!r.ok()) {
    spdlog::warn("locks: could not end this mount's lock session ({}); its locks go when it "
                 "lapses",
                 r.status().ToString());
  }
}

uint64_t TeamLocks::session() const {
  std::lock_guard lock(mu_);
  return session_;
}

uint64_t TeamLocks::lapsed() const {
  std::lock_guard lock(mu_);
  return lapsed_;
}

void TeamLocks::Lapse(uint64_t session) {
  if (session_ != session || session == 0) return;
  session_ = 0;
  held_.clear();
  ++lapsed_;
  ++releases_;
  cv_.notify_all();
  spdlog::error("locks: the server did not hear this mount for longer than the lock lease: its "
                "locks are gone, and what was written under them will be kept as rejected "
                "versions");
}

void TeamLocks::Renew() {
  uint64_t session = 0;
  {
    std::lock_guard lock(mu_);
    if (session_ == 0 || std::chrono::steady_clock::now() < renew_at_) return;
    session = session_;
  }
  Result<json> r = renewer_client_.Call(
      "POST", "/v1/lock-sessions/" + std::to_string(session) + "/renew", json::object());
  std::lock_guard lock(mu_);
  if (r.ok()) {
    lease_ = std::chrono::milliseconds(r->value("lease_ms", int64_t{30'000}));
    renew_at_ = std::chrono::steady_clock::now() + lease_ / 3;
  } else if (r.status().code() == Code::kConflict) {
    Lapse(session);
  } else {
    spdlog::warn("locks: renewing the lock session: {}", r.status().ToString());
  }
}

Result<std::optional<LockHolderInfo>> TeamLocks::Call(InodeId ino, const FileLock& lock,
                                                      bool test) {
  for (int attempt = 0;; ++attempt) {
    uint64_t session = 0;
    bool creating = false;
    {
      std::unique_lock l(mu_);
      cv_.wait(l, [this] { return !creating_; });
      session = session_;
      if (session == 0 && !test && lock.type != LockType::kUnlock) creating_ = creating = true;
    }
    json body{{"ino", ino},
              {"flavor", LockFlavorName(lock.flavor)},
              {"type", LockTypeName(lock.type)},
              {"owner", lock.owner},
              {"first", lock.first},
              {"last", lock.last},
              {"pid", lock.pid},
              {"session", session},
              {"test", test}};
    Result<json> r =
        client_.Call("POST", "/v1/workspaces/" + PercentEncode(workspace_) + "/locks", body);
    std::lock_guard l(mu_);
    if (creating) {
      creating_ = false;
      cv_.notify_all();
    }
    if (!r.ok()) {
      if (r.status().code() == Code::kConflict && session != 0 && attempt == 0) {
        Lapse(session);
        continue;  // once more, in a new session
      }
      return r.status();
    }
    return Decode<std::optional<LockHolderInfo>>(r, client_.url(), [&](const json& j) {
      const uint64_t now_session = j.at("session").get<uint64_t>();
      if (now_session != 0 && session_ == 0) {
        session_ = now_session;
        lease_ = std::chrono::milliseconds(j.value("lease_ms", int64_t{30'000}));
        renew_at_ = std::chrono::steady_clock::now() + lease_ / 3;
      }
      std::optional<LockHolderInfo> conflict;
      if (j.contains("conflict")) {
        conflict = j.at("conflict").get<LockHolderInfo>();
        // Another machine's process ids mean nothing here.
        if (conflict->instance != instance_) conflict->lock.pid = 0;
      }
      if (!test && j.at("granted").get<bool>()) {
        if (j.at("held").get<bool>()) {
          held_.insert(ino);
        } else {
          held_.erase(ino);
        }
        if (lock.type == LockType::kWrite) fences_[ino] = now_session;
        if (lock.type == LockType::kUnlock) {
          ++releases_;
          cv_.notify_all();
        }
      }
      return conflict;
    });
  }
}

Result<std::optional<LockHolderInfo>> TeamLocks::Set(InodeId ino, const FileLock& lock) {
  return Call(ino, lock, /*test=*/false);
}

Result<std::optional<LockHolderInfo>> TeamLocks::Test(InodeId ino, const FileLock& lock) {
  return Call(ino, lock, /*test=*/true);
}

bool TeamLocks::Holds(InodeId ino) {
  std::lock_guard l(mu_);
  return held_.count(ino) != 0;
}

Result<std::vector<LockHolderInfo>> TeamLocks::Holders(InodeId ino) {
  return Decode<std::vector<LockHolderInfo>>(
      client_.Call("GET",
                   "/v1/workspaces/" + PercentEncode(workspace_) + "/locks?ino=" +
                       std::to_string(ino),
                   nullptr),
      client_.url(), [](const json& body) {
        return body.at("locks").get<std::vector<LockHolderInfo>>();
      });
}

void TeamLocks::WaitForRelease(InodeId /*ino*/, std::chrono::milliseconds max) {
  std::unique_lock l(mu_);
  const uint64_t seen = releases_;
  cv_.wait_for(l, max, [&] { return releases_ != seen; });
}

void TeamLocks::ReleasedElsewhere(InodeId /*ino*/) {
  std::lock_guard l(mu_);
  ++releases_;
  cv_.notify_all();
}

uint64_t TeamLocks::FenceFor(InodeId ino) {
  std::lock_guard l(mu_);
  auto it = fences_.find(ino);
  return it == fences_.end() ? 0 : it->second;
}

void TeamLocks::Committed(InodeId ino, uint64_t fence) {
  std::lock_guard l(mu_);
  auto it = fences_.find(ino);
  if (it != fences_.end() && it->second == fence && held_.count(ino) == 0) fences_.erase(it);
}

}  // namespace reel
