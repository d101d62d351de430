// The change feed (Catalog::ReadEvents), run against every backend: one event per change, in
// the transaction of the change, numbered in commit order with no gaps.
#include <atomic>
#include <thread>

#include "catalog_test_util.h"
#include "common/clock.h"

namespace reel::testing {
namespace {

// "kind path" (and " <- old_path" for a rename) of each event: what a reader is told.
std::vector<std::string> Described(const std::vector<ChangeEvent>& events) {
  std::vector<std::string> out;
  for (const ChangeEvent& e : events) {
    std::string line = std::to_string(static_cast<int>(e.kind)) + " " + e.path;
    if (e.kind == ChangeKind::kRenamed) line += " <- " + e.old_path;
    out.push_back(line);
  }
  return out;
}

std::string Line(ChangeKind kind, const std::string& path, const std::string& old_path = "") {
  std::string line = std::to_string(static_cast<int>(kind)) + " " + path;
  if (kind == ChangeKind::kRenamed) line += " <- " + old_path;
  return line;
}

TEST_P(CatalogTest, EveryChangeOfTheNamespaceAndItsVersionsRecordsOneEventInOrder) {
  const uint64_t start = Newest(*cat_);
  Attributes shots = MkDir(kRootInode, "shots");
  Attributes a = MkFile(shots.ino, "a.exr");
  ASSERT_OK_AND_ASSIGN(VersionInfo v1,
                       cat_->CommitVersion(a.ino, VersionOf({{TestChunk(1), 10}}), Now()));
  ASSERT_OK(cat_->Link(a.ino, shots.ino, "b.exr", Now()));
  ASSERT_OK(cat_->Rename(shots.ino, "a.exr", shots.ino, "c.exr", RenameMode::kReplace, Now()));
  ASSERT_OK(cat_->Unlink(shots.ino, "b.exr", Now()));  // one of two names: removed
  ASSERT_OK_AND_ASSIGN(UnlinkResult gone, cat_->Unlink(shots.ino, "c.exr", Now()));
  ASSERT_TRUE(gone.trash_id.has_value());
  ASSERT_OK(cat_->RestoreFromTrash(*gone.trash_id, shots.ino, "back.exr", Now()));
  Attributes tmp = MkDir(shots.ino, "tmp");
  ASSERT_OK(cat_->RemoveDir(shots.ino, "tmp", Now()));
  Make(shots.ino, "latest", FileType::kSymlink, "back.exr");
  ASSERT_OK(cat_->Unlink(shots.ino, "latest", Now()));
  ASSERT_OK(cat_->MarkPublished(a.ino, v1.number, Now()));
  AttrUpdate chmod;
  chmod.mode = 0600;
  ASSERT_OK(cat_->SetAttributes(a.ino, chmod, Now()));
  // Extended attributes are not in the feed.
  ASSERT_OK(cat_->SetXattr(a.ino, "user.note", "x", false, false));

  const std::vector<ChangeEvent> events = EventsAfter(*cat_, start);
  EXPECT_EQ(Described(events),
            (std::vector<std::string>{
                Line(ChangeKind::kCreated, "shots"),
                Line(ChangeKind::kCreated, "shots/a.exr"),
                Line(ChangeKind::kVersion, "shots/a.exr"),
                Line(ChangeKind::kLinked, "shots/b.exr"),
                Line(ChangeKind::kRenamed, "shots/c.exr", "shots/a.exr"),
                Line(ChangeKind::kRemoved, "shots/b.exr"),
                Line(ChangeKind::kTrashed, "shots/c.exr"),
                Line(ChangeKind::kRestored, "shots/back.exr"),
                Line(ChangeKind::kCreated, "shots/tmp"),
                Line(ChangeKind::kRemoved, "shots/tmp"),
                Line(ChangeKind::kCreated, "shots/latest"),
                Line(ChangeKind::kRemoved, "shots/latest"),
                Line(ChangeKind::kPublished, "shots/back.exr"),
                Line(ChangeKind::kChanged, "shots/back.exr"),
            }));
  ASSERT_EQ(events.size(), 14u);
  uint64_t expect_seq = start;
  for (const ChangeEvent& e : events) EXPECT_EQ(e.seq, ++expect_seq) << "no gaps, in order";
  EXPECT_EQ(events[0].ino, shots.ino);
  EXPECT_EQ(events[0].type, FileType::kDirectory);
  EXPECT_EQ(events[1].ino, a.ino);
  EXPECT_EQ(events[1].type, FileType::kRegular);
  EXPECT_EQ(events[2].version, 1u);
  EXPECT_EQ(events[2].version_kind, VersionKind::kAutosave);
  EXPECT_EQ(events[2].size, 10u);
  EXPECT_EQ(events[8].ino, tmp.ino);
  EXPECT_EQ(events[10].type, FileType::kSymlink);
  EXPECT_EQ(events[12].version, 1u);
  // The directory of each event's name.
  std::vector<InodeId> parents, old_parents;
  for (const ChangeEvent& e : events) {
    parents.push_back(e.parent);
    old_parents.push_back(e.old_parent);
  }
  const InodeId s = shots.ino;
  EXPECT_EQ(parents, (std::vector<InodeId>{kRootInode, s, s, s, s, s, s, s, s, s, s, s, s, s}));
  EXPECT_EQ(old_parents, (std::vector<InodeId>{0, 0, 0, 0, s, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  for (const ChangeEvent& e : events) EXPECT_GT(e.time, 0);
  EXPECT_EQ(Newest(*cat_), Newest(Server())) << "newest is the whole feed's";
}

TEST_P(CatalogTest, ARenameOfADirectoryAndAnExchangeNameTheMovedPaths) {
  Attributes d = MkDir(kRootInode, "seq");
  Attributes sub = MkDir(d.ino, "sub");
  MkFile(sub.ino, "f");
  MkFile(d.ino, "x");
  const uint64_t start = Newest(*cat_);
  ASSERT_OK(cat_->Rename(d.ino, "sub", kRootInode, "moved", RenameMode::kReplace, Now()));
  // After the move, a create below it is named by the directory's new path.
  MkFile(sub.ino, "g");
  ASSERT_OK(cat_->Rename(sub.ino, "f", d.ino, "x", RenameMode::kExchange, Now()));
  const std::vector<ChangeEvent> events = EventsAfter(*cat_, start);
  EXPECT_EQ(Described(events),
            (std::vector<std::string>{
                Line(ChangeKind::kRenamed, "moved", "seq/sub"),
                Line(ChangeKind::kCreated, "moved/g"),
                Line(ChangeKind::kRenamed, "seq/x", "moved/f"),
                Line(ChangeKind::kRenamed, "moved/f", "seq/x"),
            }));
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(std::make_pair(events[0].parent, events[0].old_parent),
            std::make_pair(kRootInode, d.ino));
  EXPECT_EQ(std::make_pair(events[1].parent, events[1].old_parent), std::make_pair(sub.ino, InodeId{0}));
  EXPECT_EQ(std::make_pair(events[2].parent, events[2].old_parent),
            std::make_pair(d.ino, sub.ino));
  EXPECT_EQ(std::make_pair(events[3].parent, events[3].old_parent),
            std::make_pair(sub.ino, d.ino));
}

TEST_P(CatalogTest, AChangeThatFailsRecordsNothingAndBadReadsAreRefused) {
  Attributes d = MkDir(kRootInode, "d");
  MkFile(d.ino, "taken");
  const uint64_t start = Newest(*cat_);
  NewNode n;
  n.type = FileType::kRegular;
  n.mode = 0644;
  EXPECT_CODE(cat_->CreateNode(d.ino, "taken", n, Now()), Code::kAlreadyExists);
  EXPECT_CODE(cat_->RemoveDir(kRootInode, "d", Now()), Code::kNotEmpty);
  EXPECT_CODE(cat_->Unlink(d.ino, "absent", Now()), Code::kNotFound);
  EXPECT_EQ(Newest(*cat_), start);
  EXPECT_TRUE(EventsAfter(*cat_, start).empty());

  EventQuery none;
  none.limit = 0;
  EXPECT_CODE(cat_->ReadEvents(none), Code::kInvalidArgument);
  EventQuery too_many;
  too_many.limit = kMaxEventsPerRead + 1;
  EXPECT_CODE(cat_->ReadEvents(too_many), Code::kInvalidArgument);
}

TEST_P(CatalogTest, EventsArePagedByCursorAndLimit) {
  const uint64_t start = Newest(*cat_);
  Attributes d = MkDir(kRootInode, "many");
  for (int i = 0; i < 7; ++i) MkFile(d.ino, "f" + std::to_string(i));
  EventQuery q;
  q.after = start;
  q.limit = 3;
  ASSERT_OK_AND_ASSIGN(EventPage first, cat_->ReadEvents(q));
  ASSERT_EQ(first.events.size(), 3u);
  EXPECT_EQ(first.events[0].seq, start + 1);
  EXPECT_EQ(first.newest, start + 8);
  q.after = first.events.back().seq;
  ASSERT_OK_AND_ASSIGN(EventPage second, cat_->ReadEvents(q));
  ASSERT_EQ(second.events.size(), 3u);
  EXPECT_EQ(second.events[0].seq, start + 4);
  EXPECT_EQ(second.events[0].path, "many/f2");
  q.after = start + 8;
  ASSERT_OK_AND_ASSIGN(EventPage end, cat_->ReadEvents(q));
  EXPECT_TRUE(end.events.empty());
  EXPECT_EQ(end.newest, start + 8);
  EXPECT_EQ(EventsAfter(*cat_, start, 2).size(), 8u);
}

// A workspace (a top-level directory) reads its own events only. Directly on a catalog that is
// asked by scope; through a team server (the remote catalog) the server sets the caller's
// workspace, and what happens elsewhere in the team is not seen.
TEST_P(CatalogTest, AScopeReadsTheEventsOfItsTopLevelDirectoryOnly) {
  const uint64_t start = Newest(Server());
  Attributes other = Make(kRootInode, "other-place", FileType::kDirectory);
  if (GetParam().server_side) {
    // Made on the team's side, beside the tested workspace.
    NewNode n;
    n.type = FileType::kDirectory;
    n.mode = 0755;
    ASSERT_OK_AND_ASSIGN(Attributes elsewhere,
                         Server().CreateNode(kRootInode, "elsewhere", n, Now()));
    n.type = FileType::kRegular;
    ASSERT_OK(Server().CreateNode(elsewhere.ino, "secret", n, Now()));
  }
  MkFile(other.ino, "mine");
  if (GetParam().server_side) {
    const std::vector<ChangeEvent> seen = EventsAfter(*cat_, start);
    EXPECT_EQ(Described(seen), (std::vector<std::string>{Line(ChangeKind::kCreated, "other-place"),
                                                         Line(ChangeKind::kCreated,
                                                              "other-place/mine")}))
        << "paths from the workspace's root; nothing of another workspace";
    EXPECT_EQ(Newest(*cat_), start + 4);
    return;
  }
  Attributes elsewhere = MkDir(kRootInode, "elsewhere");
  MkFile(elsewhere.ino, "secret");
  EventQuery q;
  q.after = start;
  q.scope = "other-place";
  ASSERT_OK_AND_ASSIGN(EventPage page, cat_->ReadEvents(q));
  EXPECT_EQ(Described(page.events),
            (std::vector<std::string>{Line(ChangeKind::kCreated, "other-place"),
                                      Line(ChangeKind::kCreated, "other-place/mine")}));
  EXPECT_EQ(page.newest, start + 4);
  q.scope = "elsewhere";
  ASSERT_OK_AND_ASSIGN(page, cat_->ReadEvents(q));
  EXPECT_EQ(Described(page.events),
            (std::vector<std::string>{Line(ChangeKind::kCreated, "elsewhere"),
                                      Line(ChangeKind::kCreated, "elsewhere/secret")}));
}

// Writers commit concurrently while a reader follows the feed: every page the reader gets starts
// right after its cursor and has no holes, so it never skips an event a slower transaction
// commits later (a plain serial column would: numbers are taken before commits, in another
// order).
TEST_P(CatalogTest, AReaderFollowingConcurrentWritersNeverSkipsAnEvent) {
  constexpr int kWriters = 4;
  constexpr int kFilesEach = 40;
  Attributes root = MkDir(kRootInode, "busy");
  std::vector<InodeId> dirs;
  for (int w = 0; w < kWriters; ++w) dirs.push_back(MkDir(root.ino, "w" + std::to_string(w)).ino);
  const uint64_t start = Newest(*cat_);
  const uint64_t total = kWriters * kFilesEach;
  std::atomic<bool> failed{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      NewNode n;
      n.type = FileType::kRegular;
      n.mode = 0644;
      for (int i = 0; i < kFilesEach && !failed; ++i) {
        auto made = cat_->CreateNode(dirs[w], "f" + std::to_string(i), n, WallClockNs());
        if (!made.ok()) {
          ADD_FAILURE() << made.status().ToString();
          failed = true;
        }
      }
    });
  }
  uint64_t cursor = start;
  uint64_t reads = 0;
  while (cursor < start + total && !failed) {
    EventQuery q;
    q.after = cursor;
    q.limit = 7;
    auto page = cat_->ReadEvents(q);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ++reads;
    for (const ChangeEvent& e : page->events) {
      ASSERT_EQ(e.seq, cursor + 1) << "a hole in the feed after " << cursor;
      cursor = e.seq;
    }
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(cursor, start + total);
  EXPECT_EQ(Newest(*cat_), start + total);
  EXPECT_GT(reads, 0u);
}

// Events are kept as long as the trash: the team's maintenance (or `reel gc`) trims older ones,
// which a reader learns from `oldest`; the newest always stays, so numbering goes on.
TEST_P(CatalogTest, TrimmingDropsOldEventsAndKeepsTheNewestAndTheNumbering) {
  const uint64_t start = Newest(*cat_);
  Attributes d = MkDir(kRootInode, "old");
  MkFile(d.ino, "a");
  const TimeNs between = Now();
  MkFile(d.ino, "b");
  if (GetParam().server_side) {
    EXPECT_CODE(cat_->TrimEvents(between), Code::kPermissionDenied) << "the server's own work";
  }
  ASSERT_OK_AND_ASSIGN(uint64_t trimmed, Server().TrimEvents(between));
  EXPECT_GE(trimmed, 2u);
  ASSERT_OK_AND_ASSIGN(EventPage page, cat_->ReadEvents(EventQuery{}));
  EXPECT_EQ(page.oldest, start + 3);
  EXPECT_EQ(page.newest, start + 3);
  EXPECT_EQ(Described(page.events), std::vector<std::string>{Line(ChangeKind::kCreated, "old/b")});

  ASSERT_OK_AND_ASSIGN(trimmed, Server().TrimEvents(Now()));
  EXPECT_EQ(trimmed, 0u) << "the newest stays";
  MkFile(d.ino, "c");
  ASSERT_OK_AND_ASSIGN(page, cat_->ReadEvents(EventQuery{}));
  ASSERT_EQ(page.events.size(), 2u);
  EXPECT_EQ(page.events[1].seq, start + 4) << "numbers are never reused";
  EXPECT_EQ(page.events[1].path, "old/c");
}

}  // namespace
}  // namespace reel::testing
