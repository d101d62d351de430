// FaultInjectionStore: an ObjectStore wrapper for tests (in the spirit of leveldb's
// FaultInjectionTestEnv). It forwards every call to a base store and can be told to
//   - fail the next N calls of one operation with a given Status (FailNext), or
//   - let N more Puts through and then fail every Put (FailPutsAfter), e.g. "the store fills up"
//     or "the network goes away" in the middle of a write-back, or
//   - hold every Put until released (HoldPuts), e.g. "a slow store" in the middle of a commit.
// A failure is injected either before the call reaches the base (nothing changes) or after it
// (the change happened, the caller still sees the error: a lost reply).
//
// Faults are only consumed by calls with a valid key: a bad key gets InvalidArgument first, like
// from any store. With nothing armed the wrapper is transparent (it runs the shared conformance
// suite). Thread-safe: the fault state is guarded by a mutex that is never held while the base
// store is called.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "store/object_store.h"

namespace reel {

class FaultInjectionStore final : public ObjectStore {
 public:
  enum class Op { kPut = 0, kGet, kGetRange, kHead, kDelete, kList };
  static constexpr size_t kNumOps = 6;
  static std::string_view OpName(Op op);

  enum class When {
    kBefore,  // fail without calling the base store
    kAfter,   // call the base store, then report the injected error instead of its result
  };

  // Takes (or shares) the base store. A std::unique_ptr converts.
  explicit FaultInjectionStore(std::shared_ptr<ObjectStore> base) : base_(std::move(base)) {}

  // The next `count` calls of `op` fail with `status` (must not be OK). Replaces an earlier
  // FailNext for the same op; count <= 0 disarms it.
  void FailNext(Op op, int count, Status status, When when = When::kBefore);
  // The next `puts_left` Puts go through; every Put after them fails with `status`, until
  // ClearFaults. (FailNext(kPut, ...) is checked first; Puts it fails do not count down.)
  void FailPutsAfter(int puts_left, Status status, When when = When::kBefore);
  // Disarms everything (and releases held Puts). Counters are kept.
  void ClearFaults();
  // While held, every Put waits before it reaches the base store, until HoldPuts(false).
  void HoldPuts(bool hold);
  // Waits until a Put is waiting in HoldPuts, or `timeout` passes (false).
  bool WaitForHeldPut(std::chrono::milliseconds timeout);

  // Calls of `op` seen (with a valid key), and how many of them got an injected failure.
  uint64_t calls(Op op) const;
  uint64_t injected_failures(Op op) const;

  ObjectStore* base() const { return base_.get(); }

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  // Counted and failed as Puts; SyncPuts is forwarded.
  Status PutUnsynced(const std::string& key, std::span<const uint8_t> data) override;
  // Counted and failed as Puts; the base store checks the parts.
  Status PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                        std::span<const HashedPart> parts) override;
  Status SyncPuts() override { return base_->SyncPuts(); }
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  // Counted and failed as GetRange; forwarded to the base store's own GetRangeInto.
  Result<uint64_t> GetRangeInto(const std::string& key, uint64_t offset,
                                std::span<const std::span<uint8_t>> into) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  // The base store's URI.
  std::string Uri() const override { return base_->Uri(); }

 private:
  // A Put of some kind: counted, maybe failed before or after `put` reaches the base store.
  Status PutVia(const std::string& key, const std::function<Status()>& put);
  struct Fault {
    Status status;
    When when = When::kBefore;
  };
  struct Armed {
    int remaining = 0;
    Fault fault;
  };
  // Counts a call of `op` and returns the fault to inject into it, if any.
  std::optional<Fault> Decide(Op op);

  const std::shared_ptr<ObjectStore> base_;

  mutable std::mutex mu_;  // guards everything below
  std::array<Armed, kNumOps> next_{};
  bool puts_countdown_armed_ = false;
  int puts_left_ = 0;
  Fault puts_fault_;
  std::array<uint64_t, kNumOps> calls_{};
  std::array<uint64_t, kNumOps> injected_{};
  bool hold_puts_ = false;          // HoldPuts
  int held_puts_ = 0;               // Puts waiting now
  std::condition_variable held_cv_;  // hold_puts_ or held_puts_ changed
};

}  // namespace reel
