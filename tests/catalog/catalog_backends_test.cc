// The backends every TEST_P(CatalogTest, ...) runs against: SQLite (in memory and in a file),
// PostgreSQL, and the remote catalog through a team server on PostgreSQL. A new implementation is
// one more entry here.
#include <map>

#include "catalog_test_util.h"
#include "common/clock.h"
#include "pg_test_db.h"
#include "remote/cached_catalog.h"
#include "remote/remote_catalog.h"
#include "server/team_server.h"
#include "team/team_directory.h"

namespace reel::testing {
namespace {

// A new database per test on the REEL_TEST_PG_URI server; "" (skip, or fail under
// REEL_REQUIRE_PG=1) when that is unset. The database is dropped after the test.
std::string FreshPostgresCatalog(const std::string&) {
  const std::string server = TestPgServerUri();
  if (server.empty()) return "";
  const std::string db = NewTestDatabaseName();
  Status made = CreateTestDatabase(server, db);
  if (!made.ok()) {
    ADD_FAILURE() << "create a test database: " << made.ToString();
    return "";
  }
  return WithDatabase(server, db);
}

void DropPostgresCatalog(const std::string& uri) {
  const std::string db = uri.substr(uri.rfind('/') + 1, uri.find('?') - uri.rfind('/') - 1);
  Status dropped = DropTestDatabase(TestPgServerUri(), db);
  if (!dropped.ok()) ADD_FAILURE() << "drop test database " << db << ": " << dropped.ToString();
}

// The remote catalog: a team server on loopback in front of a new database, and the workspace of
// a user "tester" through it (their home, publishing by hand; its root owned by the test's uid
// and gid).
struct RemoteSetup {
  std::string db;
  std::unique_ptr<TeamDirectory> team;
  std::unique_ptr<TeamServer> server;
  std::string token;
};

std::map<std::string, RemoteSetup>& RemoteSetups() {
  static std::map<std::string, RemoteSetup> setups;  // by URI; tests run one at a time
  return setups;
}

std::string FreshRemoteCatalog(const std::string& dir) {
  const std::string pg = FreshPostgresCatalog(dir);
  if (pg.empty()) return "";
  RemoteSetup setup;
  setup.db = pg;
  auto fail = [&](const Status& s) {
    ADD_FAILURE() << "set up a team server: " << s.ToString();
    return std::string();
  };
  auto team = TeamDirectory::Open(pg);
  if (!team.ok()) return fail(team.status());
  setup.team = std::move(team).value();
  const TimeNs now = WallClockNs();
  auto user = setup.team->AddUser("tester", now);
  if (!user.ok()) return fail(user.status());
  auto token = setup.team->CreateToken("tester", now, 0);
  if (!token.ok()) return fail(token.status());
  setup.token = token->secret;
  auto ws = setup.team->FindWorkspace("tester");
  if (!ws.ok()) return fail(ws.status());
  // The catalog's own behaviour: nothing published for the caller at commit, as a home's
  // share = "on-close" would (tests/server/share_test.cc).
  WorkspaceOptions publish_by_hand;
  publish_by_hand.share = "on-publish";
  auto shared = setup.team->SetWorkspaceOptions("tester", publish_by_hand);
  if (!shared.ok()) return fail(shared.status());
  AttrUpdate owner;
  owner.uid = kTestUid;
  owner.gid = kTestGid;
  auto owned = setup.team->catalog().SetAttributes(ws->root, owner, now);
  if (!owned.ok()) return fail(owned.status());
  TeamServerOptions options;
  // The suite records packs it never uploads (there is no store behind it); the check that a
  // pack is in the store before it is recorded is tested in reel_team_store_test.
  options.check_pack_uploads = false;
  auto server = TeamServer::Start(setup.team.get(), options);
  if (!server.ok()) return fail(server.status());
  setup.server = std::move(server).value();
  const std::string uri = setup.server->url() + "/v1/workspaces/tester";
  RemoteSetups()[uri] = std::move(setup);
  return uri;
}

Result<std::unique_ptr<Catalog>> OpenRemoteCatalog(const std::string& uri) {
  const RemoteSetup& setup = RemoteSetups().at(uri);
  TeamClientOptions client;
  client.url = setup.server->url();
  client.token = setup.token;
  return std::unique_ptr<Catalog>(std::make_unique<RemoteCatalog>(client, "tester"));
}

// The remote catalog as a team mount runs on it: with its answers kept for a while.
Result<std::unique_ptr<Catalog>> OpenCachedRemoteCatalog(const std::string& uri) {
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> remote, OpenRemoteCatalog(uri));
  return std::unique_ptr<Catalog>(std::make_unique<CachedCatalog>(std::move(remote)));
}

Status SetRemoteConflictPolicy(const std::string& uri, ConflictPolicy policy) {
  WorkspaceOptions options;
  options.conflict = policy;
  return RemoteSetups().at(uri).team->SetWorkspaceOptions("tester", options).status();
}

Catalog* RemoteServerSide(const std::string& uri) {
  return &RemoteSetups().at(uri).team->catalog();
}

void DropRemoteCatalog(const std::string& uri) {
  auto it = RemoteSetups().find(uri);
  if (it == RemoteSetups().end()) return;
  it->second.server.reset();
  it->second.team.reset();
  const std::string db = it->second.db;
  RemoteSetups().erase(it);
  DropPostgresCatalog(db);
}

const std::vector<CatalogBackend>& AllBackends() {
  static const std::vector<CatalogBackend> kBackends = {
      CatalogBackend{"SqliteMemory", [](const std::string&) { return "sqlite::memory:"; }},
      CatalogBackend{"SqliteFile",
                     [](const std::string& dir) { return "sqlite://" + dir + "/catalog.db"; }},
      CatalogBackend{"Postgres", FreshPostgresCatalog, "REEL_REQUIRE_PG", DropPostgresCatalog,
                     /*backup_tool=*/"pg_dump"},
      CatalogBackend{"Remote", FreshRemoteCatalog, "REEL_REQUIRE_PG", DropRemoteCatalog,
                     /*backup_tool=*/"pg_dump", OpenRemoteCatalog, RemoteServerSide,
                     /*directories_outside=*/1, SetRemoteConflictPolicy, "tester"},
      CatalogBackend{"RemoteCached", FreshRemoteCatalog, "REEL_REQUIRE_PG", DropRemoteCatalog,
                     /*backup_tool=*/"pg_dump", OpenCachedRemoteCatalog, RemoteServerSide,
                     /*directories_outside=*/1, SetRemoteConflictPolicy, "tester"},
  };
  return kBackends;
}

std::vector<CatalogBackend> BackendsWithFileBackup(bool file_backup) {
  std::vector<CatalogBackend> out;
  for (const CatalogBackend& b : AllBackends()) {
    if (b.backup_tool.empty() == file_backup) out.push_back(b);
  }
  return out;
}

std::string BackendName(const ::testing::TestParamInfo<CatalogBackend>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogTest, ::testing::ValuesIn(AllBackends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, CatalogFileBackupTest,
                         ::testing::ValuesIn(BackendsWithFileBackup(true)), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, CatalogServerBackupTest,
                         ::testing::ValuesIn(BackendsWithFileBackup(false)), BackendName);

}  // namespace

const std::vector<CatalogBackend>& AllCatalogBackends() { return AllBackends(); }

}  // namespace reel::testing
