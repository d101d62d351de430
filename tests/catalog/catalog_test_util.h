// Shared fixture of the catalog tests: every TEST_P(CatalogTest, ...) runs against each backend in
// catalog_backends_test.cc, on a fresh catalog in a fresh temporary directory.
#pragma once

#include <chrono>
#include <cstdlib>
#include <ostream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "common/status.h"
#include "testing/require.h"
#include "testing/status_assert.h"

namespace reel::testing {

inline std::string MakeTempDir(const std::string& prefix = "reel-catalog") {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  return made != nullptr ? std::string(made) : std::string();
}

inline void RemoveTree(const std::string& dir) {
  if (dir.rfind("/tmp/", 0) != 0) return;
  (void)std::system(("rm -rf '" + dir + "'").c_str());
}

// A catalog implementation under test.
struct CatalogBackend {
  std::string name;  // test-name suffix
  // The URI of a fresh, empty catalog that may keep its files in `dir` (an empty temporary
  // directory of this test). "" skips the backend (e.g. no test server configured).
  std::function<std::string(const std::string& dir)> uri;
  // When set, the environment variable (e.g. REEL_REQUIRE_PG) that makes "" a failure, not a skip.
  std::string required_by;
  // When set, called with the URI after the test to remove what uri() made outside `dir`.
  std::function<void(const std::string& uri)> drop;
  // "" when BackupTo writes a backup file; else the backend answers NotSupported, naming this
  // tool to back it up with instead.
  std::string backup_tool;
  // Opens the catalog at `uri` (default: OpenCatalog).
  std::function<Result<std::unique_ptr<Catalog>>(const std::string& uri)> open;
  // For a catalog a team server serves (the remote one): the whole catalog as the server itself
  // sees it, which does the work that runs once for the team (purging the trash, collecting
  // chunks, naming the drive, counting everything: PermissionDenied through the workspace).
  std::function<Catalog*(const std::string& uri)> server_side;
  // Directories of that whole catalog that are not in the tested one (the namespace's root, above
  // the workspace).
  uint64_t directories_outside = 0;
  // For a catalog a team server serves: sets the workspace's conflict policy (the server applies
  // it whatever a commit asks) and the user commits are made by (they name conflict copies).
  std::function<Status(const std::string& uri, ConflictPolicy policy)> set_conflict_policy;
  std::string committer;
};

inline void PrintTo(const CatalogBackend& backend, std::ostream* os) { *os << backend.name; }

// Every catalog implementation (catalog_backends_test.cc), for suites in other files.
const std::vector<CatalogBackend>& AllCatalogBackends();

inline constexpr uint32_t kTestUid = 1000;
inline constexpr uint32_t kTestGid = 1001;

class CatalogTest : public ::testing::TestWithParam<CatalogBackend> {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    ASSERT_FALSE(dir_.empty());
    uri_ = GetParam().uri(dir_);
    if (uri_.empty()) {
      const std::string what = GetParam().name + " is not configured";
      if (!GetParam().required_by.empty()) {
        REEL_SKIP_UNLESS_REQUIRED(GetParam().required_by.c_str(), what);
      }
      GTEST_SKIP() << what;
    }
    auto opened = GetParam().open ? GetParam().open(uri_) : OpenCatalog(uri_, kTestUid, kTestGid);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    cat_ = std::move(opened).value();
    server_ = GetParam().server_side ? GetParam().server_side(uri_) : cat_.get();
    ASSERT_NE(server_, nullptr);
    // The fake clock starts after the root's creation time (the catalog's wall clock).
    clock_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             1'000'000'000;
  }
  void TearDown() override {
    server_ = nullptr;
    cat_.reset();
    if (!uri_.empty() && GetParam().drop) GetParam().drop(uri_);
    RemoveTree(dir_);
  }

  // The work a team server does itself (see CatalogBackend::server_side) goes through here.
  Catalog& Server() { return *server_; }
  // The catalog's counts as the tested catalog's: the whole catalog's, without the directories
  // outside it.
  Result<CatalogStats> Stats() {
    REEL_ASSIGN_OR_RETURN(CatalogStats s, server_->Stats());
    s.directories -= GetParam().directories_outside;
    return s;
  }

  // A strictly increasing fake clock.
  TimeNs Now() { return clock_ += 1000; }

  Attributes Make(InodeId parent, const std::string& name, FileType type,
                  const std::string& target = "") {
    NewNode n;
    n.type = type;
    n.mode = type == FileType::kDirectory ? 0755 : 0644;
    n.uid = kTestUid;
    n.gid = kTestGid;
    n.symlink_target = target;
    auto r = cat_->CreateNode(parent, name, n, Now());
    if (!r.ok()) {
      ADD_FAILURE() << "create " << name << ": " << r.status().ToString();
      return {};
    }
    return *r;
  }
  Attributes MkFile(InodeId parent, const std::string& name) {
    return Make(parent, name, FileType::kRegular);
  }
  Attributes MkDir(InodeId parent, const std::string& name) {
    return Make(parent, name, FileType::kDirectory);
  }
  Attributes Attr(InodeId ino) {
    auto r = cat_->GetAttributes(ino);
    if (!r.ok()) {
      ADD_FAILURE() << "getattr " << ino << ": " << r.status().ToString();
      return {};
    }
    return *r;
  }
  // All names in `dir`, in ReadDir order, read in pages of `page`.
  std::vector<std::string> Names(InodeId dir, size_t page = 100) {
    std::vector<std::string> names;
    uint64_t cookie = 0;
    while (true) {
      auto r = cat_->ReadDir(dir, cookie, page);
      if (!r.ok()) {
        ADD_FAILURE() << "readdir " << dir << ": " << r.status().ToString();
        return names;
      }
      if (r->empty()) return names;
      for (const DirEntry& e : *r) names.push_back(e.name);
      cookie = r->back().cookie;
    }
  }

  std::string dir_;
  std::string uri_;
  std::unique_ptr<Catalog> cat_;
  Catalog* server_ = nullptr;  // cat_, or the server's side of it
  TimeNs clock_ = 0;
};

// The same fixture for tests of BackupTo, instantiated per kind of backend: those that write a
// backup file, and those that leave backups to their server's tools (backup_tool).
class CatalogFileBackupTest : public CatalogTest {};
class CatalogServerBackupTest : public CatalogTest {};

// A version made of `chunks` (its size is theirs).
inline NewVersion VersionOf(std::vector<ChunkRef> chunks) {
  NewVersion v;
  for (const ChunkRef& c : chunks) v.size += c.length;
  v.chunks = std::move(chunks);
  return v;
}

// The newest seq of the feed now: the events a test makes come after it.
inline uint64_t Newest(Catalog& cat) {
  auto page = cat.ReadEvents(EventQuery{});
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  return page.ok() ? page->newest : 0;
}

// Every event after `after`, page by page.
inline std::vector<ChangeEvent> EventsAfter(Catalog& cat, uint64_t after, size_t page = 1000) {
  std::vector<ChangeEvent> out;
  while (true) {
    EventQuery q;
    q.after = after;
    q.limit = page;
    auto r = cat.ReadEvents(q);
    if (!r.ok()) {
      ADD_FAILURE() << "read events: " << r.status().ToString();
      return out;
    }
    if (r->events.empty()) return out;
    after = r->events.back().seq;
    out.insert(out.end(), r->events.begin(), r->events.end());
  }
}

// Chunk ids for tests: byte 0..3 = n, rest a fixed pattern.
inline ChunkId TestChunk(uint32_t n) {
  ChunkId id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<uint8_t>(0xA5 ^ i);
  for (int i = 0; i < 4; ++i) id.bytes[i] = static_cast<uint8_t>(n >> (8 * i));
  return id;
}

}  // namespace reel::testing
