// The change feed of the SQLite catalog: events are rows of `events`, written in the transaction
// of the change they report. There is one writer at a time, so AUTOINCREMENT numbers them in
// commit order, and a rolled-back transaction takes its numbers back with it: no gaps.
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_txn.h"

namespace reel::sqlite {

Status SqliteTxn::AppendEvent(const ChangeEvent& e, std::string_view scope) {
  return db_
      .Prepare("INSERT INTO events (time, kind, ino, type, scope, path, old_path, version, "
               "version_kind, size, actor, parent, old_parent) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")
      .Bind(e.time, static_cast<int>(e.kind), e.ino, static_cast<int>(e.type), scope, e.path,
            e.old_path, e.version, static_cast<int>(e.version_kind), e.size, e.actor, e.parent,
            e.old_parent)
      .Run();
}

Result<EventPage> SqliteCatalog::ReadEvents(const EventQuery& query) {
  REEL_RETURN_IF_ERROR(CheckEventQuery(query));
  EventPage page;
  Status s = Read([&](Db& db) -> Status {
    page = EventPage{};
    // ?3 = '' reads every scope.
    Stmt st = db.Prepare(
        "SELECT seq, time, kind, ino, type, path, old_path, version, version_kind, size, actor, "
        "parent, old_parent FROM events WHERE seq > ?1 AND (?3 = '' OR scope = ?3) ORDER BY seq LIMIT ?2");
    st.Bind(query.after, query.limit, query.scope);
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ChangeEvent e;
      e.seq = st.U64(0);
      e.time = st.Int(1);
      e.kind = static_cast<ChangeKind>(st.Int(2));
      e.ino = st.U64(3);
      e.type = static_cast<FileType>(st.Int(4));
      e.path = st.Text(5);
      e.old_path = st.Text(6);
      e.version = st.U64(7);
      e.version_kind = static_cast<VersionKind>(st.Int(8));
      e.size = st.U64(9);
      e.actor = st.Text(10);
      e.parent = st.U64(11);
      e.old_parent = st.U64(12);
      page.events.push_back(std::move(e));
    }
    Stmt newest = db.Prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'");
    REEL_ASSIGN_OR_RETURN(bool row, newest.Step());
    page.newest = row ? newest.U64(0) : 0;
    Stmt oldest = db.Prepare("SELECT coalesce(min(seq), 0) FROM events");
    REEL_ASSIGN_OR_RETURN(row, oldest.Step());
    page.oldest = row ? oldest.U64(0) : 0;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return page;
}

Result<uint64_t> SqliteCatalog::TrimEvents(TimeNs before) {
  uint64_t trimmed = 0;
  Status s = Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM events WHERE time < ?1 AND seq < (SELECT max(seq) FROM events)")
            .Bind(before)
            .Run());
    trimmed = static_cast<uint64_t>(db.Changes());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return trimmed;
}

}  // namespace reel::sqlite
