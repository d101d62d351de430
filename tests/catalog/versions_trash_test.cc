// Versions, trash and chunk records, run against every backend.
#include <map>
#include <set>

#include "catalog_test_util.h"

namespace reel::testing {
namespace {

NewVersion MakeVersion(std::vector<ChunkRef> chunks, VersionKind kind = VersionKind::kAutosave,
                       std::string message = "", TimeNs mtime = 0) {
  NewVersion v;
  for (const ChunkRef& c : chunks) v.size += c.length;
  v.chunks = std::move(chunks);
  v.kind = kind;
  v.message = std::move(message);
  v.mtime = mtime;
  return v;
}

std::map<ChunkId, ChunkRecord> AllChunks(Catalog& cat) {
  std::map<ChunkId, ChunkRecord> out;
  Status s = cat.ForEachChunk([&](const ChunkRecord& r) {
    out[r.id] = r;
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST_P(CatalogTest, CommitVersionNumbersAndStoresChunkListsExactly) {
  Attributes f = MkFile(kRootInode, "clip.mov");
  EXPECT_CODE(cat_->GetVersion(f.ino, 0), Code::kNotFound);
  EXPECT_TRUE(cat_->ListVersions(f.ino)->empty());

  const ChunkRef a{TestChunk(1), 100};
  const ChunkRef b{TestChunk(2), 50};
  const ChunkRef c{TestChunk(3), 7};
  TimeNs t1 = Now();
  ASSERT_OK_AND_ASSIGN(VersionInfo v1,
                       cat_->CommitVersion(f.ino, MakeVersion({a, b, a}, VersionKind::kAutosave,
                                                              "", 12345),
                                           t1));
  EXPECT_EQ(v1.number, 1u);
  EXPECT_EQ(v1.size, 250u);
  EXPECT_EQ(v1.chunk_count, 3u);
  EXPECT_EQ(v1.created, t1);
  Attributes after1 = Attr(f.ino);
  EXPECT_EQ(after1.size, 250u);
  EXPECT_EQ(after1.version, 1u);
  EXPECT_EQ(after1.mtime, 12345);
  EXPECT_EQ(after1.ctime, f.ctime)
      << "a commit with a staged mtime keeps the ctime of the change, not the commit time";

  TimeNs t2 = Now();
  ASSERT_OK_AND_ASSIGN(
      VersionInfo v2,
      cat_->CommitVersion(f.ino, MakeVersion({c, b}, VersionKind::kCheckpoint, "grade v2"), t2));
  EXPECT_EQ(v2.number, 2u);
  EXPECT_EQ(Attr(f.ino).mtime, t2) << "mtime 0 means now";
  EXPECT_EQ(Attr(f.ino).ctime, t2) << "and ctime too";
  ASSERT_OK_AND_ASSIGN(VersionInfo v3,
                       cat_->CommitVersion(f.ino, MakeVersion({}, VersionKind::kRestore), Now()));
  EXPECT_EQ(v3.number, 3u);
  EXPECT_EQ(Attr(f.ino).size, 0u);

  ASSERT_OK_AND_ASSIGN(auto list, cat_->ListVersions(f.ino));
  ASSERT_EQ(list.size(), 3u);
  for (size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i].number, i + 1);
  EXPECT_EQ(list[1].kind, VersionKind::kCheckpoint);
  EXPECT_EQ(list[1].message, "grade v2");
  EXPECT_EQ(list[1].size, 57u);
  EXPECT_EQ(list[1].chunk_count, 2u);
  EXPECT_EQ(list[2].kind, VersionKind::kRestore);

  ASSERT_OK_AND_ASSIGN(Version got1, cat_->GetVersion(f.ino, 1));
  EXPECT_EQ(got1.chunks, (std::vector<ChunkRef>{a, b, a}));
  EXPECT_EQ(got1.info.number, 1u);
  EXPECT_EQ(got1.info.size, 250u);
  ASSERT_OK_AND_ASSIGN(Version current, cat_->GetVersion(f.ino, 0));
  EXPECT_EQ(current.info.number, 3u);
  EXPECT_TRUE(current.chunks.empty());
  EXPECT_EQ(cat_->GetVersion(f.ino, 2)->chunks, (std::vector<ChunkRef>{c, b}));
  EXPECT_CODE(cat_->GetVersion(f.ino, 4), Code::kNotFound);
  EXPECT_CODE(cat_->GetVersion(888, 0), Code::kNotFound);
  EXPECT_CODE(cat_->ListVersions(888), Code::kNotFound);

  // Another file numbers from 1 on its own.
  Attributes g = MkFile(kRootInode, "g");
  EXPECT_EQ(cat_->CommitVersion(g.ino, MakeVersion({c}), Now())->number, 1u);
}

NewVersion Based(std::vector<ChunkRef> chunks, std::optional<uint64_t> base) {
  NewVersion v = MakeVersion(std::move(chunks));
  v.base = base;
  return v;
}

TEST_P(CatalogTest, VersionIdsStayWhenARenameThatKeepsHistoryRenumbers) {
  Attributes old_file = MkFile(kRootInode, "cut.prproj");
  ASSERT_OK_AND_ASSIGN(VersionInfo o1, cat_->CommitVersion(old_file.ino,
                                                           Based({{TestChunk(1), 10}}, 0), Now()));
  Attributes saved = MkFile(kRootInode, ".cut.prproj.tmp");
  ASSERT_OK_AND_ASSIGN(VersionInfo s1, cat_->CommitVersion(saved.ino,
                                                           Based({{TestChunk(2), 20}}, 0), Now()));
  EXPECT_EQ(s1.number, 1u);
  ASSERT_OK(cat_->Rename(kRootInode, ".cut.prproj.tmp", kRootInode, "cut.prproj",
                         RenameMode::kReplaceKeepHistory, Now())
                .status());
  ASSERT_OK_AND_ASSIGN(auto versions, cat_->ListVersions(saved.ino));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].id, o1.id);
  EXPECT_EQ(versions[1].id, s1.id);
  EXPECT_EQ(versions[1].number, 2u) << "renumbered after the history it took over";
  // A commit based on the saved file's version is still based on the current one.
  ASSERT_OK_AND_ASSIGN(VersionInfo next, cat_->CommitVersion(saved.ino,
                                                             Based({{TestChunk(3), 5}}, s1.id),
                                                             Now()));
  EXPECT_EQ(next.number, 3u);
  EXPECT_FALSE(next.conflict.has_value());
  ASSERT_OK_AND_ASSIGN(Version got, cat_->GetVersion(saved.ino, 3));
  EXPECT_EQ(got.info.id, next.id);
}

TEST_P(CatalogTest, CommitVersionCtimeFollowsTheStagedChangeNotTheCommit) {
  Attributes f = MkFile(kRootInode, "late.mov");
  TimeNs written = Now();  // the write, staged
  TimeNs committed = Now() + 5'000'000'000;  // the background commit, seconds later
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({{TestChunk(1), 10}}, VersionKind::kAutosave,
                                                   "", written),
                                committed)
                .status());
  Attributes a = Attr(f.ino);
  EXPECT_EQ(a.mtime, written);
  EXPECT_EQ(a.ctime, written) << "tar and rsync compare ctime before and after reading";
}

TEST_P(CatalogTest, CommitVersionCountsChunkReferences) {
  Attributes f = MkFile(kRootInode, "f");
  Attributes g = MkFile(kRootInode, "g");
  const ChunkRef a{TestChunk(1), 100};
  const ChunkRef b{TestChunk(2), 50};
  EXPECT_FALSE(*cat_->HasChunk(a.id));
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({a, b, a}), Now()));
  ASSERT_OK(cat_->CommitVersion(g.ino, MakeVersion({a}), Now()));
  EXPECT_TRUE(*cat_->HasChunk(a.id));
  EXPECT_TRUE(*cat_->HasChunk(b.id));
  auto chunks = AllChunks(Server());
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[a.id].refcount, 3u) << "used twice in one version + once in another";
  EXPECT_EQ(chunks[a.id].size, 100u);
  EXPECT_EQ(chunks[b.id].refcount, 1u);
  EXPECT_EQ(chunks[b.id].unreferenced_since, 0);
  EXPECT_TRUE(Server().ListUnreferencedChunks(INT64_MAX)->empty());
  EXPECT_FALSE(*Server().DeleteChunkIfUnreferenced(a.id));
  EXPECT_TRUE(*cat_->HasChunk(a.id));
}

TEST_P(CatalogTest, HolesStayInChunkListsButAreNotChunks) {
  const ChunkId hole{};  // all zeros: zeros stored nowhere
  const ChunkRef data{TestChunk(1), 10};
  Attributes f = MkFile(kRootInode, "sparse");
  std::vector<ChunkRef> refs = {ChunkRef{hole, 1u << 30}, data, ChunkRef{hole, 5}};
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion(refs), Now()));
  EXPECT_EQ(cat_->GetVersion(f.ino, 0)->chunks, refs);
  EXPECT_EQ(Attr(f.ino).size, (1u << 30) + 15u);
  EXPECT_FALSE(*cat_->HasChunk(hole));
  EXPECT_EQ(AllChunks(Server()).size(), 1u);
  ASSERT_OK_AND_ASSIGN(CatalogStats s, Stats());
  EXPECT_EQ(s.chunks, 1u);
  EXPECT_EQ(s.chunk_bytes, 10u);
  ASSERT_OK(cat_->Unlink(kRootInode, "sparse", Now()));
  ASSERT_OK_AND_ASSIGN(uint64_t purged, Server().PurgeTrash(INT64_MAX, {}, Now()));
  EXPECT_EQ(purged, 1u);
  ASSERT_OK_AND_ASSIGN(auto unreferenced, Server().ListUnreferencedChunks(INT64_MAX));
  ASSERT_EQ(unreferenced.size(), 1u);
  EXPECT_EQ(unreferenced[0].id, data.id);
}

TEST_P(CatalogTest, CommitVersionValidates) {
  Attributes d = MkDir(kRootInode, "d");
  Attributes l = Make(kRootInode, "l", FileType::kSymlink, "d");
  Attributes f = MkFile(kRootInode, "f");
  NewVersion v = MakeVersion({ChunkRef{TestChunk(1), 10}});
  EXPECT_CODE(cat_->CommitVersion(d.ino, v, Now()), Code::kIsDirectory);
  EXPECT_CODE(cat_->CommitVersion(l.ino, v, Now()), Code::kInvalidArgument);
  EXPECT_CODE(cat_->CommitVersion(4040, v, Now()), Code::kNotFound);
  v.size = 11;
  EXPECT_CODE(cat_->CommitVersion(f.ino, v, Now()), Code::kInvalidArgument);
  // A chunk id always has the same length.
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({ChunkRef{TestChunk(1), 10}}), Now()));
  EXPECT_CODE(cat_->CommitVersion(f.ino, MakeVersion({ChunkRef{TestChunk(1), 11}}), Now()),
              Code::kInvalidArgument);
  EXPECT_EQ(cat_->ListVersions(f.ino)->size(), 1u) << "failed commits leave nothing behind";
  EXPECT_FALSE(*cat_->HasChunk(TestChunk(2)));
}

TEST_P(CatalogTest, RestoreFromTrash) {
  Attributes d = MkDir(kRootInode, "d");
  Attributes f = MkFile(d.ino, "f");
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({ChunkRef{TestChunk(1), 5}}), Now()));
  ASSERT_OK(cat_->SetXattr(f.ino, "user.tag", "keep", false, false));
  ASSERT_OK_AND_ASSIGN(UnlinkResult u, cat_->Unlink(d.ino, "f", Now()));
  ASSERT_TRUE(u.trash_id.has_value());

  MkFile(d.ino, "taken");
  EXPECT_CODE(cat_->RestoreFromTrash(*u.trash_id, d.ino, "taken", Now()), Code::kAlreadyExists);
  EXPECT_CODE(cat_->RestoreFromTrash(*u.trash_id + 100, d.ino, "f", Now()), Code::kNotFound);
  EXPECT_CODE(cat_->RestoreFromTrash(*u.trash_id, d.ino, "bad/name", Now()),
              Code::kInvalidArgument);
  EXPECT_EQ(cat_->ListTrash()->size(), 1u);

  TimeNs when = Now();
  ASSERT_OK_AND_ASSIGN(Attributes back, cat_->RestoreFromTrash(*u.trash_id, kRootInode, "f2",
                                                               when));
  EXPECT_EQ(back.ino, f.ino);
  EXPECT_EQ(back.nlink, 1u);
  EXPECT_EQ(back.size, 5u);
  EXPECT_EQ(back.version, 1u);
  EXPECT_EQ(back.ctime, when);
  EXPECT_EQ(Attr(kRootInode).mtime, when);
  EXPECT_EQ(cat_->Lookup(kRootInode, "f2")->ino, f.ino);
  EXPECT_EQ(*cat_->PathOf(f.ino), "f2");
  EXPECT_TRUE(cat_->ListTrash()->empty());
  EXPECT_EQ(cat_->ListVersions(f.ino)->size(), 1u);
  EXPECT_EQ(*cat_->GetXattr(f.ino, "user.tag"), "keep");
}

TEST_P(CatalogTest, AFileInTheTrashMayStillGetVersions) {
  Attributes f = MkFile(kRootInode, "open-while-deleted");
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({ChunkRef{TestChunk(1), 5}}), Now()));
  ASSERT_OK(cat_->Unlink(kRootInode, "open-while-deleted", Now()));
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({ChunkRef{TestChunk(2), 8}}), Now()));
  ASSERT_OK_AND_ASSIGN(auto trash, cat_->ListTrash());
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].size, 8u);
  EXPECT_EQ(Attr(f.ino).version, 2u);
  EXPECT_EQ(Stats()->logical_bytes, 0u) << "a file in the trash has no name";
  EXPECT_EQ(Stats()->files, 0u);
}

TEST_P(CatalogTest, PurgeTrashReleasesVersionsAndChunks) {
  const ChunkRef shared{TestChunk(1), 10};
  const ChunkRef only_old{TestChunk(2), 20};
  const ChunkRef only_kept{TestChunk(3), 30};
  Attributes live = MkFile(kRootInode, "live");
  Attributes old = MkFile(kRootInode, "old");
  Attributes kept = MkFile(kRootInode, "kept");
  Attributes young = MkFile(kRootInode, "young");
  ASSERT_OK(cat_->CommitVersion(live.ino, MakeVersion({shared}), Now()));
  ASSERT_OK(cat_->CommitVersion(old.ino, MakeVersion({shared, only_old}), Now()));
  ASSERT_OK(cat_->CommitVersion(old.ino, MakeVersion({only_old, only_old}), Now()));
  ASSERT_OK(cat_->CommitVersion(kept.ino, MakeVersion({only_kept}), Now()));
  ASSERT_OK(cat_->SetXattr(old.ino, "user.a", "1", false, false));

  ASSERT_OK(cat_->Unlink(kRootInode, "old", Now()));
  ASSERT_OK(cat_->Unlink(kRootInode, "kept", Now()));
  TimeNs cutoff = Now();
  ASSERT_OK(cat_->Unlink(kRootInode, "young", Now()));
  EXPECT_EQ(cat_->ListTrash()->size(), 3u);
  EXPECT_EQ(Stats()->versions, 4u);

  TimeNs purge_time = Now();
  ASSERT_OK_AND_ASSIGN(uint64_t purged, Server().PurgeTrash(cutoff, {kept.ino}, purge_time));
  EXPECT_EQ(purged, 1u);
  ASSERT_OK_AND_ASSIGN(auto trash, cat_->ListTrash());
  ASSERT_EQ(trash.size(), 2u);
  EXPECT_EQ(trash[0].ino, kept.ino);
  EXPECT_EQ(trash[1].ino, young.ino);
  EXPECT_CODE(cat_->GetAttributes(old.ino), Code::kNotFound);
  EXPECT_CODE(cat_->ListVersions(old.ino), Code::kNotFound);
  EXPECT_CODE(cat_->GetXattr(old.ino, "user.a"), Code::kNotFound);
  EXPECT_EQ(Stats()->versions, 2u);

  auto chunks = AllChunks(Server());
  EXPECT_EQ(chunks[shared.id].refcount, 1u);
  EXPECT_EQ(chunks[shared.id].unreferenced_since, 0);
  EXPECT_EQ(chunks[only_old.id].refcount, 0u);
  EXPECT_EQ(chunks[only_old.id].unreferenced_since, purge_time);
  EXPECT_EQ(chunks[only_kept.id].refcount, 1u);

  // Garbage collection of chunk records.
  EXPECT_TRUE(Server().ListUnreferencedChunks(purge_time)->empty()) << "cutoff is exclusive";
  ASSERT_OK_AND_ASSIGN(auto unref, Server().ListUnreferencedChunks(purge_time + 1));
  ASSERT_EQ(unref.size(), 1u);
  EXPECT_EQ(unref[0].id, only_old.id);
  EXPECT_EQ(unref[0].size, 20u);
  EXPECT_EQ(unref[0].refcount, 0u);
  EXPECT_TRUE(*cat_->HasChunk(only_old.id)) << "unreferenced but not yet collected";
  EXPECT_FALSE(*Server().DeleteChunkIfUnreferenced(shared.id));
  EXPECT_TRUE(*Server().DeleteChunkIfUnreferenced(only_old.id));
  EXPECT_FALSE(*Server().DeleteChunkIfUnreferenced(only_old.id));
  EXPECT_FALSE(*cat_->HasChunk(only_old.id));

  // Everything old enough, nothing kept.
  ASSERT_OK_AND_ASSIGN(purged, Server().PurgeTrash(INT64_MAX, {}, Now()));
  EXPECT_EQ(purged, 2u);
  EXPECT_TRUE(cat_->ListTrash()->empty());
  EXPECT_EQ(AllChunks(Server())[only_kept.id].refcount, 0u);
  EXPECT_EQ(*Server().PurgeTrash(INT64_MAX, {}, Now()), 0u);
}

TEST_P(CatalogTest, ReferencingAnUnreferencedChunkRevivesIt) {
  const ChunkRef a{TestChunk(1), 10};
  Attributes f = MkFile(kRootInode, "f");
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({a}), Now()));
  ASSERT_OK(cat_->Unlink(kRootInode, "f", Now()));
  ASSERT_OK(Server().PurgeTrash(INT64_MAX, {}, Now()));
  EXPECT_EQ(Server().ListUnreferencedChunks(INT64_MAX)->size(), 1u);
  Attributes g = MkFile(kRootInode, "g");
  ASSERT_OK(cat_->CommitVersion(g.ino, MakeVersion({a}), Now()));
  EXPECT_TRUE(Server().ListUnreferencedChunks(INT64_MAX)->empty());
  EXPECT_FALSE(*Server().DeleteChunkIfUnreferenced(a.id));
  auto rec = AllChunks(Server())[a.id];
  EXPECT_EQ(rec.refcount, 1u);
  EXPECT_EQ(rec.unreferenced_since, 0);
}

TEST_P(CatalogTest, ForEachChunkVisitsEverythingAndCanStop) {
  Attributes f = MkFile(kRootInode, "big");
  std::vector<ChunkRef> refs;
  for (uint32_t i = 0; i < 2500; ++i) refs.push_back(ChunkRef{TestChunk(i), 1000 + i});
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion(refs), Now()));
  EXPECT_EQ(cat_->GetVersion(f.ino, 0)->chunks, refs);
  size_t visited = 0;
  std::set<ChunkId> ids;
  ASSERT_OK(Server().ForEachChunk([&](const ChunkRecord& r) {
    ++visited;
    ids.insert(r.id);
    EXPECT_EQ(r.refcount, 1u);
    return true;
  }));
  EXPECT_EQ(visited, 2500u);
  EXPECT_EQ(ids.size(), 2500u);
  visited = 0;
  ASSERT_OK(Server().ForEachChunk([&](const ChunkRecord&) { return ++visited < 10; }));
  EXPECT_EQ(visited, 10u);
  // The visitor may call back into the catalog.
  ASSERT_OK(Server().ForEachChunk([&](const ChunkRecord& r) {
    EXPECT_TRUE(*cat_->HasChunk(r.id));
    return false;
  }));
}

TEST_P(CatalogTest, StatsFollowTheCatalog) {
  ASSERT_OK_AND_ASSIGN(CatalogStats s0, Stats());
  EXPECT_EQ(s0.files, 0u);
  EXPECT_EQ(s0.directories, 1u) << "the root";
  Attributes d = MkDir(kRootInode, "d");
  Attributes f = MkFile(d.ino, "f");
  Attributes g = MkFile(d.ino, "g");
  Make(d.ino, "l", FileType::kSymlink, "f");
  ASSERT_OK(cat_->Link(f.ino, kRootInode, "f-link", Now()));
  const ChunkRef a{TestChunk(1), 100};
  const ChunkRef b{TestChunk(2), 50};
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({a, a}), Now()));
  ASSERT_OK(cat_->CommitVersion(f.ino, MakeVersion({a, b}), Now()));
  ASSERT_OK(cat_->CommitVersion(g.ino, MakeVersion({b}), Now()));

  ASSERT_OK_AND_ASSIGN(CatalogStats s, Stats());
  EXPECT_EQ(s.files, 2u) << "a hard-linked file counts once";
  EXPECT_EQ(s.directories, 2u);
  EXPECT_EQ(s.logical_bytes, 150u + 50u);
  EXPECT_EQ(s.chunks, 2u);
  EXPECT_EQ(s.chunk_bytes, 150u);
  EXPECT_EQ(s.versions, 3u);
  EXPECT_EQ(s.trash_entries, 0u);

  ASSERT_OK(cat_->Unlink(d.ino, "g", Now()));
  s = *Stats();
  EXPECT_EQ(s.files, 1u);
  EXPECT_EQ(s.logical_bytes, 150u);
  EXPECT_EQ(s.trash_entries, 1u);
  EXPECT_EQ(s.versions, 3u);
  ASSERT_OK(Server().PurgeTrash(INT64_MAX, {}, Now()));
  s = *Stats();
  EXPECT_EQ(s.trash_entries, 0u);
  EXPECT_EQ(s.versions, 2u);
  EXPECT_EQ(s.chunks, 2u) << "b is still used by f's version 2";
  ASSERT_OK(cat_->Unlink(d.ino, "f", Now()));
  ASSERT_OK(cat_->Unlink(kRootInode, "f-link", Now()));
  ASSERT_OK(Server().PurgeTrash(INT64_MAX, {}, Now()));
  s = *Stats();
  EXPECT_EQ(s.files, 0u);
  EXPECT_EQ(s.logical_bytes, 0u);
  EXPECT_EQ(s.chunks, 0u);
  EXPECT_EQ(s.chunk_bytes, 0u);
  EXPECT_EQ(s.versions, 0u);
  EXPECT_CODE(cat_->RemoveDir(kRootInode, "d", Now()), Code::kNotEmpty) << "the symlink is left";
  ASSERT_OK(cat_->Unlink(d.ino, "l", Now()));
  ASSERT_OK(cat_->RemoveDir(kRootInode, "d", Now()));
  EXPECT_CODE(cat_->RemoveDir(kRootInode, "d", Now()), Code::kNotFound);
  EXPECT_EQ(Stats()->directories, 1u);
  EXPECT_OK(cat_->Sync());
}

TEST_P(CatalogTest, ExtendedAttributes) {
  Attributes f = MkFile(kRootInode, "f");
  EXPECT_CODE(cat_->GetXattr(f.ino, "user.a"), Code::kNoData);
  EXPECT_TRUE(cat_->ListXattrs(f.ino)->empty());
  const std::string binary("v\0al\xff", 5);
  ASSERT_OK(cat_->SetXattr(f.ino, "user.b", binary, false, false));
  ASSERT_OK(cat_->SetXattr(f.ino, "user.a", "", true, false));
  EXPECT_EQ(*cat_->GetXattr(f.ino, "user.b"), binary);
  EXPECT_EQ(*cat_->GetXattr(f.ino, "user.a"), "");
  EXPECT_CODE(cat_->SetXattr(f.ino, "user.a", "x", true, false), Code::kAlreadyExists);
  EXPECT_CODE(cat_->SetXattr(f.ino, "user.c", "x", false, true), Code::kNoData);
  ASSERT_OK(cat_->SetXattr(f.ino, "user.a", "replaced", false, true));
  EXPECT_EQ(*cat_->GetXattr(f.ino, "user.a"), "replaced");
  ASSERT_OK(cat_->SetXattr(f.ino, "user.a", "again", false, false));
  EXPECT_EQ(*cat_->GetXattr(f.ino, "user.a"), "again");
  EXPECT_EQ(*cat_->ListXattrs(f.ino), (std::vector<std::string>{"user.a", "user.b"}));
  EXPECT_CODE(cat_->SetXattr(f.ino, "", "x", false, false), Code::kInvalidArgument);

  ASSERT_OK(cat_->RemoveXattr(f.ino, "user.a"));
  EXPECT_CODE(cat_->RemoveXattr(f.ino, "user.a"), Code::kNoData);
  EXPECT_CODE(cat_->GetXattr(f.ino, "user.a"), Code::kNoData);
  EXPECT_EQ(*cat_->ListXattrs(f.ino), std::vector<std::string>{"user.b"});

  Attributes g = MkFile(kRootInode, "g");
  EXPECT_TRUE(cat_->ListXattrs(g.ino)->empty()) << "xattrs are per inode";
  ASSERT_OK(cat_->SetXattr(kRootInode, "user.root", "r", false, false));
  EXPECT_EQ(*cat_->GetXattr(kRootInode, "user.root"), "r");

  EXPECT_CODE(cat_->GetXattr(999, "user.a"), Code::kNotFound);
  EXPECT_CODE(cat_->SetXattr(999, "user.a", "x", false, false), Code::kNotFound);
  EXPECT_CODE(cat_->ListXattrs(999), Code::kNotFound);
  EXPECT_CODE(cat_->RemoveXattr(999, "user.a"), Code::kNotFound);
}

TEST_P(CatalogTest, TheXattrNamesOfManyInodesComeInOneAnswer) {
  Attributes f = MkFile(kRootInode, "f");
  Attributes g = MkFile(kRootInode, "g");
  Attributes d = MkDir(kRootInode, "d");
  ASSERT_OK(cat_->SetXattr(f.ino, "user.z", "1", false, false));
  ASSERT_OK(cat_->SetXattr(f.ino, "user.a", "2", false, false));
  ASSERT_OK(cat_->SetXattr(d.ino, "user.dir", "3", false, false));
  ASSERT_OK_AND_ASSIGN(auto lists, cat_->ListXattrsOf({d.ino, f.ino, 999999, g.ino, f.ino}));
  using Names = std::vector<std::string>;
  EXPECT_EQ(lists, (std::vector<Names>{{"user.dir"}, {"user.a", "user.z"}, {}, {}, {"user.a", "user.z"}}))
      << "in the order asked, each sorted; an inode that is gone has none";
  ASSERT_OK_AND_ASSIGN(auto none, cat_->ListXattrsOf({}));
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace reel::testing
