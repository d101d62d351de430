// The transfer queue's table, as created by the catalog's schema 3 (where it lived until schema 7)
// and by the machine state's schema 1 (machine/machine_state.cc). Never edit it: a change is a
// new migration.
#pragma once

namespace reel::sqlite {

inline constexpr const char* kTransferQueueSql = R"sql(
CREATE TABLE transfers (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  kind         INTEGER NOT NULL,
  chunk        BLOB NOT NULL CHECK (length(chunk) = 32),
  size         INTEGER NOT NULL,
  tier         INTEGER NOT NULL,
  state        INTEGER NOT NULL DEFAULT 0,
  attempts     INTEGER NOT NULL DEFAULT 0,
  created      INTEGER NOT NULL,
  next_attempt INTEGER NOT NULL,
  last_error   TEXT NOT NULL DEFAULT '',
  UNIQUE (kind, chunk, tier)
);
CREATE INDEX transfers_due ON transfers (state, next_attempt, id);
)sql";

}  // namespace reel::sqlite
