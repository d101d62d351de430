// The S3 gateway stops answering (SIGSTOP of the radosgw process that scripts/ceph-up.sh recorded
// in $CEPH_DIR/pids) while Puts run, then comes back (SIGCONT). Every Put must either succeed
// (possibly after retries) or return Unavailable, and every object must read back whole. Each
// phase waits for the outcome it needs (a Put done, a Put timed out, the probe in flight), with a
// bounded timeout, not for a fixed time.
// Runs alone (RUN_SERIAL): other suites on the same gateway would stall too.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/fault_injection_store.h"
#include "store/s3_test_env.h"
#include "testing/wait.h"

namespace reel {
namespace {

using Clock = std::chrono::steady_clock;

// The gateway's PID from $CEPH_DIR/pids ("rgw <pid>" line), or 0.
pid_t GatewayPid() {
  const char* dir = std::getenv("CEPH_DIR");
  if (dir == nullptr) return 0;
  std::ifstream in(std::string(dir) + "/pids");
  std::string name;
  pid_t pid = 0;
  while (in >> name >> pid) {
    if (name == "rgw") return pid;
  }
  return 0;
}

// Stops the gateway until Resume() or destruction, so it is continued whatever happens.
class StoppedGateway {
 public:
  explicit StoppedGateway(pid_t pid) : pid_(pid) { EXPECT_EQ(::kill(pid_, SIGSTOP), 0); }
  ~StoppedGateway() { Resume(); }
  void Resume() {
    if (pid_ != 0) ::kill(pid_, SIGCONT);
    pid_ = 0;
  }
  StoppedGateway(const StoppedGateway&) = delete;
  StoppedGateway& operator=(const StoppedGateway&) = delete;

 private:
  pid_t pid_;
};

std::vector<uint8_t> Content(int i) {
  return std::vector<uint8_t>(32'768 + i * 97, static_cast<uint8_t>(i * 31 + 7));
}

TEST(S3OutageTest, PutsSurviveAGatewayThatStopsAndComesBack) {
  // Short deadlines so both outcomes happen within a few seconds: Puts that start in the outage
  // run out of their 2.5 s retry deadline; one in flight when it ends succeeds.
  auto opened = testing::OpenTestS3Store(
      "retry_deadline_ms=2500&stall_timeout_ms=1000&connect_timeout_ms=1000&max_connections=4");
  if (opened.status().code() == Code::kNotSupported) GTEST_SKIP() << opened.status().ToString();
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  std::shared_ptr<ObjectStore> store = std::move(opened).value();
  const pid_t rgw = GatewayPid();
  if (rgw == 0) {
    if (testing::S3Required()) FAIL() << "no rgw PID in $CEPH_DIR/pids";
    GTEST_SKIP() << "no rgw PID in $CEPH_DIR/pids (set CEPH_DIR to the cluster's directory)";
  }

  struct Outcome {
    Code code;
  };
  std::mutex mu;  // guards outcomes, ok_puts, unavailable_puts
  std::condition_variable changed;  // an outcome was recorded
  std::map<int, Outcome> outcomes;
  int ok_puts = 0, unavailable_puts = 0;
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&] {
      while (!stop.load()) {
        int i = next++;
        Status s = store->Put("outage/" + std::to_string(i), Content(i));
        std::lock_guard lock(mu);
        outcomes[i] = {s.code()};
        ok_puts += s.ok() ? 1 : 0;
        unavailable_puts += s.code() == Code::kUnavailable ? 1 : 0;
        if (!s.ok() && s.code() != Code::kUnavailable) ADD_FAILURE() << i << ": " << s.ToString();
        changed.notify_all();
      }
    });
  }
  // Waits (bounded) until the writers' outcomes satisfy `done`.
  auto wait_for = [&](const char* what, auto done) {
    std::unique_lock lock(mu);
    bool met = changed.wait_for(lock, std::chrono::seconds(60), [&] { return done(); });
    EXPECT_TRUE(met) << "timed out waiting until " << what;
    return met;
  };
  // The probe Put starts while the gateway is stopped and Puts are timing out (its own counting
  // wrapper tells when it has started); the gateway is resumed then, inside the probe's deadline,
  // so the probe must succeed, retrying if its first attempt was lost to the outage.
  FaultInjectionStore probe_store(store);
  Status probe_status;
  Clock::time_point probe_done, resumed;
  int ok_before_resume = 0;
  if (wait_for("a Put succeeded before the outage", [&] { return ok_puts > 0; })) {
    StoppedGateway stopped(rgw);
    // Puts that started in the outage run out of their 2.5 s retry deadline.
    wait_for("a Put was Unavailable in the outage", [&] { return unavailable_puts > 0; });
    std::thread probe([&] {
      probe_status = probe_store.Put("outage/probe", Content(7));
      probe_done = Clock::now();
    });
    EXPECT_TRUE(testing::WaitUntil(
        [&] { return probe_store.calls(FaultInjectionStore::Op::kPut) == 1; },
        std::chrono::seconds(10)));
    {
      std::lock_guard lock(mu);
      ok_before_resume = ok_puts;
    }
    resumed = Clock::now();
    stopped.Resume();
    probe.join();
  }
  // Writers' Puts succeed again once the gateway is back.
  wait_for("a Put succeeded after the outage", [&] { return ok_puts > ok_before_resume; });
  stop = true;
  for (auto& t : writers) t.join();

  int ok = 0, unavailable = 0;
  for (const auto& [i, o] : outcomes) {
    if (o.code == Code::kOk) ++ok;
    if (o.code == Code::kUnavailable) ++unavailable;
  }
  std::cout << "puts: " << ok << " ok, " << unavailable << " unavailable; probe "
            << probe_status.ToString() << "\n";
  EXPECT_GT(ok, 0);
  EXPECT_GT(unavailable, 0);
  ASSERT_TRUE(probe_status.ok()) << probe_status.ToString();
  EXPECT_GE(probe_done, resumed);  // it waited for the gateway
  EXPECT_EQ(*store->Get("outage/probe"), Content(7));
  // Nothing is torn: an acknowledged Put reads back exactly; an Unavailable one is absent or
  // whole (its request may still have completed after the gateway resumed).
  for (const auto& [i, o] : outcomes) {
    auto got = store->Get("outage/" + std::to_string(i));
    if (o.code == Code::kOk) {
      ASSERT_TRUE(got.ok()) << i << ": " << got.status().ToString();
      EXPECT_TRUE(*got == Content(i)) << i;
    } else if (got.ok()) {
      EXPECT_TRUE(*got == Content(i)) << i;
    } else {
      EXPECT_EQ(got.status().code(), Code::kNotFound) << i << ": " << got.status().ToString();
    }
  }
}

}  // namespace
}  // namespace reel
