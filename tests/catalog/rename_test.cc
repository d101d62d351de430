// Rename, run against every backend.
#include "catalog_test_util.h"

namespace reel::testing {
namespace {

constexpr RenameMode kReplace = RenameMode::kReplace;
constexpr RenameMode kNoReplace = RenameMode::kNoReplace;
constexpr RenameMode kExchange = RenameMode::kExchange;

TEST_P(CatalogTest, RenameMovesWithinAndAcrossDirectories) {
  Attributes a = MkDir(kRootInode, "a");
  Attributes b = MkDir(kRootInode, "b");
  Attributes f = MkFile(a.ino, "f");
  TimeNs t1 = Now();
  ASSERT_OK_AND_ASSIGN(RenameResult r, cat_->Rename(a.ino, "f", a.ino, "g", kReplace, t1));
  EXPECT_FALSE(r.replaced.has_value());
  EXPECT_CODE(cat_->Lookup(a.ino, "f"), Code::kNotFound);
  EXPECT_EQ(cat_->Lookup(a.ino, "g")->ino, f.ino);
  EXPECT_EQ(Attr(f.ino).ctime, t1);
  EXPECT_EQ(Attr(a.ino).mtime, t1);

  TimeNs t2 = Now();
  ASSERT_OK(cat_->Rename(a.ino, "g", b.ino, "h", kNoReplace, t2));
  EXPECT_TRUE(Names(a.ino).empty());
  EXPECT_EQ(Names(b.ino), std::vector<std::string>{"h"});
  EXPECT_EQ(Attr(a.ino).mtime, t2);
  EXPECT_EQ(Attr(b.ino).mtime, t2);
  EXPECT_EQ(Attr(f.ino).nlink, 1u);
  EXPECT_EQ(*cat_->PathOf(f.ino), "b/h");

  // A directory changing parent moves its ".." link.
  Attributes d = MkDir(a.ino, "d");
  MkFile(d.ino, "inside");
  EXPECT_EQ(Attr(a.ino).nlink, 3u);
  ASSERT_OK(cat_->Rename(a.ino, "d", b.ino, "d", kReplace, Now()));
  EXPECT_EQ(Attr(a.ino).nlink, 2u);
  EXPECT_EQ(Attr(b.ino).nlink, 3u);
  EXPECT_EQ(Attr(kRootInode).nlink, 4u);
  EXPECT_EQ(*cat_->PathOf(cat_->Lookup(d.ino, "inside")->ino), "b/d/inside");
}

TEST_P(CatalogTest, RenameErrors) {
  Attributes f = MkFile(kRootInode, "f");
  EXPECT_CODE(cat_->Rename(kRootInode, "missing", kRootInode, "x", kReplace, Now()),
              Code::kNotFound);
  EXPECT_CODE(cat_->Rename(kRootInode, "f", f.ino, "x", kReplace, Now()), Code::kNotDirectory);
  EXPECT_CODE(cat_->Rename(f.ino, "x", kRootInode, "y", kReplace, Now()), Code::kNotDirectory);
  EXPECT_CODE(cat_->Rename(kRootInode, "f", 9999, "x", kReplace, Now()), Code::kNotFound);
  EXPECT_CODE(cat_->Rename(kRootInode, "f", kRootInode, "a/b", kReplace, Now()),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->Rename(kRootInode, "f", kRootInode, std::string(256, 'n'), kReplace, Now()),
              Code::kNameTooLong);
  EXPECT_EQ(Names(kRootInode), std::vector<std::string>{"f"});
}

TEST_P(CatalogTest, RenameReplacesFileWhichGoesToTrash) {
  Attributes d = MkDir(kRootInode, "d");
  Attributes src = MkFile(kRootInode, "new");
  Attributes old = MkFile(d.ino, "old");
  NewVersion v;
  v.size = 3;
  v.chunks = {ChunkRef{TestChunk(9), 3}};
  ASSERT_OK(cat_->CommitVersion(old.ino, v, Now()));

  TimeNs when = Now();
  ASSERT_OK_AND_ASSIGN(RenameResult r, cat_->Rename(kRootInode, "new", d.ino, "old", kReplace,
                                                    when));
  ASSERT_TRUE(r.replaced.has_value());
  EXPECT_EQ(r.replaced->ino, old.ino);
  EXPECT_EQ(r.replaced->nlink, 0u);
  ASSERT_TRUE(r.replaced->trash_id.has_value());
  EXPECT_EQ(cat_->Lookup(d.ino, "old")->ino, src.ino);
  ASSERT_OK_AND_ASSIGN(auto trash, cat_->ListTrash());
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].ino, old.ino);
  EXPECT_EQ(trash[0].original_path, "d/old");
  EXPECT_EQ(trash[0].size, 3u);
  EXPECT_EQ(trash[0].deleted, when);
  EXPECT_EQ(Attr(old.ino).nlink, 0u);
  EXPECT_EQ(Names(kRootInode), std::vector<std::string>{"d"});
}

TEST_P(CatalogTest, RenameKeepHistoryMovesVersionsToTheNewFile) {
  Attributes old = MkFile(kRootInode, "shot.exr");
  Attributes tmp = MkFile(kRootInode, "shot.exr.tmp");
  for (uint8_t i = 1; i <= 2; ++i) {
    NewVersion v;
    v.size = 4;
    v.chunks = {ChunkRef{TestChunk(i), 4}};
    ASSERT_OK(cat_->CommitVersion(old.ino, v, Now()));
  }
  NewVersion mine;
  mine.size = 5;
  mine.chunks = {ChunkRef{TestChunk(7), 5}};
  ASSERT_OK(cat_->CommitVersion(tmp.ino, mine, Now()));
  ASSERT_OK_AND_ASSIGN(RenameResult r, cat_->Rename(kRootInode, "shot.exr.tmp", kRootInode,
                                                    "shot.exr", RenameMode::kReplaceKeepHistory,
                                                    Now()));
  ASSERT_TRUE(r.replaced.has_value());
  EXPECT_FALSE(r.replaced->trash_id.has_value());
  ASSERT_OK_AND_ASSIGN(auto versions, cat_->ListVersions(tmp.ino));
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].number, 1u);
  EXPECT_EQ(versions[2].number, 3u);
  EXPECT_EQ(versions[2].size, 5u);
  EXPECT_EQ(Attr(tmp.ino).version, 3u);
  ASSERT_OK_AND_ASSIGN(Version first, cat_->GetVersion(tmp.ino, 1));
  EXPECT_EQ(first.chunks[0].id, TestChunk(1));
  EXPECT_CODE(cat_->GetAttributes(old.ino), Code::kNotFound);
  EXPECT_TRUE(cat_->ListTrash()->empty());
  // No chunk lost or double counted: every chunk still has exactly one reference.
  std::vector<uint64_t> refs;
  ASSERT_OK(Server().ForEachChunk([&](const ChunkRecord& c) {
    refs.push_back(c.refcount);
    return true;
  }));
  EXPECT_EQ(refs, (std::vector<uint64_t>{1, 1, 1}));
}

TEST_P(CatalogTest, RenameOverFileWithOtherLinksKeepsIt) {
  Attributes src = MkFile(kRootInode, "src");
  Attributes target = MkFile(kRootInode, "target");
  ASSERT_OK(cat_->Link(target.ino, kRootInode, "other-name", Now()));
  ASSERT_OK_AND_ASSIGN(RenameResult r,
                       cat_->Rename(kRootInode, "src", kRootInode, "target", kReplace, Now()));
  ASSERT_TRUE(r.replaced.has_value());
  EXPECT_EQ(r.replaced->ino, target.ino);
  EXPECT_EQ(r.replaced->nlink, 1u);
  EXPECT_FALSE(r.replaced->trash_id.has_value());
  EXPECT_TRUE(cat_->ListTrash()->empty());
  EXPECT_EQ(cat_->Lookup(kRootInode, "target")->ino, src.ino);
  EXPECT_EQ(cat_->Lookup(kRootInode, "other-name")->nlink, 1u);
}

TEST_P(CatalogTest, RenameNoReplace) {
  MkFile(kRootInode, "a");
  MkFile(kRootInode, "b");
  EXPECT_CODE(cat_->Rename(kRootInode, "a", kRootInode, "b", kNoReplace, Now()),
              Code::kAlreadyExists);
  EXPECT_OK(cat_->Rename(kRootInode, "a", kRootInode, "c", kNoReplace, Now()));
  EXPECT_EQ(Names(kRootInode), (std::vector<std::string>{"c", "b"}))
      << "listed in creation order; a renamed entry keeps its place";
}

TEST_P(CatalogTest, RenameExchangeSwapsNames) {
  Attributes x = MkFile(kRootInode, "x");
  Attributes y = MkFile(kRootInode, "y");
  ASSERT_OK_AND_ASSIGN(RenameResult r,
                       cat_->Rename(kRootInode, "x", kRootInode, "y", kExchange, Now()));
  EXPECT_FALSE(r.replaced.has_value());
  EXPECT_EQ(cat_->Lookup(kRootInode, "x")->ino, y.ino);
  EXPECT_EQ(cat_->Lookup(kRootInode, "y")->ino, x.ino);
  EXPECT_CODE(cat_->Rename(kRootInode, "x", kRootInode, "none", kExchange, Now()),
              Code::kNotFound);

  // Across directories, a file with a directory: the parents' link counts follow the directory.
  Attributes p = MkDir(kRootInode, "p");
  Attributes q = MkDir(kRootInode, "q");
  Attributes file = MkFile(p.ino, "item");
  Attributes dir = MkDir(q.ino, "item2");
  MkFile(dir.ino, "payload");
  EXPECT_EQ(Attr(p.ino).nlink, 2u);
  EXPECT_EQ(Attr(q.ino).nlink, 3u);
  TimeNs when = Now();
  ASSERT_OK(cat_->Rename(p.ino, "item", q.ino, "item2", kExchange, when));
  EXPECT_EQ(cat_->Lookup(p.ino, "item")->ino, dir.ino);
  EXPECT_EQ(cat_->Lookup(q.ino, "item2")->ino, file.ino);
  EXPECT_EQ(Attr(p.ino).nlink, 3u);
  EXPECT_EQ(Attr(q.ino).nlink, 2u);
  EXPECT_EQ(Attr(p.ino).mtime, when);
  EXPECT_EQ(Attr(q.ino).mtime, when);
  EXPECT_EQ(Attr(dir.ino).ctime, when);
  EXPECT_EQ(*cat_->PathOf(cat_->Lookup(dir.ino, "payload")->ino), "p/item/payload");
  EXPECT_TRUE(cat_->ListTrash()->empty());

  // Two directories: no link count changes.
  Attributes d2 = MkDir(p.ino, "d2");
  ASSERT_OK(cat_->Rename(p.ino, "item", q.ino, "item2", kExchange, Now()));  // back
  ASSERT_OK(cat_->Rename(p.ino, "d2", q.ino, "item2", kExchange, Now()));
  EXPECT_EQ(cat_->Lookup(q.ino, "item2")->ino, d2.ino);
  EXPECT_EQ(cat_->Lookup(p.ino, "d2")->ino, dir.ino);
  EXPECT_EQ(Attr(p.ino).nlink, 3u);
  EXPECT_EQ(Attr(q.ino).nlink, 3u);
}

TEST_P(CatalogTest, RenameDirectoryReplacementRules) {
  Attributes src = MkDir(kRootInode, "src");
  Attributes empty = MkDir(kRootInode, "empty");
  Attributes full = MkDir(kRootInode, "full");
  MkFile(full.ino, "x");
  MkFile(kRootInode, "file");
  EXPECT_EQ(Attr(kRootInode).nlink, 5u);

  EXPECT_CODE(cat_->Rename(kRootInode, "src", kRootInode, "full", kReplace, Now()),
              Code::kNotEmpty);
  EXPECT_CODE(cat_->Rename(kRootInode, "file", kRootInode, "empty", kReplace, Now()),
              Code::kIsDirectory);
  EXPECT_CODE(cat_->Rename(kRootInode, "src", kRootInode, "file", kReplace, Now()),
              Code::kNotDirectory);

  ASSERT_OK_AND_ASSIGN(RenameResult r,
                       cat_->Rename(kRootInode, "src", kRootInode, "empty", kReplace, Now()));
  ASSERT_TRUE(r.replaced.has_value());
  EXPECT_EQ(r.replaced->ino, empty.ino);
  EXPECT_FALSE(r.replaced->trash_id.has_value());
  EXPECT_CODE(cat_->GetAttributes(empty.ino), Code::kNotFound);
  EXPECT_EQ(cat_->Lookup(kRootInode, "empty")->ino, src.ino);
  EXPECT_EQ(Attr(kRootInode).nlink, 4u);

  // Replacing an empty directory in another parent.
  Attributes other = MkDir(full.ino, "other");
  EXPECT_EQ(Attr(full.ino).nlink, 3u);
  ASSERT_OK(cat_->Rename(kRootInode, "empty", full.ino, "other", kReplace, Now()));
  EXPECT_CODE(cat_->GetAttributes(other.ino), Code::kNotFound);
  EXPECT_EQ(Attr(full.ino).nlink, 3u);
  EXPECT_EQ(Attr(kRootInode).nlink, 3u);
  EXPECT_TRUE(cat_->ListTrash()->empty());
}

TEST_P(CatalogTest, RenameRefusesToMoveADirectoryIntoItself) {
  Attributes a = MkDir(kRootInode, "a");
  Attributes b = MkDir(a.ino, "b");
  Attributes c = MkDir(b.ino, "c");
  EXPECT_CODE(cat_->Rename(kRootInode, "a", c.ino, "a", kReplace, Now()),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->Rename(kRootInode, "a", a.ino, "self", kReplace, Now()),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->Rename(kRootInode, "a", c.ino, "x", kExchange, Now()), Code::kNotFound);
  MkFile(c.ino, "f");
  EXPECT_CODE(cat_->Rename(kRootInode, "a", c.ino, "f", kExchange, Now()),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->Rename(b.ino, "c", kRootInode, "a", kExchange, Now()),
              Code::kInvalidArgument);
  // Onto an ancestor: the ancestor is not empty.
  EXPECT_CODE(cat_->Rename(b.ino, "c", kRootInode, "a", kReplace, Now()), Code::kNotEmpty);
  EXPECT_EQ(*cat_->PathOf(c.ino), "a/b/c");
  EXPECT_EQ(Attr(a.ino).nlink, 3u);
  // Moving down and up outside its own subtree is fine.
  ASSERT_OK(cat_->Rename(b.ino, "c", kRootInode, "c", kReplace, Now()));
  EXPECT_EQ(*cat_->PathOf(c.ino), "c");
}

TEST_P(CatalogTest, RenameOntoItselfOrAnotherNameOfTheSameInodeIsANoOp) {
  Attributes f = MkFile(kRootInode, "f");
  Attributes d = MkDir(kRootInode, "d");
  for (RenameMode mode : {kReplace, kNoReplace, kExchange}) {
    ASSERT_OK_AND_ASSIGN(RenameResult r,
                         cat_->Rename(kRootInode, "f", kRootInode, "f", mode, Now()));
    EXPECT_FALSE(r.replaced.has_value());
    EXPECT_OK(cat_->Rename(kRootInode, "d", kRootInode, "d", mode, Now()));
  }
  ASSERT_OK(cat_->Link(f.ino, d.ino, "g", Now()));
  ASSERT_OK_AND_ASSIGN(RenameResult r, cat_->Rename(kRootInode, "f", d.ino, "g", kReplace, Now()));
  EXPECT_FALSE(r.replaced.has_value());
  EXPECT_EQ(cat_->Lookup(kRootInode, "f")->ino, f.ino);
  EXPECT_EQ(cat_->Lookup(d.ino, "g")->ino, f.ino);
  EXPECT_EQ(Attr(f.ino).nlink, 2u);
  EXPECT_OK(cat_->Rename(kRootInode, "f", d.ino, "g", kExchange, Now()));
  // RENAME_NOREPLACE still refuses an existing target, as Linux does.
  EXPECT_CODE(cat_->Rename(kRootInode, "f", d.ino, "g", kNoReplace, Now()), Code::kAlreadyExists);
  EXPECT_TRUE(cat_->ListTrash()->empty());
}

}  // namespace
}  // namespace reel::testing
