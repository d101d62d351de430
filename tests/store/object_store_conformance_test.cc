// The shared ObjectStore suite: every implementation runs every test here. To add a store (S3,
// RADOS, ...), add one line to kStoreFactories below; nothing else changes.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "chunking/sha256.h"
#include "store/fault_injection_store.h"
#include "store/memory_store.h"
#include "store/object_store.h"
#include "store/test_env_store.h"
#include "testing/pattern.h"
#include "store/s3_test_env.h"

namespace reel {
namespace {

using testing::Pattern;

// Makes a fresh, empty store for one test. `scratch_dir` is an empty temp directory that is
// removed after the test (stores that keep nothing locally ignore it). A factory that cannot run
// here (no server, no credentials) returns Unavailable or NotSupported and the test is skipped.
using StoreMaker =
    std::function<Result<std::unique_ptr<ObjectStore>>(const std::string& scratch_dir)>;

struct StoreFactory {
  std::string name;  // test name suffix: letters and digits only
  StoreMaker make;
};

void PrintTo(const StoreFactory& factory, std::ostream* os) { *os << factory.name; }

const std::vector<StoreFactory>& StoreFactories() {
  static const std::vector<StoreFactory> kStoreFactories = {
      {"LocalDir", [](const std::string& dir) { return OpenObjectStore("file://" + dir + "/store"); }},
      {"Memory", [](const std::string&) { return OpenObjectStore("memory://conformance"); }},
      {"FaultInjectionOverMemory",
       [](const std::string&) -> Result<std::unique_ptr<ObjectStore>> {
         return std::unique_ptr<ObjectStore>(
             std::make_unique<FaultInjectionStore>(std::make_unique<MemoryStore>("base")));
       }},
      {"S3", [](const std::string&) { return testing::OpenTestS3Store(); }},
      {"Rados", [](const std::string&) { return OpenTestStoreFromEnv("REEL_TEST_RADOS_URI"); }},
  };
  return kStoreFactories;
}

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

class ObjectStoreTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/reel-store-conf-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    scratch_ = tmpl;
    auto store = GetParam().make(scratch_);
    if (!store.ok() && (store.status().code() == Code::kUnavailable ||
                        store.status().code() == Code::kNotSupported)) {
      GTEST_SKIP() << GetParam().name << " not available: " << store.status().ToString();
    }
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }

  void MustPut(const std::string& key, const std::vector<uint8_t>& data) {
    Status s = store_->Put(key, data);
    ASSERT_TRUE(s.ok()) << key << ": " << s.ToString();
  }
  std::vector<uint8_t> MustGet(const std::string& key) {
    auto r = store_->Get(key);
    EXPECT_TRUE(r.ok()) << key << ": " << r.status().ToString();
    return r.ok() ? *r : std::vector<uint8_t>();
  }
  std::vector<uint8_t> MustGetRange(const std::string& key, uint64_t offset, uint64_t length) {
    auto r = store_->GetRange(key, offset, length);
    EXPECT_TRUE(r.ok()) << key << ": " << r.status().ToString();
    return r.ok() ? *r : std::vector<uint8_t>();
  }
  // key -> size of everything listed under `prefix`; fails the test on duplicates or errors.
  std::map<std::string, uint64_t> ListAll(const std::string& prefix) {
    std::map<std::string, uint64_t> out;
    Status s = store_->List(prefix, [&](const ObjectInfo& info) {
      EXPECT_TRUE(out.emplace(info.key, info.size).second) << "listed twice: " << info.key;
      return true;
    });
    EXPECT_TRUE(s.ok()) << "list '" << prefix << "': " << s.ToString();
    return out;
  }
  std::set<std::string> ListKeys(const std::string& prefix) {
    std::set<std::string> keys;
    for (const auto& [key, size] : ListAll(prefix)) keys.insert(key);
    return keys;
  }

  std::string scratch_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreTest, PutGetRoundTrip) {
  auto data = Pattern(100'000, 1);
  MustPut("chunks/ab/abcdef", data);
  EXPECT_EQ(MustGet("chunks/ab/abcdef"), data);
  MustPut("top-level.key_1", Bytes("hello"));
  EXPECT_EQ(MustGet("top-level.key_1"), Bytes("hello"));
}

TEST_P(ObjectStoreTest, UnsyncedPutsAreWholeAtOnceAndDurableAfterSync) {
  const auto a = Pattern(300'000, 21), b = Pattern(1000, 22);
  ASSERT_TRUE(store_->PutUnsynced("batch/a", a).ok());
  ASSERT_TRUE(store_->PutUnsynced("batch/b", b).ok());
  EXPECT_EQ(*store_->Get("batch/a"), a) << "readable at once, like Put";
  ASSERT_TRUE(store_->PutUnsynced("batch/a", b).ok());
  EXPECT_EQ(*store_->Get("batch/a"), b) << "and replaces whole";
  ASSERT_TRUE(store_->SyncPuts().ok());
  EXPECT_EQ(*store_->Get("batch/b"), b);
  EXPECT_EQ(store_->PutUnsynced("bad//key", b).code(), Code::kInvalidArgument);
}

TEST_P(ObjectStoreTest, UnsyncedPutsAreWholeAtEverySize) {
  // Sizes around the 4 KiB direct-I/O block and the 4 MiB bounce buffer of a local store.
  for (size_t size : {size_t{0}, size_t{1}, size_t{4095}, size_t{4096}, size_t{4097},
                      size_t{(4u << 20) + 1}, size_t{(9u << 20) + 123}}) {
    const auto data = Pattern(size, static_cast<int>(size % 251));
    ASSERT_TRUE(store_->PutUnsynced("copies/x", data).ok()) << size;
    ASSERT_EQ(*store_->Get("copies/x"), data) << size;
    auto range = store_->GetRange("copies/x", size / 3, size / 2);
    ASSERT_TRUE(range.ok()) << size;
    EXPECT_TRUE(std::equal(range->begin(), range->end(), data.begin() + size / 3)) << size;
  }
  ASSERT_TRUE(store_->SyncPuts().ok());
  EXPECT_EQ(*store_->Get("copies/x"), Pattern((9u << 20) + 123, ((9u << 20) + 123) % 251));
}

TEST_P(ObjectStoreTest, GetAppendAddsTheWholeObjectAfterWhatIsThere) {
  std::vector<uint8_t> out = Bytes("head:");
  std::vector<uint8_t> expected = out;
  for (size_t size : {size_t{0}, size_t{4095}, size_t{4096}, size_t{(4u << 20) + 4097}}) {
    const auto data = Pattern(size, static_cast<uint32_t>(size + 5));
    MustPut("append/" + std::to_string(size), data);
    ASSERT_TRUE(store_->GetAppend("append/" + std::to_string(size), &out).ok()) << size;
    expected.insert(expected.end(), data.begin(), data.end());
    ASSERT_EQ(out, expected) << size;
  }
  EXPECT_EQ(store_->GetAppend("append/missing", &out).code(), Code::kNotFound);
  EXPECT_EQ(out, expected) << "a failed append leaves the buffer as it was";
}

TEST_P(ObjectStoreTest, PutHashedPartsStoresOnlyABodyWhosePartsMatchTheirHashes) {
  // A pack-like body: parts of several sizes (one above 4 MiB, one tiny).
  std::vector<uint8_t> body;
  std::vector<HashedPart> parts;
  for (size_t size : {size_t{70'000}, size_t{1}, size_t{(4u << 20) + 3}, size_t{4096}}) {
    const auto part = Pattern(size, static_cast<uint32_t>(size % 97));
    parts.push_back({size, Sha256(part)});
    body.insert(body.end(), part.begin(), part.end());
  }
  ASSERT_TRUE(store_->PutHashedParts("packs/good", body, parts).ok());
  EXPECT_EQ(MustGet("packs/good"), body);

  auto damaged = body;
  damaged[70'000 + 1 + 12345] ^= 0x20;  // inside the third part
  Status s = store_->PutHashedParts("packs/bad", damaged, parts);
  EXPECT_EQ(s.code(), Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(parts[2].sha256.Hex()), std::string::npos)
      << "names the part: " << s.ToString();
  EXPECT_EQ(store_->Head("packs/bad").status().code(), Code::kNotFound) << "nothing stored";
  s = store_->PutHashedParts("packs/good", damaged, parts);
  EXPECT_EQ(s.code(), Code::kCorruption) << s.ToString();
  EXPECT_EQ(MustGet("packs/good"), body) << "a refused put leaves the old object";

  std::vector<HashedPart> short_parts(parts.begin(), parts.end() - 1);
  EXPECT_EQ(store_->PutHashedParts("packs/short", body, short_parts).code(),
            Code::kInvalidArgument);
  EXPECT_EQ(store_->PutHashedParts("bad//key", body, parts).code(), Code::kInvalidArgument);
  // An empty part (a zero-length chunk) is checked like any other.
  std::vector<HashedPart> with_empty = parts;
  with_empty.insert(with_empty.begin() + 1, HashedPart{0, Sha256({})});
  EXPECT_TRUE(store_->PutHashedParts("packs/empty-part", body, with_empty).ok());
  with_empty[1].sha256 = parts[0].sha256;  // a truncated copy of a real chunk
  EXPECT_EQ(store_->PutHashedParts("packs/empty-bad", body, with_empty).code(),
            Code::kCorruption);
}

TEST_P(ObjectStoreTest, KeysAreCaseSensitive) {
  MustPut("Key", Bytes("upper"));
  MustPut("key", Bytes("lower"));
  EXPECT_EQ(MustGet("Key"), Bytes("upper"));
  EXPECT_EQ(MustGet("key"), Bytes("lower"));
}

TEST_P(ObjectStoreTest, OverwriteReplacesWholeObject) {
  MustPut("obj", Pattern(50'000, 1));
  auto shorter = Pattern(1'000, 2);
  MustPut("obj", shorter);
  EXPECT_EQ(MustGet("obj"), shorter);
  auto longer = Pattern(70'000, 3);
  MustPut("obj", longer);
  EXPECT_EQ(MustGet("obj"), longer);
  auto head = store_->Head("obj");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, longer.size());
  EXPECT_EQ(ListKeys(""), std::set<std::string>{"obj"});
}

TEST_P(ObjectStoreTest, EmptyObject) {
  MustPut("empty", {});
  auto got = store_->Get("empty");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(got->empty());
  auto head = store_->Head("empty");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, 0u);
  EXPECT_TRUE(MustGetRange("empty", 0, 10).empty());
  EXPECT_EQ(ListAll("empty"), (std::map<std::string, uint64_t>{{"empty", 0}}));
}

TEST_P(ObjectStoreTest, LargeObject8MiB) {
  constexpr size_t kSize = 8u << 20;
  auto data = Pattern(kSize, 8);
  MustPut("big/object", data);
  EXPECT_TRUE(MustGet("big/object") == data);
  auto head = store_->Head("big/object");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, kSize);
  auto tail = MustGetRange("big/object", kSize - 4096, 1 << 20);
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), data.end() - 4096, data.end()));
  EXPECT_EQ(tail.size(), 4096u);
}

TEST_P(ObjectStoreTest, GetRange) {
  auto data = Pattern(10'000, 4);
  MustPut("r", data);
  auto slice = [&](size_t off, size_t len) {
    return std::vector<uint8_t>(data.begin() + off, data.begin() + off + len);
  };
  EXPECT_EQ(MustGetRange("r", 0, 10'000), data);
  EXPECT_EQ(MustGetRange("r", 1'234, 5'000), slice(1'234, 5'000));       // middle
  EXPECT_EQ(MustGetRange("r", 9'000, 5'000), slice(9'000, 1'000));       // crosses the end
  EXPECT_EQ(MustGetRange("r", 9'999, 1), slice(9'999, 1));               // last byte
  EXPECT_EQ(MustGetRange("r", 0, UINT64_MAX), data);                     // no overflow
  EXPECT_EQ(MustGetRange("r", 5, UINT64_MAX - 2), slice(5, 9'995));      // offset+len overflows
  EXPECT_TRUE(MustGetRange("r", 100, 0).empty());                        // zero length
  EXPECT_TRUE(MustGetRange("r", 10'000, 10).empty());                    // at the end
  EXPECT_TRUE(MustGetRange("r", 20'000, 10).empty());                    // past the end
  EXPECT_TRUE(MustGetRange("r", UINT64_MAX, UINT64_MAX).empty());
}

TEST_P(ObjectStoreTest, GetRangeIntoFillsThePiecesInOrder) {
  auto data = Pattern(3 << 20, 6);  // big enough to arrive in many network reads
  MustPut("scatter", data);
  // Reads [offset, offset + sum of sizes) into pieces of these sizes; returns what they hold,
  // joined, cut to the count returned. Bytes past the count are never looked at.
  auto read_into = [&](uint64_t offset, std::vector<size_t> sizes) -> Result<std::vector<uint8_t>> {
    std::vector<std::vector<uint8_t>> buffers;
    std::vector<std::span<uint8_t>> into;
    for (size_t n : sizes) buffers.emplace_back(n + 1, 0xEE);  // one guard byte after each
    for (size_t i = 0; i < sizes.size(); ++i) into.emplace_back(buffers[i].data(), sizes[i]);
    REEL_ASSIGN_OR_RETURN(uint64_t got, store_->GetRangeInto("scatter", offset, into));
    std::vector<uint8_t> joined;
    for (size_t i = 0; i < sizes.size(); ++i) {
      EXPECT_EQ(buffers[i].back(), 0xEE) << "piece " << i << " was written past its end";
      joined.insert(joined.end(), buffers[i].begin(), buffers[i].end() - 1);
    }
    if (got > joined.size()) return Status::Internal("more bytes read than asked for");
    joined.resize(got);
    return joined;
  };
  auto slice = [&](size_t off, size_t len) {
    return std::vector<uint8_t>(data.begin() + off, data.begin() + off + len);
  };
  auto expect = [&](uint64_t offset, std::vector<size_t> sizes, std::vector<uint8_t> want) {
    auto got = read_into(offset, sizes);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, want) << "offset " << offset;
  };
  expect(0, {1 << 20, 1 << 20, 1 << 20}, data);                            // the whole object
  expect(12'345, {1, 700'001, 0, 4096, 1 << 20}, slice(12'345, 1'752'674)); // odd sizes, an empty one
  expect((3 << 20) - 10, {4, 100}, slice((3 << 20) - 10, 10));             // crosses the end
  expect(3 << 20, {10}, {});                                               // at the end
  expect(5 << 20, {10, 10}, {});                                           // past the end
  expect(100, {}, {});                                                     // nothing asked
  expect(100, {0, 0}, {});
  std::span<uint8_t> none;
  EXPECT_EQ(store_->GetRangeInto("nope", 0, {&none, 1}).status().code(), Code::kNotFound);
  std::vector<uint8_t> one(1);
  std::span<uint8_t> piece(one);
  EXPECT_EQ(store_->GetRangeInto("nope", 0, {&piece, 1}).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetRangeInto("../x", 0, {&piece, 1}).status().code(), Code::kInvalidArgument);
}

// Every store here reports modification times (0 would mean "unknown"): the mtime of an object
// just written is now, within a minute (S3 reports whole seconds; the servers run here).
void ExpectWrittenNow(int64_t mtime_unix_ns, std::chrono::system_clock::time_point put_at) {
  ASSERT_NE(mtime_unix_ns, 0) << "no modification time";
  auto mtime = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(mtime_unix_ns)));
  EXPECT_GT(mtime, put_at - std::chrono::minutes(1));
  EXPECT_LT(mtime, std::chrono::system_clock::now() + std::chrono::minutes(1));
}

TEST_P(ObjectStoreTest, HeadReportsSizeAndTime) {
  const auto put_at = std::chrono::system_clock::now();
  MustPut("h/obj", Pattern(4321, 5));
  auto head = store_->Head("h/obj");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->key, "h/obj");
  EXPECT_EQ(head->size, 4321u);
  ExpectWrittenNow(head->mtime_unix_ns, put_at);
}

TEST_P(ObjectStoreTest, MissingObjectsAreNotFound) {
  EXPECT_EQ(store_->Get("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetRange("nope", 0, 10).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Head("nope").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Get("deep/er/nope").status().code(), Code::kNotFound);
  MustPut("file", Bytes("x"));
  // Below an existing object: still just absent.
  EXPECT_EQ(store_->Get("file/below").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Head("file/below").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->Delete("file/below").ok());
}

TEST_P(ObjectStoreTest, KeyPrefixOfOtherKeysIsNotAnObject) {
  MustPut("dir/child", Bytes("c"));
  EXPECT_EQ(store_->Get("dir").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->GetRange("dir", 0, 1).status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Head("dir").status().code(), Code::kNotFound);
  EXPECT_TRUE(store_->Delete("dir").ok());
  EXPECT_EQ(MustGet("dir/child"), Bytes("c"));
}

TEST_P(ObjectStoreTest, DeleteRemovesObject) {
  MustPut("d/one", Bytes("1"));
  MustPut("d/two", Bytes("2"));
  ASSERT_TRUE(store_->Delete("d/one").ok());
  EXPECT_EQ(store_->Get("d/one").status().code(), Code::kNotFound);
  EXPECT_EQ(store_->Head("d/one").status().code(), Code::kNotFound);
  EXPECT_EQ(MustGet("d/two"), Bytes("2"));
  EXPECT_EQ(ListKeys(""), std::set<std::string>{"d/two"});
  MustPut("d/one", Bytes("again"));  // a deleted key can be put again
  EXPECT_EQ(MustGet("d/one"), Bytes("again"));
}

TEST_P(ObjectStoreTest, DeleteIsIdempotent) {
  EXPECT_TRUE(store_->Delete("never/existed").ok());
  MustPut("x", Bytes("x"));
  EXPECT_TRUE(store_->Delete("x").ok());
  EXPECT_TRUE(store_->Delete("x").ok());
  EXPECT_TRUE(ListKeys("").empty());
}

TEST_P(ObjectStoreTest, ListByPrefix) {
  const std::map<std::string, uint64_t> all = {
      {"chunks/ab/0001", 1}, {"chunks/ab/0002", 2}, {"chunks/abc/0003", 3},
      {"chunks/b0/0004", 4}, {"manifests/7/1", 5},  {"top", 6},
  };
  for (const auto& [key, size] : all) MustPut(key, Pattern(size, 9));

  EXPECT_EQ(ListAll(""), all);
  EXPECT_EQ(ListKeys("chunks/"),
            (std::set<std::string>{"chunks/ab/0001", "chunks/ab/0002", "chunks/abc/0003",
                                   "chunks/b0/0004"}));
  // Ends mid-segment: matches "ab" and "abc".
  EXPECT_EQ(ListKeys("chunks/ab"),
            (std::set<std::string>{"chunks/ab/0001", "chunks/ab/0002", "chunks/abc/0003"}));
  EXPECT_EQ(ListKeys("chunks/ab/"), (std::set<std::string>{"chunks/ab/0001", "chunks/ab/0002"}));
  EXPECT_EQ(ListKeys("chunks/ab/000"), (std::set<std::string>{"chunks/ab/0001", "chunks/ab/0002"}));
  EXPECT_EQ(ListKeys("chunks/ab/0002"), (std::set<std::string>{"chunks/ab/0002"}));
  EXPECT_EQ(ListKeys("chunks"), ListKeys("chunks/"));
  EXPECT_EQ(ListKeys("t"), (std::set<std::string>{"top"}));
  EXPECT_EQ(ListKeys("m"), (std::set<std::string>{"manifests/7/1"}));
  EXPECT_TRUE(ListKeys("chunks/zz").empty());
  EXPECT_TRUE(ListKeys("chunks/zz/").empty());
  EXPECT_TRUE(ListKeys("nothing/here/").empty());
  EXPECT_TRUE(ListKeys("top/").empty());    // below an object
  EXPECT_TRUE(ListKeys("chunks/ab/0001/x").empty());
}

TEST_P(ObjectStoreTest, ListReportsObjectInfo) {
  const auto put_at = std::chrono::system_clock::now();
  MustPut("info/a", Pattern(123, 1));
  int seen = 0;
  Status s = store_->List("info/", [&](const ObjectInfo& info) {
    ++seen;
    EXPECT_EQ(info.key, "info/a");
    EXPECT_EQ(info.size, 123u);
    ExpectWrittenNow(info.mtime_unix_ns, put_at);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(seen, 1);
}

TEST_P(ObjectStoreTest, ListStopsWhenVisitorReturnsFalse) {
  for (int i = 0; i < 10; ++i) MustPut("s/" + std::to_string(i), Bytes("v"));
  int calls = 0;
  Status s = store_->List("", [&](const ObjectInfo&) { return ++calls < 3; });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(calls, 3);
}

TEST_P(ObjectStoreTest, ListVisitorMayCallTheStore) {
  for (int i = 0; i < 5; ++i) MustPut("v/" + std::to_string(i), Bytes("v"));
  Status s = store_->List("v/", [&](const ObjectInfo& info) {
    EXPECT_TRUE(store_->Head(info.key).ok());
    EXPECT_TRUE(store_->Delete(info.key).ok());
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(ListKeys("").empty());
}

TEST_P(ObjectStoreTest, ListManyObjects) {
  // More than one batch (MemoryStore: 256) in every implementation. Put from 4 threads so
  // stores with a per-Put latency (fsync, network) stay fast.
  constexpr int kObjects = 300;
  auto key_of = [](int i) { return "many/" + std::to_string(i % 3) + "/" + std::to_string(i); };
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < kObjects; i += 4) {
        if (!store_->Put(key_of(i), Bytes("m")).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  std::set<std::string> expected;
  for (int i = 0; i < kObjects; ++i) expected.insert(key_of(i));
  EXPECT_EQ(ListKeys("many/"), expected);
  EXPECT_EQ(ListKeys("many/1/").size(), 100u);
}

std::vector<std::string> BadKeys() {
  return {
      "",
      "../x",
      "a/../b",
      "x/..",
      ".",
      "./a",
      "a/./b",
      "/abs",
      "a//b",
      "a/",
      "a b",
      " a",
      std::string("a\0b", 3),
      std::string("\0", 1),
      "tab\tkey",
      "back\\slash",
      "new\nline",
      "caf\xc3\xa9",
      "star*",
      "colon:",
      std::string(1025, 'k'),
      std::string(256, 's'),  // one segment over NAME_MAX
  };
}

TEST_P(ObjectStoreTest, RejectsInvalidKeys) {
  MustPut("valid", Bytes("v"));
  const std::vector<uint8_t> data = Bytes("data");
  for (const std::string& key : BadKeys()) {
    SCOPED_TRACE("key of " + std::to_string(key.size()) + " bytes: '" + key.substr(0, 40) + "'");
    EXPECT_EQ(store_->Put(key, data).code(), Code::kInvalidArgument);
    EXPECT_EQ(store_->Get(key).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(store_->GetRange(key, 0, 1).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(store_->Head(key).status().code(), Code::kInvalidArgument);
    EXPECT_EQ(store_->Delete(key).code(), Code::kInvalidArgument);
  }
  for (const std::string prefix : {"/", "/abs", "../", "a//", "a/../", "a b", "./", "x/./y",
                                   "caf\xc3\xa9"}) {
    SCOPED_TRACE(std::string("prefix '") + prefix + "'");
    bool called = false;
    Status s = store_->List(prefix, [&](const ObjectInfo&) { return called = true; });
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_FALSE(called);
  }
  EXPECT_EQ(ListKeys(""), std::set<std::string>{"valid"});  // nothing was written
}

TEST_P(ObjectStoreTest, AcceptsEdgeKeys) {
  // MaxKeyLength() bytes (1024 in most stores), in segments of at most 204.
  const size_t max_length = store_->MaxKeyLength();
  std::string longest;
  for (char c = 'a'; longest.size() + (longest.empty() ? 0 : 1) < max_length; ++c) {
    if (!longest.empty()) longest += '/';
    longest += std::string(std::min<size_t>(204, max_length - longest.size()), c);
  }
  ASSERT_EQ(longest.size(), max_length);
  std::vector<std::string> keys = {
      "a", "..x", "x..", ".hidden", "-", "_", "A-Z_a-z.0-9", std::string(255, 'n'), longest,
  };
  for (const std::string& key : keys) {
    SCOPED_TRACE("key of " + std::to_string(key.size()) + " bytes");
    MustPut(key, Bytes(key.substr(0, 16)));
    EXPECT_EQ(MustGet(key), Bytes(key.substr(0, 16)));
  }
  EXPECT_EQ(ListKeys("").size(), keys.size());
  EXPECT_EQ(ListKeys(".."), std::set<std::string>{"..x"});
  EXPECT_EQ(ListKeys("."), (std::set<std::string>{"..x", ".hidden"}));
  for (const std::string& key : keys) EXPECT_TRUE(store_->Delete(key).ok());
  EXPECT_TRUE(ListKeys("").empty());
}

TEST_P(ObjectStoreTest, UriNamesTheScheme) {
  std::string uri = store_->Uri();
  EXPECT_NE(uri.find("://"), std::string::npos) << uri;
}

TEST_P(ObjectStoreTest, ConcurrentPutsOfDistinctKeys) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "conc/" + std::to_string(i % 5) + "/t" + std::to_string(t) + "-" +
                          std::to_string(i);
        if (!store_->Put(key, Pattern(4096 + i, t * 1000 + i)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto listed = ListAll("conc/");
  EXPECT_EQ(listed.size(), static_cast<size_t>(kThreads * kPerThread));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string key =
          "conc/" + std::to_string(i % 5) + "/t" + std::to_string(t) + "-" + std::to_string(i);
      EXPECT_EQ(MustGet(key), Pattern(4096 + i, t * 1000 + i)) << key;
    }
  }
}

TEST_P(ObjectStoreTest, ConcurrentPutsOfOneKeyLeaveOneWholeObject) {
  // Writer w always writes Object(w): every byte is w and the size is unique to w, so a reader
  // can tell a whole object from a torn or mixed one.
  constexpr int kWriters = 4;
  constexpr int kPutsEach = 20;
  auto object = [](int w) { return std::vector<uint8_t>(65'536 + w * 4'099, static_cast<uint8_t>(w + 1)); };
  auto is_whole = [&](const std::vector<uint8_t>& got) {
    if (got.empty()) return false;
    int w = got[0] - 1;
    return w >= 0 && w < kWriters && got == object(w);
  };
  std::atomic<bool> reader_started{false}, done{false};
  std::atomic<int> bad_reads{0}, good_reads{0}, put_failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto data = object(w);
      while (!reader_started.load()) std::this_thread::yield();
      for (int i = 0; i < kPutsEach; ++i) {
        if (!store_->Put("hot/key", data).ok()) ++put_failures;
      }
    });
  }
  std::thread reader([&] {
    reader_started = true;
    while (!done.load()) {
      auto got = store_->Get("hot/key");
      if (!got.ok()) {
        if (got.status().code() != Code::kNotFound) ++bad_reads;  // not yet written is fine
        continue;
      }
      if (is_whole(*got)) ++good_reads; else ++bad_reads;
      auto head = store_->Head("hot/key");
      if (!head.ok()) ++bad_reads;
    }
  });
  for (auto& th : threads) th.join();
  done = true;
  reader.join();
  EXPECT_EQ(put_failures.load(), 0);
  EXPECT_EQ(bad_reads.load(), 0);
  auto final_object = MustGet("hot/key");
  EXPECT_TRUE(is_whole(final_object)) << "final size " << final_object.size();
  EXPECT_EQ(ListKeys("hot/"), std::set<std::string>{"hot/key"});
}

INSTANTIATE_TEST_SUITE_P(AllStores, ObjectStoreTest, ::testing::ValuesIn(StoreFactories()),
                         [](const ::testing::TestParamInfo<StoreFactory>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace reel
