// Instances: what each mount reports of itself, who sees it, and when it counts as offline.
#include "remote/instance_reporter.h"
#include "remote/remote_catalog.h"
#include "remote/task_runner.h"
#include "team_server_fixture.h"

namespace reel::testing {
namespace {

InstanceView Mount(const std::string& name, const std::string& workspace) {
  InstanceView v;
  v.name = name;
  v.workspace = workspace;
  v.host = "render-07";
  v.cache_bytes = 5 << 20;
  v.cache_limit = 1 << 30;
  v.transfer_queue = 3;
  v.pending_commits = 1;
  return v;
}

TEST_F(TeamServerTest, InstancesReportThemselvesAndAreListedToTheirWorkspacesMembers) {
  TeamClient alice = ClientFor(alice_), bob = ClientFor(bob_), carol = ClientFor(carol_);
  ASSERT_OK(alice.CreateWorkspace("show1").status());
  ASSERT_OK(alice.Grant("show1", "bob", "writer"));
  now_ = kT0 + kHour;
  ASSERT_OK(alice.ReportInstance(Mount("m-alice-01", "show1")));
  ASSERT_OK(bob.ReportInstance(Mount("m-bob-0001", "show1")));
  ASSERT_OK(bob.ReportInstance(Mount("m-bob-home", "bob")));

  ASSERT_OK_AND_ASSIGN(auto seen, alice.Instances("show1"));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].name, "m-alice-01");
  EXPECT_EQ(seen[0].user, "alice");
  EXPECT_EQ(seen[0].host, "render-07");
  EXPECT_TRUE(seen[0].online);
  EXPECT_EQ(seen[0].started_ns, kT0 + kHour);
  EXPECT_EQ(seen[0].cache_bytes, 5u << 20);
  EXPECT_EQ(seen[0].transfer_queue, 3u);
  EXPECT_EQ(seen[1].user, "bob");
  // Bob sees his home's too; alice has no role there, carol none in show1.
  ASSERT_OK_AND_ASSIGN(auto bobs, bob.Instances());
  EXPECT_EQ(bobs.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto alices, alice.Instances());
  EXPECT_EQ(alices.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto carols, carol.Instances());
  EXPECT_TRUE(carols.empty());
  EXPECT_CODE(carol.Instances("show1"), Code::kPermissionDenied);
  EXPECT_CODE(carol.ReportInstance(Mount("m-carol-01", "show1")), Code::kPermissionDenied);

  // A name is its first reporter's.
  InstanceView stolen = Mount("m-alice-01", "show1");
  stolen.host = "elsewhere";
  EXPECT_CODE(bob.ReportInstance(stolen), Code::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(seen, alice.Instances("show1"));
  EXPECT_EQ(seen[0].host, "render-07");

  // Silent for 30 s: offline. Reporting again: online, first seen kept. Going: offline at once.
  now_ = kT0 + kHour + 31'000'000'000;
  ASSERT_OK(bob.ReportInstance(Mount("m-bob-0001", "show1")));
  ASSERT_OK_AND_ASSIGN(seen, alice.Instances("show1"));
  EXPECT_FALSE(seen[0].online) << "alice's mount was not seen for 31 s";
  EXPECT_EQ(seen[0].last_seen_ns, kT0 + kHour);
  EXPECT_TRUE(seen[1].online);
  EXPECT_EQ(seen[1].started_ns, kT0 + kHour);
  InstanceView going = Mount("m-bob-0001", "show1");
  going.online = false;
  ASSERT_OK(bob.ReportInstance(going));
  ASSERT_OK_AND_ASSIGN(seen, alice.Instances("show1"));
  EXPECT_FALSE(seen[1].online);
}

TEST_F(TeamServerTest, BadInstanceReportsAreRefusedAndChangeNothing) {
  const std::string ok =
      R"({"workspace":"alice","host":"h","online":true,"cache_bytes":1,"cache_limit":0,)"
      R"("transfer_queue":0,"pending_commits":0})";
  struct Case {
    std::string target, body;
    int status;
  };
  const std::vector<Case> cases = {
      {"/v1/instances/short", ok, 400},
      {"/v1/instances/m-has%20space", ok, 400},
      {"/v1/instances/m-0123456789", R"({"workspace":"alice","host":"h"})", 400},
      {"/v1/instances/m-0123456789", R"({"workspace":"alice","host":"h","online":1})", 400},
      {"/v1/instances/m-0123456789", R"({"workspace":"alice","host":"","online":true})", 400},
      {"/v1/instances/m-0123456789", R"({"workspace":"alice","host":"a\nb","online":true})", 400},
      {"/v1/instances/m-0123456789",
       R"({"workspace":"alice","host":"h","online":true,"cache_bytes":-1})", 400},
      {"/v1/instances/m-0123456789",
       R"({"workspace":"alice","host":"h","online":true,"colour":"blue"})", 400},
      {"/v1/instances/m-0123456789", R"({"workspace":"..","host":"h","online":true})", 400},
      {"/v1/instances/m-0123456789", R"({"workspace":"show9","host":"h","online":true})", 403},
      {"/v1/instances/m-0123456789?x=1", ok, 400},
  };
  for (const Case& c : cases) {
    auto res = Raw("PUT", c.target, c.body, As(alice_, "r-instance-bad"));
    ASSERT_TRUE(res) << c.target;
    EXPECT_EQ(res->status, c.status) << c.target << " " << c.body;
  }
  auto list = Raw("GET", "/v1/instances?workspace=..", "", As(alice_));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 400);
  ASSERT_OK_AND_ASSIGN(auto seen, ClientFor(alice_).Instances());
  EXPECT_TRUE(seen.empty());
}

// A mount's reporter: at once, then every tick; offline when it stops.
TEST_F(TeamServerTest, AReporterKeepsItsInstanceOnlineUntilItStops) {
  now_ = kT0 + kHour;
  TeamClientOptions options = OptionsFor(alice_);
  options.instance = "m-reporter-1";
  int samples = 0;
  {
    InstanceReporter reporter(options, "alice", std::chrono::milliseconds(20));
    reporter.Start([&samples] {
      ++samples;
      InstanceView v;
      v.cache_bytes = 42;
      return v;
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (reporter.reported() < 3 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_GE(reporter.reported(), 3u) << "it reports again every tick";
    ASSERT_OK_AND_ASSIGN(auto seen, ClientFor(alice_).Instances("alice"));
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].name, "m-reporter-1");
    EXPECT_TRUE(seen[0].online);
    EXPECT_EQ(seen[0].cache_bytes, 42u);
    EXPECT_FALSE(seen[0].host.empty());
    reporter.Stop();
  }
  EXPECT_GE(samples, 4);
  ASSERT_OK_AND_ASSIGN(auto seen, ClientFor(alice_).Instances("alice"));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_FALSE(seen[0].online) << "a stopped reporter says its mount is going";
}

}  // namespace
}  // namespace reel::testing

namespace reel::testing {
namespace {

TEST_F(TeamServerTest, TasksGoToAnInstanceFromItsWorkspacesWritersAndOnlyItsUserReports) {
  TeamClient alice = ClientFor(alice_), bob = ClientFor(bob_), carol = ClientFor(carol_);
  const std::string dave_ = AddUser("dave");
  TeamClient dave = ClientFor(dave_);
  ASSERT_OK(alice.CreateWorkspace("show1").status());
  ASSERT_OK(alice.Grant("show1", "bob", "writer"));
  ASSERT_OK(alice.Grant("show1", "dave", "reader"));
  now_ = kT0 + kHour;
  ASSERT_OK(alice.ReportInstance(Mount("m-alice-01", "show1")));

  ASSERT_OK_AND_ASSIGN(TaskView sent, bob.SendTask("m-alice-01", "publish", "shots/a.exr"));
  EXPECT_EQ(sent.state, "queued");
  EXPECT_EQ(sent.workspace, "show1");
  EXPECT_EQ(sent.created_by, "bob");
  EXPECT_EQ(sent.created_ns, kT0 + kHour);
  EXPECT_CODE(dave.SendTask("m-alice-01", "hydrate", ""), Code::kPermissionDenied);
  EXPECT_CODE(carol.SendTask("m-alice-01", "hydrate", ""), Code::kNotFound);
  EXPECT_CODE(bob.SendTask("m-nobody-01", "hydrate", ""), Code::kNotFound);
  EXPECT_CODE(bob.SendTask("m-alice-01", "format", ""), Code::kInvalidArgument);
  for (const char* bad : {"/abs", "a/../b", "a//b", "./a", "a/"}) {
    EXPECT_CODE(bob.SendTask("m-alice-01", "pin", bad), Code::kInvalidArgument) << bad;
  }
  ASSERT_OK_AND_ASSIGN(TaskView whole, bob.SendTask("m-alice-01", "hydrate", ""));
  // The workspace's feed tells its instances, which look at their queues then.
  RemoteCatalog feed(OptionsFor(alice_), "show1");
  std::vector<uint64_t> told;
  for (const ChangeEvent& e : EventsAfter(feed, 0)) {
    if (e.kind == ChangeKind::kTask) {
      told.push_back(e.version);
      EXPECT_EQ(e.path, "") << "the workspace's own directory, as its members see it";
      EXPECT_EQ(e.actor, "bob");
    }
  }
  EXPECT_EQ(told, (std::vector<uint64_t>{sent.id, whole.id})) << "one event per task made";

  // The instance's user takes them, oldest first; members watch; strangers see nothing.
  ASSERT_OK_AND_ASSIGN(auto queued, alice.Tasks("m-alice-01", "queued"));
  ASSERT_EQ(queued.size(), 2u);
  EXPECT_EQ(queued[0].id, sent.id);
  EXPECT_EQ(queued[1].id, whole.id);
  ASSERT_OK_AND_ASSIGN(auto watched, dave.Tasks("m-alice-01"));
  EXPECT_EQ(watched.size(), 2u);
  EXPECT_CODE(carol.Tasks("m-alice-01"), Code::kNotFound);
  EXPECT_CODE(carol.Task(sent.id), Code::kNotFound);

  EXPECT_CODE(bob.UpdateTask(sent.id, "done", "forged"), Code::kPermissionDenied);
  EXPECT_CODE(alice.UpdateTask(sent.id, "queued", ""), Code::kInvalidArgument);
  now_ = kT0 + kHour + 1000;
  ASSERT_OK_AND_ASSIGN(TaskView running, alice.UpdateTask(sent.id, "running", ""));
  EXPECT_EQ(running.state, "running");
  ASSERT_OK_AND_ASSIGN(TaskView done, alice.UpdateTask(sent.id, "done", "1 files"));
  EXPECT_EQ(done.message, "1 files");
  EXPECT_EQ(done.updated_ns, kT0 + kHour + 1000);
  EXPECT_CODE(alice.UpdateTask(sent.id, "failed", "late"), Code::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(TaskView seen, bob.Task(sent.id));
  EXPECT_EQ(seen.state, "done");
  ASSERT_OK_AND_ASSIGN(queued, alice.Tasks("m-alice-01", "queued"));
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0].id, whole.id);
}

// A task left queued or running on an instance that is gone never finishes there (a mount's next
// run is a new instance): it reads as failed, with why.
TEST_F(TeamServerTest, TasksOfAnInstanceThatIsGoneFailWithWhy) {
  TeamClient alice = ClientFor(alice_), bob = ClientFor(bob_);
  ASSERT_OK(alice.CreateWorkspace("show2").status());
  ASSERT_OK(alice.Grant("show2", "bob", "writer"));
  now_ = kT0 + kHour;
  ASSERT_OK(alice.ReportInstance(Mount("m-alice-killed", "show2")));
  ASSERT_OK(alice.ReportInstance(Mount("m-alice-unmounted", "show2")));
  ASSERT_OK_AND_ASSIGN(TaskView running, bob.SendTask("m-alice-killed", "publish", "a.exr"));
  ASSERT_OK_AND_ASSIGN(TaskView queued, bob.SendTask("m-alice-killed", "hydrate", ""));
  ASSERT_OK_AND_ASSIGN(TaskView finished, bob.SendTask("m-alice-killed", "pin", "b.exr"));
  ASSERT_OK_AND_ASSIGN(TaskView left, bob.SendTask("m-alice-unmounted", "evict", ""));
  ASSERT_OK(alice.UpdateTask(running.id, "running", "").status());
  ASSERT_OK(alice.UpdateTask(finished.id, "done", "1 files").status());

  // Heard from lately: nothing changes.
  now_ = kT0 + kHour + std::chrono::nanoseconds(kInstanceStale).count() - 1;
  ASSERT_OK_AND_ASSIGN(TaskView still, bob.Task(running.id));
  EXPECT_EQ(still.state, "running");
  ASSERT_OK_AND_ASSIGN(auto listed, bob.Tasks("m-alice-killed"));
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[1].state, "queued");

  // One mount unmounts (it says so); the other is killed (it is no longer heard from).
  InstanceView gone = Mount("m-alice-unmounted", "show2");
  gone.online = false;
  ASSERT_OK(alice.ReportInstance(gone));
  ASSERT_OK_AND_ASSIGN(TaskView unmounted, bob.Task(left.id));
  EXPECT_EQ(unmounted.state, "failed");
  EXPECT_EQ(unmounted.message, "the instance was unmounted before finishing it");
  ASSERT_OK_AND_ASSIGN(still, bob.Task(running.id));
  EXPECT_EQ(still.state, "running") << "the other mount is still heard from lately";

  now_ = kT0 + kHour + std::chrono::nanoseconds(kInstanceStale).count() + 1;
  ASSERT_OK_AND_ASSIGN(TaskView dead, bob.Task(running.id));
  EXPECT_EQ(dead.state, "failed");
  EXPECT_NE(dead.message.find("not heard from for 30 s"), std::string::npos) << dead.message;
  EXPECT_EQ(dead.updated_ns, now_);
  ASSERT_OK_AND_ASSIGN(listed, alice.Tasks("m-alice-killed"));
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].state, "failed");
  EXPECT_EQ(listed[1].state, "failed") << "a queued one too";
  EXPECT_EQ(listed[2].state, "done") << "a finished task keeps its end";
  EXPECT_EQ(listed[2].message, "1 files");
  EXPECT_CODE(alice.UpdateTask(queued.id, "done", "late"), Code::kInvalidArgument);
}

// A mount's runner: takes its queued tasks, runs each, reports done or failed.
TEST_F(TeamServerTest, ATaskRunnerRunsItsInstancesTasksAndReportsEach) {
  TeamClient alice = ClientFor(alice_), bob = ClientFor(bob_);
  ASSERT_OK(alice.Grant("alice", "bob", "writer"));
  now_ = kT0 + kHour;
  ASSERT_OK(alice.ReportInstance(Mount("m-runner-01", "alice")));
  ASSERT_OK_AND_ASSIGN(TaskView pin, bob.SendTask("m-runner-01", "pin", "plates"));
  ASSERT_OK_AND_ASSIGN(TaskView bad, bob.SendTask("m-runner-01", "evict", "missing"));
  TeamClientOptions options = OptionsFor(alice_);
  options.instance = "m-runner-01";
  std::vector<std::string> ran;  // read after Stop
  TaskRunner runner(options, std::chrono::milliseconds(20));
  runner.Start([&ran](const std::string& kind, const std::string& path) -> Result<std::string> {
    ran.push_back(kind + " " + path);
    if (path == "missing") return Status::NotFound("no such file");
    return std::string("3 files");
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (runner.finished() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  runner.Stop();
  ASSERT_EQ(runner.finished(), 2u);
  EXPECT_EQ(ran, (std::vector<std::string>{"pin plates", "evict missing"}));
  ASSERT_OK_AND_ASSIGN(TaskView pinned, bob.Task(pin.id));
  EXPECT_EQ(pinned.state, "done");
  EXPECT_EQ(pinned.message, "3 files");
  ASSERT_OK_AND_ASSIGN(TaskView failed, bob.Task(bad.id));
  EXPECT_EQ(failed.state, "failed");
  EXPECT_NE(failed.message.find("no such file"), std::string::npos) << failed.message;
}

}  // namespace
}  // namespace reel::testing
