#include "store/fault_injection_store.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/memory_store.h"

namespace reel {
namespace {

using Op = FaultInjectionStore::Op;
using When = FaultInjectionStore::When;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

class FaultInjectionStoreTest : public ::testing::Test {
 protected:
  FaultInjectionStoreTest()
      : base_(std::make_shared<MemoryStore>("base")), store_(base_) {}

  std::shared_ptr<MemoryStore> base_;
  FaultInjectionStore store_;
};

TEST_F(FaultInjectionStoreTest, ForwardsAndCountsWhenNothingArmed) {
  ASSERT_TRUE(store_.Put("k", Bytes("v")).ok());
  EXPECT_EQ(*base_->Get("k"), Bytes("v"));
  EXPECT_EQ(*store_.Get("k"), Bytes("v"));
  EXPECT_EQ(*store_.GetRange("k", 0, 1), Bytes("v"));
  EXPECT_EQ(store_.Head("k")->size, 1u);
  EXPECT_TRUE(store_.List("", [](const ObjectInfo&) { return true; }).ok());
  EXPECT_TRUE(store_.Delete("k").ok());
  for (Op op : {Op::kPut, Op::kGet, Op::kGetRange, Op::kHead, Op::kDelete, Op::kList}) {
    EXPECT_EQ(store_.calls(op), 1u) << FaultInjectionStore::OpName(op);
    EXPECT_EQ(store_.injected_failures(op), 0u) << FaultInjectionStore::OpName(op);
  }
  EXPECT_EQ(store_.Uri(), "memory://base");
  EXPECT_EQ(store_.base(), base_.get());
}

TEST_F(FaultInjectionStoreTest, FailNextFailsExactlyNCallsOfThatOp) {
  ASSERT_TRUE(store_.Put("k", Bytes("v")).ok());
  store_.FailNext(Op::kGet, 2, Status::Unavailable("injected outage"));
  for (int i = 0; i < 2; ++i) {
    auto r = store_.Get("k");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Code::kUnavailable);
    EXPECT_EQ(r.status().message(), "injected outage");
    // Other operations are untouched.
    EXPECT_TRUE(store_.GetRange("k", 0, 1).ok());
    EXPECT_TRUE(store_.Head("k").ok());
  }
  EXPECT_TRUE(store_.Get("k").ok());
  EXPECT_EQ(store_.calls(Op::kGet), 3u);
  EXPECT_EQ(store_.injected_failures(Op::kGet), 2u);
  EXPECT_EQ(store_.injected_failures(Op::kHead), 0u);
}

TEST_F(FaultInjectionStoreTest, EveryOpCanBeFailed) {
  ASSERT_TRUE(store_.Put("k", Bytes("v")).ok());
  for (Op op : {Op::kPut, Op::kGet, Op::kGetRange, Op::kHead, Op::kDelete, Op::kList}) {
    store_.FailNext(op, 1, Status::IOError("boom"));
  }
  EXPECT_EQ(store_.Put("k", Bytes("new")).code(), Code::kIOError);
  EXPECT_EQ(store_.Get("k").status().code(), Code::kIOError);
  EXPECT_EQ(store_.GetRange("k", 0, 1).status().code(), Code::kIOError);
  EXPECT_EQ(store_.Head("k").status().code(), Code::kIOError);
  EXPECT_EQ(store_.Delete("k").code(), Code::kIOError);
  bool visited = false;
  EXPECT_EQ(store_.List("", [&](const ObjectInfo&) { return visited = true; }).code(),
            Code::kIOError);
  EXPECT_FALSE(visited);
  // kBefore: nothing reached the base store.
  EXPECT_EQ(*base_->Get("k"), Bytes("v"));
  EXPECT_EQ(*store_.Get("k"), Bytes("v"));
}

TEST_F(FaultInjectionStoreTest, FailureAfterTheCallKeepsItsEffect) {
  store_.FailNext(Op::kPut, 1, Status::Unavailable("reply lost"), When::kAfter);
  EXPECT_EQ(store_.Put("k", Bytes("landed")).code(), Code::kUnavailable);
  EXPECT_EQ(*base_->Get("k"), Bytes("landed"));
  store_.FailNext(Op::kDelete, 1, Status::Unavailable("reply lost"), When::kAfter);
  EXPECT_EQ(store_.Delete("k").code(), Code::kUnavailable);
  EXPECT_EQ(base_->Get("k").status().code(), Code::kNotFound);
}

TEST_F(FaultInjectionStoreTest, FailPutsAfterCountdown) {
  store_.FailPutsAfter(3, Status(Code::kNoSpace, "store full"));
  for (int i = 0; i < 6; ++i) {
    Status s = store_.Put("p/" + std::to_string(i), Bytes("x"));
    if (i < 3) {
      EXPECT_TRUE(s.ok()) << i << ": " << s.ToString();
    } else {
      EXPECT_EQ(s.code(), Code::kNoSpace) << i;
    }
  }
  EXPECT_EQ(base_->ObjectCount(), 3u);
  EXPECT_TRUE(store_.Get("p/0").ok());  // reads keep working
  EXPECT_EQ(store_.injected_failures(Op::kPut), 3u);
  store_.ClearFaults();
  EXPECT_TRUE(store_.Put("p/6", Bytes("x")).ok());
  EXPECT_EQ(base_->ObjectCount(), 4u);
}

TEST_F(FaultInjectionStoreTest, FailPutsAfterZeroFailsAtOnce) {
  store_.FailPutsAfter(0, Status::Unavailable("down"));
  EXPECT_EQ(store_.Put("k", Bytes("x")).code(), Code::kUnavailable);
  EXPECT_EQ(base_->ObjectCount(), 0u);
}

TEST_F(FaultInjectionStoreTest, FailNextComesFirstAndDoesNotCountDown) {
  store_.FailPutsAfter(1, Status(Code::kNoSpace, "full"));
  store_.FailNext(Op::kPut, 1, Status::Busy("busy"));
  EXPECT_EQ(store_.Put("a", Bytes("x")).code(), Code::kBusy);
  EXPECT_TRUE(store_.Put("b", Bytes("x")).ok());  // the one Put the countdown allows
  EXPECT_EQ(store_.Put("c", Bytes("x")).code(), Code::kNoSpace);
}

TEST_F(FaultInjectionStoreTest, ClearFaultsAndReArm) {
  store_.FailNext(Op::kHead, 5, Status::IOError("x"));
  store_.ClearFaults();
  ASSERT_TRUE(store_.Put("k", Bytes("v")).ok());
  EXPECT_TRUE(store_.Head("k").ok());
  store_.FailNext(Op::kHead, 1, Status::IOError("x"));
  store_.FailNext(Op::kHead, 0, Status::IOError("x"));  // count 0 disarms
  EXPECT_TRUE(store_.Head("k").ok());
}

TEST_F(FaultInjectionStoreTest, InvalidKeysDoNotConsumeFaults) {
  store_.FailNext(Op::kGet, 1, Status::IOError("x"));
  EXPECT_EQ(store_.Get("../bad").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(store_.List("/bad", [](const ObjectInfo&) { return true; }).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_.Get("k").status().code(), Code::kIOError);
  EXPECT_EQ(store_.Get("k").status().code(), Code::kNotFound);
}

TEST_F(FaultInjectionStoreTest, OkStatusCannotBeInjected) {
  store_.FailNext(Op::kGet, 1, Status::Ok());
  EXPECT_EQ(store_.Get("k").status().code(), Code::kInternal);
}

TEST_F(FaultInjectionStoreTest, ConcurrentCallsConsumeExactlyN) {
  ASSERT_TRUE(store_.Put("k", Bytes("v")).ok());
  store_.FailNext(Op::kHead, 50, Status::Unavailable("x"));
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (!store_.Head("k").ok()) ++failed;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 50);
  EXPECT_EQ(store_.calls(Op::kHead), 400u);
  EXPECT_EQ(store_.injected_failures(Op::kHead), 50u);
}

TEST_F(FaultInjectionStoreTest, OwnsAUniquePtrBase) {
  FaultInjectionStore owning(std::make_unique<MemoryStore>("owned"));
  ASSERT_TRUE(owning.Put("k", Bytes("v")).ok());
  EXPECT_TRUE(owning.base()->Get("k").ok());
}

}  // namespace
}  // namespace reel
