// Namespace operations (everything but Rename), run against every backend.
#include <algorithm>
#include <set>

#include "catalog/catalog_txn.h"
#include "catalog_test_util.h"

namespace reel::testing {
namespace {

TEST_P(CatalogTest, NewCatalogHasRootDirectory) {
  Attributes root = Attr(kRootInode);
  EXPECT_EQ(root.ino, kRootInode);
  EXPECT_EQ(root.type, FileType::kDirectory);
  EXPECT_EQ(root.mode, 0755u);
  EXPECT_EQ(root.uid, kTestUid);
  EXPECT_EQ(root.gid, kTestGid);
  EXPECT_EQ(root.nlink, 2u);
  EXPECT_EQ(*cat_->PathOf(kRootInode), "");
  EXPECT_TRUE(Names(kRootInode).empty());
}

TEST_P(CatalogTest, CreateAndLookupEachType) {
  TimeNs before = Attr(kRootInode).mtime;
  Attributes file = MkFile(kRootInode, "a.exr");
  EXPECT_GT(file.ino, kRootInode);
  EXPECT_EQ(file.type, FileType::kRegular);
  EXPECT_EQ(file.nlink, 1u);
  EXPECT_EQ(file.size, 0u);
  EXPECT_EQ(file.version, 0u);
  EXPECT_EQ(file.mode, 0644u);
  EXPECT_EQ(file.uid, kTestUid);
  EXPECT_EQ(file.mtime, file.ctime);
  Attributes root = Attr(kRootInode);
  EXPECT_EQ(root.nlink, 2u) << "a file does not add a link to its parent";
  EXPECT_GT(root.mtime, before);
  EXPECT_EQ(root.ctime, root.mtime);

  Attributes dir = MkDir(kRootInode, "shots");
  EXPECT_EQ(dir.type, FileType::kDirectory);
  EXPECT_EQ(dir.nlink, 2u);
  EXPECT_EQ(Attr(kRootInode).nlink, 3u) << "a subdirectory adds its '..' link";

  Attributes link = Make(dir.ino, "latest", FileType::kSymlink, "../a.exr");
  EXPECT_EQ(link.type, FileType::kSymlink);
  EXPECT_EQ(link.size, 8u);
  EXPECT_EQ(*cat_->ReadSymlink(link.ino), "../a.exr");
  EXPECT_CODE(cat_->ReadSymlink(file.ino), Code::kInvalidArgument);
  EXPECT_CODE(cat_->ReadSymlink(9999), Code::kNotFound);

  for (auto [parent, name, want] : {std::tuple{kRootInode, "a.exr", file},
                                    std::tuple{kRootInode, "shots", dir},
                                    std::tuple{dir.ino, "latest", link}}) {
    ASSERT_OK_AND_ASSIGN(Attributes got, cat_->Lookup(parent, name));
    EXPECT_EQ(got.ino, want.ino);
    EXPECT_EQ(got.type, want.type);
    EXPECT_EQ(got.size, want.size);
    if (want.type != FileType::kDirectory) {
      EXPECT_EQ(got.mtime, want.mtime);  // a directory's changed when its entries did
    }
    EXPECT_EQ(Attr(want.ino).ino, want.ino);
  }
}

TEST_P(CatalogTest, CreateRejectsBadNamesAndTakenNames) {
  NewNode n;
  for (const std::string& bad : {std::string(""), std::string("."), std::string(".."),
                                 std::string("a/b"), std::string("a\0b", 3)}) {
    EXPECT_CODE(cat_->CreateNode(kRootInode, bad, n, Now()), Code::kInvalidArgument) << bad;
  }
  EXPECT_CODE(cat_->CreateNode(kRootInode, std::string(256, 'x'), n, Now()), Code::kNameTooLong);
  EXPECT_OK(cat_->CreateNode(kRootInode, std::string(255, 'x'), n, Now()));
  EXPECT_CODE(cat_->Lookup(kRootInode, std::string(256, 'x')), Code::kNameTooLong);

  Attributes f = MkFile(kRootInode, "taken");
  EXPECT_CODE(cat_->CreateNode(kRootInode, "taken", n, Now()), Code::kAlreadyExists);
  n.type = FileType::kDirectory;
  EXPECT_CODE(cat_->CreateNode(kRootInode, "taken", n, Now()), Code::kAlreadyExists);
  EXPECT_CODE(cat_->CreateNode(f.ino, "child", n, Now()), Code::kNotDirectory);
  EXPECT_CODE(cat_->CreateNode(424242, "child", n, Now()), Code::kNotFound);
  n.type = FileType::kSymlink;
  EXPECT_CODE(cat_->CreateNode(kRootInode, "empty-link", n, Now()), Code::kInvalidArgument);
  // Nothing half-created by the failures.
  EXPECT_EQ(Names(kRootInode), (std::vector<std::string>{std::string(255, 'x'), "taken"}));
  EXPECT_EQ(Attr(kRootInode).nlink, 2u);
}

TEST_P(CatalogTest, LookupErrors) {
  Attributes f = MkFile(kRootInode, "f");
  EXPECT_CODE(cat_->Lookup(kRootInode, "missing"), Code::kNotFound);
  EXPECT_CODE(cat_->Lookup(f.ino, "x"), Code::kNotDirectory);
  EXPECT_CODE(cat_->Lookup(777, "x"), Code::kNotFound);
  EXPECT_CODE(cat_->GetAttributes(777), Code::kNotFound);
  EXPECT_CODE(cat_->ReadDir(f.ino, 0, 10), Code::kNotDirectory);
  EXPECT_CODE(cat_->ReadDir(777, 0, 10), Code::kNotFound);
  EXPECT_CODE(cat_->PathOf(777), Code::kNotFound);
}

TEST_P(CatalogTest, ReadDirPagesStayStableWhileEntriesComeAndGo) {
  Attributes dir = MkDir(kRootInode, "d");
  std::vector<std::string> initial;
  for (int i = 0; i < 12; ++i) {
    initial.push_back("e" + std::to_string(i));
    MkFile(dir.ino, initial.back());
  }
  Make(dir.ino, "sub", FileType::kDirectory);
  initial.push_back("sub");

  std::vector<std::string> seen;
  std::set<uint64_t> cookies;
  uint64_t cookie = 0;
  auto read_page = [&](size_t n) -> size_t {
    auto page = cat_->ReadDir(dir.ino, cookie, n);
    if (!page.ok()) {
      ADD_FAILURE() << page.status().ToString();
      return 0;
    }
    EXPECT_LE(page->size(), n);
    for (const DirEntry& e : *page) {
      EXPECT_NE(e.cookie, 0u);
      EXPECT_GT(e.cookie, cookie);
      EXPECT_TRUE(cookies.insert(e.cookie).second);
      auto a = cat_->Lookup(dir.ino, e.name);
      EXPECT_TRUE(a.ok()) << e.name;
      if (a.ok()) {
        EXPECT_EQ(e.attr.ino, a->ino);
        EXPECT_EQ(e.attr.type, a->type);
      }
      seen.push_back(e.name);
      cookie = e.cookie;
    }
    return page->size();
  };
  EXPECT_EQ(read_page(4), 4u);
  // Between pages: remove one entry already listed and one not yet listed, rename one not yet
  // listed within the directory, add new entries.
  EXPECT_OK(cat_->Unlink(dir.ino, "e1", Now()));
  EXPECT_OK(cat_->Unlink(dir.ino, "e7", Now()));
  EXPECT_OK(cat_->Rename(dir.ino, "e9", dir.ino, "e9-renamed", RenameMode::kReplace, Now()));
  MkFile(dir.ino, "new1");
  EXPECT_EQ(read_page(3), 3u);
  EXPECT_OK(cat_->Unlink(dir.ino, "e0", Now()));
  MkFile(dir.ino, "new2");
  while (read_page(3) > 0) {
  }

  std::set<std::string> seen_set(seen.begin(), seen.end());
  EXPECT_EQ(seen_set.size(), seen.size()) << "an entry was listed twice";
  for (const std::string& name : initial) {
    if (name == "e1" || name == "e7" || name == "e9" || name == "e0") continue;
    EXPECT_TRUE(seen_set.contains(name)) << name << " existed throughout but was skipped";
  }
  EXPECT_FALSE(seen_set.contains("e7"));
  EXPECT_TRUE(seen_set.contains("e9-renamed")) << "a renamed entry keeps its place";
  EXPECT_FALSE(seen_set.contains("e9"));

  EXPECT_TRUE(cat_->ReadDir(dir.ino, cookie, 10)->empty());
  EXPECT_TRUE(cat_->ReadDir(dir.ino, 0, 0)->empty());
  Attributes empty = MkDir(kRootInode, "empty");
  EXPECT_TRUE(cat_->ReadDir(empty.ino, 0, 10)->empty());
}

TEST_P(CatalogTest, HardLinksCountNames) {
  Attributes a = MkDir(kRootInode, "a");
  Attributes f = MkFile(a.ino, "f");
  ASSERT_OK_AND_ASSIGN(Attributes linked, cat_->Link(f.ino, kRootInode, "g", Now()));
  EXPECT_EQ(linked.ino, f.ino);
  EXPECT_EQ(linked.nlink, 2u);
  EXPECT_GT(linked.ctime, f.ctime);
  EXPECT_EQ(cat_->Lookup(kRootInode, "g")->ino, f.ino);
  EXPECT_EQ(cat_->Lookup(a.ino, "f")->nlink, 2u);
  EXPECT_EQ(Attr(kRootInode).nlink, 3u) << "a hard link to a file adds no directory link";
  EXPECT_EQ(*cat_->PathOf(f.ino), "a/f") << "PathOf follows the first name";

  EXPECT_CODE(cat_->Link(a.ino, kRootInode, "a2", Now()), Code::kPermissionDenied);
  EXPECT_CODE(cat_->Link(f.ino, kRootInode, "a", Now()), Code::kAlreadyExists);
  EXPECT_CODE(cat_->Link(f.ino, f.ino, "x", Now()), Code::kNotDirectory);
  EXPECT_CODE(cat_->Link(f.ino, kRootInode, "bad/name", Now()), Code::kInvalidArgument);
  EXPECT_CODE(cat_->Link(5555, kRootInode, "x", Now()), Code::kNotFound);
  EXPECT_EQ(Attr(f.ino).nlink, 2u);
}

TEST_P(CatalogTest, UnlinkDropsNamesAndTrashesTheLastOne) {
  Attributes sub = MkDir(kRootInode, "sub");
  Attributes f = MkFile(sub.ino, "a");
  NewVersion v;
  v.size = 10;
  v.chunks = {ChunkRef{TestChunk(1), 10}};
  ASSERT_OK(cat_->CommitVersion(f.ino, v, Now()));
  ASSERT_OK(cat_->Link(f.ino, sub.ino, "b", Now()));

  ASSERT_OK_AND_ASSIGN(UnlinkResult first, cat_->Unlink(sub.ino, "a", Now()));
  EXPECT_EQ(first.ino, f.ino);
  EXPECT_EQ(first.nlink, 1u);
  EXPECT_FALSE(first.trash_id.has_value());
  EXPECT_TRUE(cat_->ListTrash()->empty());
  EXPECT_EQ(*cat_->PathOf(f.ino), "sub/b");

  TimeNs when = Now();
  ASSERT_OK_AND_ASSIGN(UnlinkResult last, cat_->Unlink(sub.ino, "b", when));
  EXPECT_EQ(last.nlink, 0u);
  ASSERT_TRUE(last.trash_id.has_value());
  ASSERT_OK_AND_ASSIGN(auto trash, cat_->ListTrash());
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].id, *last.trash_id);
  EXPECT_EQ(trash[0].ino, f.ino);
  EXPECT_EQ(trash[0].original_path, "sub/b");
  EXPECT_EQ(trash[0].deleted, when);
  EXPECT_EQ(trash[0].size, 10u);

  EXPECT_CODE(cat_->Lookup(sub.ino, "b"), Code::kNotFound);
  Attributes gone = Attr(f.ino);  // the inode stays (open handles, restore)
  EXPECT_EQ(gone.nlink, 0u);
  EXPECT_EQ(gone.size, 10u);
  EXPECT_CODE(cat_->PathOf(f.ino), Code::kNotFound);
  EXPECT_CODE(cat_->Link(f.ino, kRootInode, "back", Now()), Code::kNotFound);
  EXPECT_EQ(Attr(sub.ino).mtime, when);
}

TEST_P(CatalogTest, UnlinkDeletesSymlinksAndRefusesDirectories) {
  Attributes l = Make(kRootInode, "l", FileType::kSymlink, "target");
  ASSERT_OK(cat_->SetXattr(l.ino, "user.x", "1", false, false));
  ASSERT_OK_AND_ASSIGN(UnlinkResult r, cat_->Unlink(kRootInode, "l", Now()));
  EXPECT_EQ(r.nlink, 0u);
  EXPECT_FALSE(r.trash_id.has_value());
  EXPECT_CODE(cat_->GetAttributes(l.ino), Code::kNotFound);
  EXPECT_TRUE(cat_->ListTrash()->empty());

  MkDir(kRootInode, "d");
  EXPECT_CODE(cat_->Unlink(kRootInode, "d", Now()), Code::kIsDirectory);
  EXPECT_CODE(cat_->Unlink(kRootInode, "missing", Now()), Code::kNotFound);
  EXPECT_OK(cat_->Lookup(kRootInode, "d"));
}

// Fifos, devices and sockets: metadata only, through every namespace operation; the last unlink
// deletes them as it does a symlink (no trash, no versions).
TEST_P(CatalogTest, SpecialFilesKeepTypeAndDeviceNumberAndSkipTheTrash) {
  const uint64_t kDev = (8u << 8) | 1;  // as st_rdev: major 8, minor 1
  for (FileType type : {FileType::kFifo, FileType::kCharDevice, FileType::kBlockDevice,
                        FileType::kSocket}) {
    SCOPED_TRACE(static_cast<int>(type));
    NewNode n;
    n.type = type;
    n.mode = 04640;
    n.uid = kTestUid;
    n.gid = kTestGid;
    n.rdev = kDev;
    ASSERT_OK_AND_ASSIGN(Attributes made, cat_->CreateNode(kRootInode, "node", n, Now()));
    const bool device = type == FileType::kCharDevice || type == FileType::kBlockDevice;
    EXPECT_EQ(made.type, type);
    EXPECT_EQ(made.mode, 04640u);
    EXPECT_EQ(made.size, 0u);
    EXPECT_EQ(made.nlink, 1u);
    EXPECT_EQ(made.rdev, device ? kDev : 0u) << "only devices carry a device number";
    ASSERT_OK_AND_ASSIGN(Attributes looked, cat_->Lookup(kRootInode, "node"));
    EXPECT_EQ(looked.type, type);
    EXPECT_EQ(looked.rdev, made.rdev);
    ASSERT_OK_AND_ASSIGN(auto listed, cat_->ReadDir(kRootInode, 0, 10));
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].attr.type, type);
    EXPECT_EQ(listed[0].attr.rdev, made.rdev);

    AttrUpdate chown;
    chown.uid = 7;
    chown.mode = 0600;
    ASSERT_OK(cat_->SetAttributes(made.ino, chown, Now()));
    ASSERT_OK(cat_->Link(made.ino, kRootInode, "node-link", Now()));
    ASSERT_OK(cat_->Rename(kRootInode, "node-link", kRootInode, "moved", RenameMode::kReplace,
                           Now()));
    Attributes a = Attr(made.ino);
    EXPECT_EQ(a.type, type);
    EXPECT_EQ(a.uid, 7u);
    EXPECT_EQ(a.mode, 0600u);
    EXPECT_EQ(a.nlink, 2u);
    EXPECT_EQ(a.rdev, made.rdev);
    EXPECT_CODE(cat_->CommitVersion(made.ino, NewVersion{}, Now()), Code::kInvalidArgument);
    EXPECT_CODE(cat_->ReadSymlink(made.ino), Code::kInvalidArgument);

    ASSERT_OK(cat_->Unlink(kRootInode, "node", Now()));
    ASSERT_OK_AND_ASSIGN(UnlinkResult last, cat_->Unlink(kRootInode, "moved", Now()));
    EXPECT_EQ(last.nlink, 0u);
    EXPECT_FALSE(last.trash_id.has_value());
    EXPECT_CODE(cat_->GetAttributes(made.ino), Code::kNotFound);
    EXPECT_TRUE(cat_->ListTrash()->empty());
    EXPECT_EQ(Stats()->files, 0u) << "special files are not counted as files";
  }
}

// What is made in a setgid directory takes its group; a subdirectory takes the setgid bit too.
TEST_P(CatalogTest, SetgidDirectoryGivesItsGroup) {
  Attributes d = MkDir(kRootInode, "shared");
  AttrUpdate sgid;
  sgid.gid = 4242;
  sgid.mode = 02775;
  ASSERT_OK(cat_->SetAttributes(d.ino, sgid, Now()));
  for (FileType type : {FileType::kRegular, FileType::kDirectory, FileType::kSymlink,
                        FileType::kFifo}) {
    Attributes a = Make(d.ino, "n" + std::to_string(static_cast<int>(type)), type, "t");
    EXPECT_EQ(a.gid, 4242u);
    EXPECT_EQ(a.mode & 02000, type == FileType::kDirectory ? 02000u : 0u);
    EXPECT_EQ(Attr(a.ino).gid, 4242u);
  }
  EXPECT_EQ(MkFile(kRootInode, "plain").gid, kTestGid) << "elsewhere the creator's group";
}

TEST_P(CatalogTest, RemoveDir) {
  Attributes d = MkDir(kRootInode, "d");
  Attributes inner = MkDir(d.ino, "inner");
  MkFile(kRootInode, "f");
  EXPECT_EQ(Attr(kRootInode).nlink, 3u);
  EXPECT_EQ(Attr(d.ino).nlink, 3u);
  EXPECT_CODE(cat_->RemoveDir(kRootInode, "d", Now()), Code::kNotEmpty);
  EXPECT_CODE(cat_->RemoveDir(kRootInode, "f", Now()), Code::kNotDirectory);
  EXPECT_CODE(cat_->RemoveDir(kRootInode, "nope", Now()), Code::kNotFound);

  TimeNs when = Now();
  EXPECT_OK(cat_->RemoveDir(d.ino, "inner", when));
  EXPECT_CODE(cat_->GetAttributes(inner.ino), Code::kNotFound);
  Attributes after = Attr(d.ino);
  EXPECT_EQ(after.nlink, 2u);
  EXPECT_EQ(after.mtime, when);
  EXPECT_OK(cat_->RemoveDir(kRootInode, "d", Now()));
  EXPECT_EQ(Attr(kRootInode).nlink, 2u);
  EXPECT_CODE(cat_->Lookup(kRootInode, "d"), Code::kNotFound);
  EXPECT_TRUE(cat_->ListTrash()->empty()) << "directories never go to the trash";
}

TEST_P(CatalogTest, SetAttributesChangesOnlyWhatIsAsked) {
  Attributes f = MkFile(kRootInode, "f");
  AttrUpdate mode_only;
  mode_only.mode = 0100640;  // type bits are dropped
  TimeNs t1 = Now();
  ASSERT_OK_AND_ASSIGN(Attributes a, cat_->SetAttributes(f.ino, mode_only, t1));
  EXPECT_EQ(a.mode, 0640u);
  EXPECT_EQ(a.uid, f.uid);
  EXPECT_EQ(a.gid, f.gid);
  EXPECT_EQ(a.atime, f.atime);
  EXPECT_EQ(a.mtime, f.mtime);
  EXPECT_EQ(a.ctime, t1);

  AttrUpdate owner_times;
  owner_times.uid = 7;
  owner_times.gid = 8;
  owner_times.atime = 111;
  owner_times.mtime = 222;
  TimeNs t2 = Now();
  ASSERT_OK(cat_->SetAttributes(f.ino, owner_times, t2));
  Attributes b = Attr(f.ino);
  EXPECT_EQ(b.mode, 0640u);
  EXPECT_EQ(b.uid, 7u);
  EXPECT_EQ(b.gid, 8u);
  EXPECT_EQ(b.atime, 111);
  EXPECT_EQ(b.mtime, 222);
  EXPECT_EQ(b.ctime, t2);
  EXPECT_EQ(b.nlink, 1u);

  AttrUpdate nothing;
  TimeNs t3 = Now();
  ASSERT_OK(cat_->SetAttributes(f.ino, nothing, t3));
  EXPECT_EQ(Attr(f.ino).ctime, t3);
  EXPECT_EQ(Attr(f.ino).mtime, 222);
  EXPECT_CODE(cat_->SetAttributes(31337, nothing, t3), Code::kNotFound);
}

TEST_P(CatalogTest, PathOfWalksToTheRoot) {
  Attributes a = MkDir(kRootInode, "a");
  Attributes b = MkDir(a.ino, "b");
  Attributes c = MkFile(b.ino, "c.txt");
  EXPECT_EQ(*cat_->PathOf(a.ino), "a");
  EXPECT_EQ(*cat_->PathOf(b.ino), "a/b");
  EXPECT_EQ(*cat_->PathOf(c.ino), "a/b/c.txt");
  ASSERT_OK(cat_->Rename(kRootInode, "a", kRootInode, "z", RenameMode::kReplace, Now()));
  EXPECT_EQ(*cat_->PathOf(c.ino), "z/b/c.txt");
}

// Linux names are bytes, not necessarily UTF-8 (e.g. Latin-1 names from old archives): every
// backend keeps them, symlink targets and xattr names byte for byte.
TEST_P(CatalogTest, NamesAreBytesNotText) {
  const std::string latin1("caf\xe9.exr", 8);
  const std::string odd("\xff\xfe\x01name", 7);
  Attributes dir = MkDir(kRootInode, odd);
  Attributes f = MkFile(dir.ino, latin1);
  Attributes link = Make(kRootInode, "link", FileType::kSymlink, odd + "/" + latin1);
  ASSERT_OK_AND_ASSIGN(Attributes got, cat_->Lookup(dir.ino, latin1));
  EXPECT_EQ(got.ino, f.ino);
  EXPECT_EQ(Names(dir.ino), std::vector<std::string>{latin1});
  EXPECT_EQ(*cat_->PathOf(f.ino), odd + "/" + latin1);
  EXPECT_EQ(*cat_->ReadSymlink(link.ino), odd + "/" + latin1);
  ASSERT_OK(cat_->SetXattr(f.ino, "user." + odd, latin1, false, false));
  ASSERT_OK(cat_->SetXattr(f.ino, "user.a", "x", false, false));
  EXPECT_EQ(*cat_->GetXattr(f.ino, "user." + odd), latin1);
  EXPECT_EQ(*cat_->ListXattrs(f.ino), (std::vector<std::string>{"user.a", "user." + odd}))
      << "listed in byte order (0x61 before 0xff)";
  ASSERT_OK(cat_->Rename(dir.ino, latin1, kRootInode, odd + odd, RenameMode::kReplace, Now()));
  ASSERT_OK_AND_ASSIGN(UnlinkResult gone, cat_->Unlink(kRootInode, odd + odd, Now()));
  ASSERT_OK_AND_ASSIGN(auto trash, cat_->ListTrash());
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].original_path, odd + odd);
  EXPECT_EQ(trash[0].ino, gone.ino);
}

// Creates made ahead (a team mount's): numbers reserved first, the creates recorded in one call.
NodeCreate Ahead(InodeId ino, InodeId parent, const std::string& name, FileType type, TimeNs now) {
  NodeCreate c;
  c.ino = ino;
  c.parent = parent;
  c.name = name;
  c.node.type = type;
  c.node.mode = type == FileType::kDirectory ? 0755 : 0644;
  c.node.uid = kTestUid;
  c.node.gid = kTestGid;
  c.now = now;
  return c;
}

TEST_P(CatalogTest, CreatesMadeAheadAreRecordedAsCreateNodeWouldMakeThem) {
  ASSERT_OK_AND_ASSIGN(std::vector<InodeId> numbers, cat_->ReserveInodes(3));
  ASSERT_EQ(numbers.size(), 3u);
  EXPECT_EQ(std::set<InodeId>(numbers.begin(), numbers.end()).size(), 3u);
  for (InodeId n : numbers) EXPECT_CODE(cat_->GetAttributes(n), Code::kNotFound);
  const Attributes made = MkFile(kRootInode, "made.exr");  // the numbers are nobody else's
  for (InodeId n : numbers) EXPECT_NE(n, made.ino);

  const TimeNs t = Now();
  ASSERT_OK_AND_ASSIGN(
      std::vector<NodeCreated> done,
      cat_->CreateNodes({Ahead(numbers[0], kRootInode, "shots", FileType::kDirectory, t),
                         Ahead(numbers[1], numbers[0], "a.exr", FileType::kRegular, t + 1),
                         Ahead(numbers[2], kRootInode, "b.exr", FileType::kRegular, t + 2)}));
  ASSERT_EQ(done.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(done[i].outcome, CreateOutcome::kCreated) << i;
    EXPECT_EQ(done[i].attr.ino, numbers[i]) << i;
  }
  EXPECT_EQ(done[1].parent, numbers[0]);
  EXPECT_EQ(done[1].name, "a.exr");
  ASSERT_OK_AND_ASSIGN(Attributes a, cat_->Lookup(numbers[0], "a.exr"));
  EXPECT_EQ(a.ino, numbers[1]);
  EXPECT_EQ(a.mtime, t + 1);
  EXPECT_EQ(a.nlink, 1u);
  EXPECT_EQ(*cat_->PathOf(numbers[1]), "shots/a.exr");
  const Attributes root = Attr(kRootInode);
  EXPECT_EQ(root.nlink, 3u);
  EXPECT_EQ(root.mtime, t + 2);
  EXPECT_EQ(Attr(numbers[0]).nlink, 2u);
  // The attributes a mount computes ahead are the ones recorded.
  NewNode plain = Ahead(0, 0, "x", FileType::kRegular, 0).node;
  Attributes predicted = NewNodeAttributes(root, plain, t + 2);
  predicted.ino = numbers[2];
  const Attributes b = Attr(numbers[2]);
  EXPECT_EQ(b.mode, predicted.mode);
  EXPECT_EQ(b.gid, predicted.gid);
  EXPECT_EQ(b.ctime, predicted.ctime);
  EXPECT_EQ(b.nlink, predicted.nlink);
}

TEST_P(CatalogTest, ACreateMadeAheadIsRecordedOnce) {
  ASSERT_OK_AND_ASSIGN(std::vector<InodeId> numbers, cat_->ReserveInodes(1));
  const std::vector<NodeCreate> creates = {
      Ahead(numbers[0], kRootInode, "once.exr", FileType::kRegular, Now())};
  ASSERT_OK(cat_->CreateNodes(creates).status());
  const Attributes root = Attr(kRootInode);
  // Sent again (a lost reply, a journal replayed after a crash): nothing changes.
  ASSERT_OK_AND_ASSIGN(std::vector<NodeCreated> again, cat_->CreateNodes(creates));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].outcome, CreateOutcome::kExisting);
  EXPECT_EQ(again[0].attr.ino, numbers[0]);
  EXPECT_EQ(again[0].name, "once.exr");
  EXPECT_EQ(Names(kRootInode), std::vector<std::string>{"once.exr"});
  EXPECT_EQ(Attr(kRootInode).mtime, root.mtime);
}

TEST_P(CatalogTest, ANameTakenMeanwhileGivesTheCreateMadeAheadAConflictName) {
  ASSERT_OK_AND_ASSIGN(std::vector<InodeId> numbers, cat_->ReserveInodes(2));
  const Attributes theirs = MkFile(kRootInode, "plate.exr");  // another machine's, first
  ASSERT_OK_AND_ASSIGN(
      std::vector<NodeCreated> done,
      cat_->CreateNodes({Ahead(numbers[0], kRootInode, "plate.exr", FileType::kRegular, Now())}));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, CreateOutcome::kRenamed);
  const std::string mine = "plate.exr.conflict-" + std::to_string(numbers[0]);
  EXPECT_EQ(done[0].name, mine);
  EXPECT_EQ(cat_->Lookup(kRootInode, "plate.exr")->ino, theirs.ino);
  EXPECT_EQ(cat_->Lookup(kRootInode, mine)->ino, numbers[0]);
  EXPECT_EQ(ConflictName(std::string(255, 'n'), 42).size(), 255u);
}

TEST_P(CatalogTest, ACreateMadeAheadInADirectoryRemovedMeanwhileGoesToTheRefuge) {
  const Attributes dir = MkDir(kRootInode, "gone");
  ASSERT_OK_AND_ASSIGN(std::vector<InodeId> numbers, cat_->ReserveInodes(1));
  ASSERT_OK(cat_->RemoveDir(kRootInode, "gone", Now()));
  ASSERT_OK_AND_ASSIGN(
      std::vector<NodeCreated> done,
      cat_->CreateNodes({Ahead(numbers[0], dir.ino, "take.exr", FileType::kRegular, Now())}));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].outcome, CreateOutcome::kRefuge);
  EXPECT_EQ(done[0].parent, kRootInode);
  const std::string kept = "take.exr.conflict-" + std::to_string(numbers[0]);
  EXPECT_EQ(done[0].name, kept);
  EXPECT_EQ(cat_->Lookup(kRootInode, kept)->ino, numbers[0]);
}

TEST_P(CatalogTest, CreatesMadeAheadWithNumbersNeverReservedChangeNothing) {
  EXPECT_CODE(cat_->ReserveInodes(0), Code::kInvalidArgument);
  EXPECT_CODE(cat_->ReserveInodes(kMaxReserveInodes + 1), Code::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(std::vector<InodeId> numbers, cat_->ReserveInodes(1));
  const TimeNs t = Now();
  EXPECT_CODE(cat_->CreateNodes({Ahead(numbers[0], kRootInode, "ok.exr", FileType::kRegular, t),
                                 Ahead(numbers[0] + 1000000, kRootInode, "x", FileType::kRegular,
                                       t)}),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->CreateNodes({Ahead(kRootInode, kRootInode, "x", FileType::kRegular, t)}),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->CreateNodes({Ahead(numbers[0], kRootInode, "a/b", FileType::kRegular, t)}),
              Code::kInvalidArgument);
  EXPECT_TRUE(Names(kRootInode).empty());
  std::vector<NodeCreate> too_many(kMaxNodeCreates + 1,
                                   Ahead(numbers[0], kRootInode, "x", FileType::kRegular, t));
  EXPECT_CODE(cat_->CreateNodes(too_many), Code::kInvalidArgument);
  EXPECT_TRUE(Names(kRootInode).empty());
}

}  // namespace
}  // namespace reel::testing
