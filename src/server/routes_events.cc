// Team API: a workspace's change feed (docs/events.md).
//   GET /v1/workspaces/NAME/events?after=N&limit=N&wait=S   {"events": [...], "newest", "oldest"}
//   GET /v1/workspaces/NAME/events/stream?after=N           text/event-stream (SSE)
// Any member may read it; paths are from the workspace's root (server/workspace_catalog.h). A
// waiting read, and a stream all its life, holds one of the server's request threads: at most
// half of them wait at once (409 busy for more).
#include "catalog_rpc/catalog_json.h"
#include "http/json_error.h"
#include "server/server_routes.h"

namespace reel::server_internal {

namespace {

// How long a stream waits for events before it writes a comment line (keeping proxies from
// closing it) and checks that its caller may still read the workspace.
constexpr std::chrono::seconds kStreamBeat{15};

// One open stream: whose, of which workspace, and how far it has gone.
struct Stream {
  std::string token;
  Workspace workspace;
  Role role = Role::kNone;
  uint64_t cursor = 0;
};

std::string SseEvent(const ChangeEvent& e) {
  return "id: " + std::to_string(e.seq) + "\nevent: change\ndata: " + nlohmann::json(e).dump() +
         "\n\n";
}

std::string SseError(const Status& s) {
  return "event: error\ndata: " + DumpJson(ErrorJson(s)) + "\n\n";
}

// Whether the stream's caller still has a valid token and a role in its workspace.
Status StillMember(ServerContext& ctx, Stream& st) {
  REEL_ASSIGN_OR_RETURN(User caller, ctx.team->Authenticate(st.token, ctx.clock()));
  REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, st.workspace.name, caller));
  st.role = member.second;
  return Status::Ok();
}

// The next piece of the stream, after waiting up to kStreamBeat for events; false: the stream
// ends after it.
bool NextPiece(ServerContext& ctx, Stream& st, std::string& out) {
  EventRead read;
  read.query.after = st.cursor;
  read.query.limit = kMaxEventsPerRead;
  read.wait = kStreamBeat;
  WorkspaceCatalog view(ctx.team->catalog(), st.workspace, st.role, *ctx.index);
  Result<EventPage> page =
      ctx.event_waiters->Read([&view](const EventQuery& q) { return view.ReadEvents(q); }, read);
  if (!page.ok()) {
    out = SseError(page.status());
    return false;
  }
  for (const ChangeEvent& e : page->events) {
    out += SseEvent(e);
    st.cursor = e.seq;
  }
  if (!page->events.empty()) return true;
  if (ctx.event_waiters->stopped()) return false;
  Status still = StillMember(ctx, st);
  if (!still.ok()) {
    out = SseError(still);
    return false;
  }
  out = ": nothing new\n\n";
  return true;
}

}  // namespace

void RegisterEventRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/events",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<nlohmann::json> {
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"after", "limit", "wait"}));
          REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
          REEL_ASSIGN_OR_RETURN(EventRead read, ParseEventRead(req.params));
          REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
          const auto& [workspace, role] = member;
          WorkspaceCatalog view(ctx.team->catalog(), workspace, role, *ctx.index);
          REEL_ASSIGN_OR_RETURN(
              EventPage page,
              ctx.event_waiters->Read(
                  [&view](const EventQuery& q) { return view.ReadEvents(q); }, read));
          return nlohmann::json(page);
        });

  // Server-sent events: each change as "id: SEQ / event: change / data: JSON". It resumes after
  // Last-Event-ID (what an EventSource sends when it reconnects) or `after`.
  server.Get("/v1/workspaces/([^/]+)/events/stream", [&ctx](const httplib::Request& req,
                                                            httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    auto opened = [&]() -> Result<std::shared_ptr<Stream>> {
      REEL_ASSIGN_OR_RETURN(TeamRequest request, Authenticated(ctx, req, /*mutation=*/false));
      REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"after"}));
      REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
      std::multimap<std::string, std::string> from(req.params.begin(), req.params.end());
      if (req.has_header("Last-Event-ID")) {
        from.erase("after");
        from.emplace("after", req.get_header_value("Last-Event-ID"));
      }
      REEL_ASSIGN_OR_RETURN(EventRead read, ParseEventRead(from));
      REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
      auto st = std::make_shared<Stream>();
      st->token = RequestToken(ctx, req);  // checked above
      st->workspace = member.first;
      st->role = member.second;
      st->cursor = read.query.after;
      return st;
    }();
    if (!opened.ok()) {
      http::Respond(res, opened.status());
      return;
    }
    res.set_chunked_content_provider(
        "text/event-stream",
        [&ctx, st = *opened](size_t, httplib::DataSink& sink) {
          std::string piece;
          const bool more = NextPiece(ctx, *st, piece);
          if (!piece.empty() && !sink.write(piece.data(), piece.size())) return false;
          if (!more) sink.done();
          return true;
        });
  });
}

}  // namespace reel::server_internal
