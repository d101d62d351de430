// TeamLocks: a team mount's locks on files, held through its server (POST /v1/workspaces/W/
// locks, server/routes_locks.cc) so that every mount of the workspace sees them. They live in
// this instance's lock session, made by its first lock and renewed in the background at a third
// of the server's lease; if the server does not hear it for a lease (the machine stopped, the
// network went), the session lapses: its locks are free for others, and a commit of a file
// written under them is kept as a rejected version (the session's token fences it). The session
// ends (its locks go at once) at Stop(), after the mount's last commit.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "common/ticker.h"
#include "engine/file_locks.h"
#include "remote/team_client.h"

namespace reel {

class TeamLocks final : public FileLocks {
 public:
  TeamLocks(TeamClientOptions client, std::string workspace);
  ~TeamLocks() override;  // Stop()
  TeamLocks(const TeamLocks&) = delete;
  TeamLocks& operator=(const TeamLocks&) = delete;

  // Starts renewing the session once there is one.
  void Start();
  // Stops renewing and ends the session (best effort): its locks go.
  void Stop();

  Result<std::optional<LockHolderInfo>> Set(InodeId ino, const FileLock& lock) override;
  Result<std::optional<LockHolderInfo>> Test(InodeId ino, const FileLock& lock) override;
  bool Holds(InodeId ino) override;
  Result<std::vector<LockHolderInfo>> Holders(InodeId ino) override;
  void WaitForRelease(InodeId ino, std::chrono::milliseconds max) override;
  void ReleasedElsewhere(InodeId ino) override;
  uint64_t FenceFor(InodeId ino) override;
  void Committed(InodeId ino, uint64_t fence) override;

  // The session's token (0: none now); sessions that lapsed.
  uint64_t session() const;
  uint64_t lapsed() const;

 private:
  [[nodiscard]] Result<std::optional<LockHolderInfo>> Call(InodeId ino, const FileLock& lock,
                                                           bool test);
  void Renew();
  void Lapse(uint64_t session);  // mu_ held

  TeamClient client_;
  TeamClient renewer_client_;  // no retries: a renewal is tried again at the next tick
  const std::string workspace_;
  const std::string instance_;  // this mount's

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;  // a session was made or a lock was released
  uint64_t session_ = 0;
  bool creating_ = false;       // a call is making the session: the others wait for it
  std::chrono::steady_clock::time_point renew_at_{};
  std::chrono::milliseconds lease_{30'000};
  uint64_t lapsed_ = 0;
  uint64_t releases_ = 0;       // + 1 at every release seen (here or elsewhere)
  std::set<InodeId> held_;      // files this mount holds a lock on
  std::map<InodeId, uint64_t> fences_;  // files written under a write lock: its session

  Ticker ticker_;
};

}  // namespace reel
