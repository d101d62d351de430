// The team server's change feed: GET /v1/workspaces/NAME/events, for the workspace's members
// only, with the workspace's paths, who made each change, and a read that waits for the next.
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "catalog_rpc/catalog_json.h"
#include "remote/feed_follower.h"
#include "remote/remote_catalog.h"
#include "team_server_fixture.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

class TeamEventsTest : public TeamServerTest {
 protected:
  // The page a GET of `target` answers as `token` (a failure when it is not a 200).
  EventPage Read(const std::string& token, const std::string& target) {
    auto res = Raw("GET", target, "", As(token));
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    if (res->status != 200) return {};
    return json::parse(res->body).get<EventPage>();
  }

  NewNode Node(FileType type) {
    NewNode n;
    n.type = type;
    n.mode = type == FileType::kDirectory ? 0755 : 0644;
    return n;
  }
};

std::vector<std::string> Paths(const EventPage& page) {
  std::vector<std::string> out;
  for (const ChangeEvent& e : page.events) {
    out.push_back(std::string(ChangeKindName(e.kind)) + " " + e.path + " by " + e.actor);
  }
  return out;
}

TEST_F(TeamEventsTest, AMemberReadsTheWorkspacesEventsWithItsPathsAndAuthors) {
  ASSERT_OK(ClientFor(alice_).CreateWorkspace("show1").status());
  RemoteCatalog show(OptionsFor(alice_), "show1");
  ASSERT_OK_AND_ASSIGN(Attributes shots,
                       show.CreateNode(kRootInode, "shots", Node(FileType::kDirectory), now_));
  ASSERT_OK(show.CreateNode(shots.ino, "a.exr", Node(FileType::kRegular), now_).status());
  // Work in another workspace is not in this one's feed.
  RemoteCatalog carols(OptionsFor(carol_), "carol");
  ASSERT_OK(carols.CreateNode(kRootInode, "private", Node(FileType::kRegular), now_).status());

  const EventPage page = Read(alice_, "/v1/workspaces/show1/events");
  EXPECT_EQ(Paths(page), (std::vector<std::string>{"created  by alice", "created shots by alice",
                                                   "created shots/a.exr by alice"}));
  ASSERT_EQ(page.events.size(), 3u);
  EXPECT_EQ(page.events[0].ino, kRootInode) << "the workspace's own directory is its root";
  EXPECT_EQ(page.events[1].ino, shots.ino);
  EXPECT_GT(page.newest, page.events.back().seq) << "carol's create came after";

  // Not a member: refused; a reader: the same feed.
  auto refused = Raw("GET", "/v1/workspaces/show1/events", "", As(bob_));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  auto anonymous = Raw("GET", "/v1/workspaces/show1/events", "", {});
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  ASSERT_OK(ClientFor(alice_).Grant("show1", "bob", "reader"));
  const EventPage bobs = Read(bob_, "/v1/workspaces/show1/events?after=" +
                                        std::to_string(page.events[0].seq) + "&limit=1");
  ASSERT_EQ(bobs.events.size(), 1u);
  EXPECT_EQ(bobs.events[0].path, "shots");
  // The grant itself is not a namespace change.
  EXPECT_EQ(Read(bob_, "/v1/workspaces/show1/events").events.size(), 3u);
  // The remote catalog reads the same feed.
  ASSERT_OK_AND_ASSIGN(EventPage through_catalog, show.ReadEvents(EventQuery{}));
  EXPECT_EQ(Paths(through_catalog), Paths(page));
}

TEST_F(TeamEventsTest, BadParametersAreRefusedWithA400) {
  for (const char* query : {"after=-1", "after=x", "limit=0", "limit=1001", "wait=26",
                            "wait=1.5", "after=1&after=2", "cursor=3"}) {
    auto res = Raw("GET", std::string("/v1/workspaces/alice/events?") + query, "", As(alice_));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << query << ": " << res->body;
    EXPECT_EQ(ErrorCode(res), "invalid_argument") << query;
  }
}

// A reader at the head of the feed asks to wait: the answer comes with the next change (made
// while it waits, or before its first look: either way it is in the page), long before the wait
// ends.
TEST_F(TeamEventsTest, AWaitingReadAnswersWithTheNextChange) {
  const uint64_t head = Read(alice_, "/v1/workspaces/alice/events").newest;
  auto waiting = std::async(std::launch::async, [&] {
    return Read(alice_, "/v1/workspaces/alice/events?wait=25&after=" + std::to_string(head));
  });
  RemoteCatalog home(OptionsFor(alice_), "alice");
  ASSERT_OK(home.CreateNode(kRootInode, "new.txt", Node(FileType::kRegular), now_).status());
  const auto started = std::chrono::steady_clock::now();
  const EventPage page = waiting.get();
  ASSERT_EQ(page.events.size(), 1u);
  EXPECT_EQ(page.events[0].path, "new.txt");
  EXPECT_EQ(page.events[0].seq, head + 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20))
      << "answered when the change came, not when the wait ran out";
}

// When every waiting slot of the follower's server is taken (here by a read waiting on another
// workspace, on a server with 2 threads: 1 slot), the follower reads without waiting instead of
// backing off until a slot frees, so a change still reaches it within a fraction of a second.
TEST_F(TeamEventsTest, AFollowerStillSeesChangesAtOnceWhenTheServerHasNoWaitingSlotFree) {
  TeamServerOptions few;
  few.threads = 2;
  std::unique_ptr<TeamServer> small = StartServer(team_.get(), few);
  ASSERT_NE(small, nullptr);
  ASSERT_OK(ClientFor(alice_).CreateWorkspace("show3").status());
  const uint64_t head = Read(alice_, "/v1/workspaces/alice/events").newest;
  auto occupy = [&] {  // a waiting read (again while a probe below holds the slot)
    httplib::Client c(small->url());
    c.set_read_timeout(std::chrono::seconds(60));
    for (;;) {
      auto res = c.Get(
          ("/v1/workspaces/alice/events?wait=25&after=" + std::to_string(head)).c_str(),
          As(alice_));
      if (!res || res->status != 409) return res;
    }
  };
  auto waiting = std::async(std::launch::async, occupy);
  // It waits: another waiting read is refused as busy.
  ASSERT_TRUE(WaitUntil(
      [&] {
        httplib::Client c(small->url());
        auto res = c.Get(("/v1/workspaces/show3/events?wait=1&after=" + std::to_string(head)).c_str(),
                         As(alice_));
        return res && res->status == 409;
      },
      std::chrono::seconds(10)));

  std::mutex mu;
  std::vector<ChangeEvent> handed;
  FeedFollower follower(OptionsFor(alice_, small->url()), "show3");
  ASSERT_OK(follower.Start([&](const std::vector<ChangeEvent>& events, bool) {
    std::lock_guard<std::mutex> lock(mu);
    handed.insert(handed.end(), events.begin(), events.end());
  }));
  // The scenario: the follower has been refused a waiting slot for 3.5 s (a follower that backed
  // off would next ask at about 6 s) when the change comes.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  RemoteCatalog show(OptionsFor(alice_), "show3");
  ASSERT_OK(show.CreateNode(kRootInode, "late.exr", Node(FileType::kRegular), now_).status());
  EXPECT_TRUE(WaitUntil(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        return !handed.empty();
      },
      std::chrono::seconds(1)))
      << "the change reached the follower late: it backed off instead of reading";
  follower.Stop();
  // The waiting read ends with a change of its workspace.
  RemoteCatalog home(OptionsFor(alice_), "alice");
  ASSERT_OK(home.CreateNode(kRootInode, "wake.txt", Node(FileType::kRegular), now_).status());
  EXPECT_EQ(waiting.get()->status, 200);
}

// A mount follows its workspace's feed: it is handed the changes other instances make, with the
// directories of their names (as the workspace numbers them), and not its own; Stop() does not
// wait out a read in progress.
TEST_F(TeamEventsTest, AFollowerIsHandedOtherInstancesChangesNotItsOwn) {
  ASSERT_OK(ClientFor(alice_).CreateWorkspace("show2").status());
  ASSERT_OK(ClientFor(alice_).Grant("show2", "bob", "writer"));
  TeamClientOptions laptop = OptionsFor(alice_);
  laptop.instance = "m-alice-laptop";
  TeamClientOptions desk = OptionsFor(bob_);
  desk.instance = "m-bob-desk";
  RemoteCatalog mine(laptop, "show2");
  RemoteCatalog theirs(desk, "show2");

  std::mutex mu;
  std::condition_variable cv;
  std::vector<ChangeEvent> handed;
  FeedFollower follower(laptop, "show2");
  ASSERT_OK(follower.Start([&](const std::vector<ChangeEvent>& events, bool missed) {
    EXPECT_FALSE(missed);
    std::lock_guard<std::mutex> lock(mu);
    handed.insert(handed.end(), events.begin(), events.end());
    cv.notify_all();
  }));
  ASSERT_OK(mine.CreateNode(kRootInode, "mine.exr", Node(FileType::kRegular), now_).status());
  ASSERT_OK_AND_ASSIGN(Attributes plates,
                       theirs.CreateNode(kRootInode, "plates", Node(FileType::kDirectory), now_));
  ASSERT_OK(theirs.CreateNode(plates.ino, "a.exr", Node(FileType::kRegular), now_).status());
  ASSERT_OK(theirs.Rename(plates.ino, "a.exr", kRootInode, "final.exr", RenameMode::kReplace,
                          now_).status());
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return handed.size() >= 3; }))
        << "handed " << handed.size() << " events";
  }
  ASSERT_EQ(handed.size(), 3u);
  EXPECT_EQ(Paths(EventPage{handed, 0, 0}),
            (std::vector<std::string>{"created plates by bob", "created plates/a.exr by bob",
                                      "renamed final.exr by bob"}));
  for (const ChangeEvent& e : handed) EXPECT_EQ(e.instance, "m-bob-desk");
  EXPECT_EQ(handed[0].parent, kRootInode) << "the workspace's root, as the mount numbers it";
  EXPECT_EQ(handed[1].parent, plates.ino);
  EXPECT_EQ(handed[2].parent, kRootInode);
  EXPECT_EQ(handed[2].old_parent, plates.ino);
  EXPECT_EQ(handed[2].old_path, "plates/a.exr");

  // The feed itself names both instances.
  const EventPage all = Read(alice_, "/v1/workspaces/show2/events");
  ASSERT_FALSE(all.events.empty());
  EXPECT_EQ(all.events[1].path, "mine.exr");
  EXPECT_EQ(all.events[1].instance, "m-alice-laptop");
  // The cursor moves past a page once its events are applied, so just after the callback.
  EXPECT_TRUE(WaitUntil([&] { return follower.cursor() == all.events.back().seq; },
                        std::chrono::seconds(5)))
      << "cursor " << follower.cursor() << ", newest event " << all.events.back().seq;

  // The follower now waits in a long poll (20 s): Stop() ends it at once.
  const auto stopping = std::chrono::steady_clock::now();
  follower.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(10));

  // An instance name is checked like a request id.
  httplib::Headers bad = As(alice_);
  bad.emplace("Reel-Instance", "no spaces allowed");
  auto refused = Raw("GET", "/v1/workspaces/show2/events", "", bad);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
}

// What a stream of server-sent events delivered before the reader stopped it: the raw text, and
// the content type.
struct Streamed {
  std::string text;
  std::string content_type;
  int status = 0;
};

// Reads `target` as `token` (and `headers`) until `events` events came.
Streamed ReadStream(const std::string& url, const std::string& target, httplib::Headers headers,
                    int events) {
  Streamed out;
  httplib::Client c(url);
  c.set_read_timeout(std::chrono::seconds(60));
  int seen = 0;
  auto res = c.Get(
      target, headers,
      [&](const httplib::Response& r) {
        out.status = r.status;
        out.content_type = r.get_header_value("Content-Type");
        return true;
      },
      [&](const char* data, size_t size) {
        out.text.append(data, size);
        for (size_t at = out.text.find("\nevent: change\n"); at != std::string::npos;
             at = out.text.find("\nevent: change\n", at + 1)) {
          if (++seen >= events) return false;  // enough: hang up
        }
        seen = 0;
        return true;
      });
  if (res && out.status == 0) out.status = res->status;
  return out;
}

TEST_F(TeamEventsTest, AStreamSendsEachChangeAsItHappensAndResumesAfterLastEventId) {
  const uint64_t start = Read(alice_, "/v1/workspaces/alice/events").newest;
  RemoteCatalog home(OptionsFor(alice_), "alice");
  ASSERT_OK(home.CreateNode(kRootInode, "one.txt", Node(FileType::kRegular), now_).status());
  auto streaming = std::async(std::launch::async, [&] {
    return ReadStream(server_->url(),
                      "/v1/workspaces/alice/events/stream?after=" + std::to_string(start),
                      As(alice_), 2);
  });
  // Made while the stream is open or before it starts: it comes through either way.
  ASSERT_OK(home.CreateNode(kRootInode, "two.txt", Node(FileType::kRegular), now_).status());
  const Streamed got = streaming.get();
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.content_type, "text/event-stream");
  const std::string first = "id: " + std::to_string(start + 1) + "\nevent: change\ndata: ";
  const std::string second = "id: " + std::to_string(start + 2) + "\nevent: change\ndata: ";
  ASSERT_NE(got.text.find(first), std::string::npos) << got.text;
  ASSERT_NE(got.text.find(second), std::string::npos) << got.text;
  const std::string data = got.text.substr(got.text.find(first) + first.size());
  const ChangeEvent e = json::parse(data.substr(0, data.find('\n'))).get<ChangeEvent>();
  EXPECT_EQ(e.path, "one.txt");
  EXPECT_EQ(e.actor, "alice");

  // A reconnecting EventSource names the last event it saw: the stream goes on after it.
  httplib::Headers resume = As(alice_);
  resume.emplace("Last-Event-ID", std::to_string(start + 1));
  const Streamed resumed = ReadStream(server_->url(), "/v1/workspaces/alice/events/stream", resume, 1);
  EXPECT_EQ(resumed.text.find("id: " + std::to_string(start + 2) + "\n"), 0u) << resumed.text;
  EXPECT_NE(resumed.text.find("two.txt"), std::string::npos);

  // Refused before any stream starts: a JSON error.
  auto stranger = Raw("GET", "/v1/workspaces/alice/events/stream", "", As(bob_));
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 403);
  EXPECT_EQ(ErrorCode(stranger), "permission_denied");
  auto anonymous = Raw("GET", "/v1/workspaces/alice/events/stream", "", {});
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto bad = Raw("GET", "/v1/workspaces/alice/events/stream?after=x", "", As(alice_));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

}  // namespace
}  // namespace reel::testing
