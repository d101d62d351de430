// The change feed of the PostgreSQL catalog (see pg_schema.cc, events): a transaction keeps its
// events and numbers them in its last statement, so seqs follow commit order with no gaps.
#include "catalog/postgres/postgres_catalog.h"
#include "common/hex.h"

namespace reel::postgres {

namespace {

// Byte strings as a text[] literal of hex digits (decode(x, 'hex') in SQL): hex needs no quoting.
std::string HexStrings(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (std::string_view v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
    out += '"';
  }
  return out + "}";
}

}  // namespace

Status PgTxn::AppendEvent(const ChangeEvent& e, std::string_view scope) {
  events_.emplace_back(e, std::string(scope));
  return Status::Ok();
}

Status PgTxn::FlushEvents() {
  if (events_.empty()) return Status::Ok();
  std::vector<int64_t> times, kinds, inos, types, versions, version_kinds, sizes, parents,
      old_parents;
  std::vector<std::string_view> scopes, paths, old_paths;
  for (const auto& [e, scope] : events_) {
    times.push_back(e.time);
    kinds.push_back(static_cast<int64_t>(e.kind));
    inos.push_back(static_cast<int64_t>(e.ino));
    types.push_back(static_cast<int64_t>(e.type));
    versions.push_back(static_cast<int64_t>(e.version));
    version_kinds.push_back(static_cast<int64_t>(e.version_kind));
    sizes.push_back(static_cast<int64_t>(e.size));
    parents.push_back(static_cast<int64_t>(e.parent));
    old_parents.push_back(static_cast<int64_t>(e.old_parent));
    scopes.push_back(scope);
    paths.push_back(e.path);
    old_paths.push_back(e.old_path);
  }
  const int64_t count = static_cast<int64_t>(events_.size());
  // The counter row stays locked from here to the commit: see pg_schema.cc.
  REEL_RETURN_IF_ERROR(c_.Exec(
      "WITH c AS (UPDATE event_counter SET last = last + $1 WHERE id = 1 RETURNING last) "
      "INSERT INTO events (seq, time, kind, ino, type, scope, path, old_path, version, "
      "version_kind, size, actor, instance, parent, old_parent) "
      "SELECT c.last - $1 + u.n, u.time, u.kind, u.ino, u.type, decode(u.scope, 'hex'), "
      "decode(u.path, 'hex'), decode(u.old_path, 'hex'), u.version, u.version_kind, u.size, $12, "
      "$13, u.parent, u.old_parent "
      "FROM c, unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[], "
      "$7::text[], $8::text[], $9::bigint[], $10::bigint[], $11::bigint[], $14::bigint[], "
      "$15::bigint[]) WITH ORDINALITY AS u (time, kind, ino, type, scope, path, old_path, "
      "version, version_kind, size, parent, old_parent, n)",
      count, IntArray(times), IntArray(kinds), IntArray(inos), IntArray(types), HexStrings(scopes),
      HexStrings(paths), HexStrings(old_paths), IntArray(versions), IntArray(version_kinds),
      IntArray(sizes), origin_.actor, origin_.instance, IntArray(parents),
      IntArray(old_parents)));
  events_.clear();
  return Status::Ok();
}

Result<EventPage> PostgresCatalog::ReadEvents(const EventQuery& query) {
  REEL_RETURN_IF_ERROR(CheckEventQuery(query));
  // One statement, one snapshot: the page and the newest seq agree. The counter row always
  // comes back, with NULL event columns when nothing is new.
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT c.last, e.seq, e.time, e.kind, e.ino, e.type, e.path, e.old_path, "
                "e.version, e.version_kind, e.size, e.actor, "
                "(SELECT coalesce(min(seq), 0) FROM events), e.instance, e.parent, e.old_parent "
                "FROM event_counter c "
                "LEFT JOIN LATERAL (SELECT * FROM events WHERE seq > $1 "
                "AND ($3 = ''::bytea OR scope = $3) ORDER BY seq LIMIT $2) e ON true "
                "WHERE c.id = 1 ORDER BY e.seq",
                query.after, static_cast<int64_t>(query.limit), AsBytes(query.scope)));
  if (rows.empty()) return Status::Corruption("the catalog has no event counter");
  EventPage page;
  page.newest = rows.U64(0, 0);
  page.oldest = rows.U64(0, 12);
  for (int r = 0; r < rows.size(); ++r) {
    if (rows.IsNull(r, 1)) continue;
    ChangeEvent e;
    e.seq = rows.U64(r, 1);
    e.time = rows.Int(r, 2);
    e.kind = static_cast<ChangeKind>(rows.Int(r, 3));
    e.ino = rows.U64(r, 4);
    e.type = static_cast<FileType>(rows.Int(r, 5));
    e.path = rows.ByteaString(r, 6);
    e.old_path = rows.ByteaString(r, 7);
    e.version = rows.U64(r, 8);
    e.version_kind = static_cast<VersionKind>(rows.Int(r, 9));
    e.size = rows.U64(r, 10);
    e.actor = rows.Text(r, 11);
    e.instance = rows.Text(r, 13);
    e.parent = rows.U64(r, 14);
    e.old_parent = rows.U64(r, 15);
    page.events.push_back(std::move(e));
  }
  return page;
}

Result<uint64_t> PostgresCatalog::TrimEvents(TimeNs before) {
  uint64_t trimmed = 0;
  REEL_RETURN_IF_ERROR(Write([&](PgTxn& tx) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        tx.conn().Query("DELETE FROM events WHERE time < $1 AND seq < "
                        "(SELECT last FROM event_counter WHERE id = 1)",
                        before));
    trimmed = static_cast<uint64_t>(rows.Affected());
    return Status::Ok();
  }));
  return trimmed;
}

}  // namespace reel::postgres
