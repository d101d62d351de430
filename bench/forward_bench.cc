// Events per second through each event forwarder (docs/benchmarks.md, "Event forwarding"): the
// team's feed on a real PostgreSQL, delivered to a real NATS server with JetStream, to
// librdkafka's Kafka mock cluster (in this process) and to a webhook receiver on loopback, beside
// the limit of each: the same events handed to the same sink with no database in between
// ("raw"), and the forwarder with a sink that does nothing (the database's share).
//
//   forward_bench PG_URI NATS_URL [--events N]
#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "catalog/catalog.h"
#include "common/hex.h"
#include "common/secure_random.h"
#include "forward/event_forwarder.h"
#include "http/json_http.h"
#include "team/team_directory.h"

using namespace reel;
using Clock = std::chrono::steady_clock;

namespace {

class NullSink final : public EventSink {
 public:
  Status Deliver(std::span<const OutgoingEvent>) override { return Status::Ok(); }
  std::string Describe() const override { return "nothing"; }
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

void Die(const Status& s, const char* what) {
  std::fprintf(stderr, "forward_bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

// Events/s of the sink given pre-encoded events in batches of 500. The first batch (which
// connects) is not timed, here or below: the rates are those of a running forwarder.
double Raw(EventSink& sink, const std::vector<OutgoingEvent>& events) {
  if (Status s = sink.Deliver(std::span(events).first(500)); !s.ok()) Die(s, "raw delivery");
  const auto start = Clock::now();
  for (size_t i = 500; i < events.size(); i += 500) {
    const size_t n = std::min<size_t>(500, events.size() - i);
    if (Status s = sink.Deliver(std::span(events).subspan(i, n)); !s.ok()) Die(s, "raw delivery");
  }
  return static_cast<double>(events.size() - 500) / Seconds(start);
}

// Events/s of a new forwarder `name` draining the whole feed.
double Forwarded(TeamDirectory& team, const std::string& name, const SinkOpener& open,
                 uint64_t newest) {
  ForwarderOptions o;
  o.holder = "bench";
  o.batch = 500;
  auto f = EventForwarder::Create(&team, name, open, o);
  if (!f.ok()) Die(f.status(), "forwarder");
  auto first = (*f)->RunOnce();
  if (!first.ok()) Die(first.status(), "forwarding");
  const uint64_t from = first->cursor;
  const auto start = Clock::now();
  uint64_t cursor = from;
  while (cursor < newest) {
    auto step = (*f)->RunOnce();
    if (!step.ok()) Die(step.status(), "forwarding");
    cursor = step->cursor;
  }
  return static_cast<double>(newest - from) / Seconds(start);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: forward_bench PG_URI NATS_URL [--events N]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  const std::string pg = argv[1], nats = argv[2];
  size_t events = 20000;  // at least 1000
  for (int i = 3; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--events") == 0) events = std::stoul(argv[i + 1]);
  }
  events = std::max<size_t>(events, 1000);
  auto team = TeamDirectory::Open(pg);
  if (!team.ok()) Die(team.status(), "team database");
  Catalog& catalog = (*team)->catalog();

  // The feed: `events` creates in batches of 500 (one transaction each).
  NewNode dir;
  dir.type = FileType::kDirectory;
  dir.mode = 0755;
  auto ws = catalog.CreateNode(kRootInode, "bench", dir, 1);
  if (!ws.ok()) Die(ws.status(), "workspace");
  for (size_t made = 1; made < events;) {
    const uint32_t n = static_cast<uint32_t>(std::min<size_t>(500, events - made));
    auto inos = catalog.ReserveInodes(n);
    if (!inos.ok()) Die(inos.status(), "reserve");
    std::vector<NodeCreate> creates;
    for (uint32_t i = 0; i < n; ++i) {
      NodeCreate c;
      c.ino = (*inos)[i];
      c.parent = ws->ino;
      c.name = "shot_" + std::to_string(made + i) + ".exr";
      c.node.mode = 0644;
      c.now = 1;
      creates.push_back(std::move(c));
    }
    if (auto done = catalog.CreateNodes(creates); !done.ok()) Die(done.status(), "creates");
    made += n;
  }
  auto page = catalog.ReadEvents({.after = 0, .limit = kMaxEventsPerRead});
  if (!page.ok()) Die(page.status(), "read");
  const uint64_t newest = page->newest;
  std::vector<ChangeEvent> all;
  for (uint64_t after = 0; after < newest;) {
    auto p = catalog.ReadEvents({.after = after, .limit = kMaxEventsPerRead});
    if (!p.ok() || p->events.empty()) Die(p.status(), "read");
    after = p->events.back().seq;
    all.insert(all.end(), p->events.begin(), p->events.end());
  }
  const std::vector<OutgoingEvent> encoded = OutgoingEvents("bench", all);

  // The destinations.
  char err[256];
  rd_kafka_t* owner = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof err);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(owner, 1);
  rd_kafka_mock_topic_create(cluster, "reel-events", 1, 1);
  const std::string kafka = std::string("kafka://") + rd_kafka_mock_cluster_bootstraps(cluster);
  httplib::Server hook;
  hook.Post("/hook", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  const int hook_port = hook.bind_to_any_port("127.0.0.1");
  std::thread hook_thread;
  if (Status s = http::ServeInBackground(hook, hook_thread); !s.ok()) Die(s, "webhook receiver");
  const std::string run = ToHex(SecureRandomBytes(4));  // a stream and subjects of this run's own

  struct Row {
    const char* name;
    ForwardTarget target;
  };
  const Row rows[] = {
      {"NATS JetStream", {"nats", nats + "?subject=bench" + run + ".events&stream=BENCH" + run, ""}},
      {"Kafka (librdkafka mock cluster)", {"kafka", kafka + "/reel-events", ""}},
      {"webhook (loopback receiver)",
       {"hook", "http://127.0.0.1:" + std::to_string(hook_port) + "/hook", "bench-secret-0123456789"}},
  };
  std::printf("| destination | events | raw sink, events/s | forwarder, events/s | forwarder / raw |\n");
  std::printf("|---|---:|---:|---:|---:|\n");
  const double db_only = Forwarded(
      **team, "null",
      [] { return Result<std::unique_ptr<EventSink>>(std::make_unique<NullSink>()); }, newest);
  std::printf("| none (the database's share: read, lease, cursor) | %lu | - | %.0f | - |\n",
              static_cast<unsigned long>(newest), db_only);
  for (const Row& row : rows) {
    auto raw_sink = OpenEventSink(row.target);
    if (!raw_sink.ok()) Die(raw_sink.status(), row.name);
    const double raw = Raw(**raw_sink, encoded);
    const double fwd = Forwarded(**team, row.target.name,
                                 [t = row.target] { return OpenEventSink(t); }, newest);
    std::printf("| %s | %lu | %.0f | %.0f | %.2f |\n", row.name,
                static_cast<unsigned long>(newest), raw, fwd, fwd / raw);
  }
  hook.stop();
  hook_thread.join();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(owner);
  return 0;
}
