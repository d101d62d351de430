// A bounded pool of PostgreSQL connections for one database. A caller leases a connection for
// one catalog call (or one transaction) and gives it back; at most `max_connections` are open at
// once, so a server never holds more than it was told to whatever its load, and a caller that
// finds every connection leased waits (up to `acquire_timeout`) instead of opening another.
// Connections are opened on demand and reused; one the server closed (restart, terminated
// backend) is dropped when its lease ends, and the next lease opens a fresh one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/postgres/pg_conn.h"

namespace reel::postgres {

class PgPool {
 public:
  struct Options {
    size_t max_connections = 8;
    std::chrono::milliseconds acquire_timeout{10'000};
  };

  // Checks `uri` and opens one connection, so a wrong URI, user or database fails here.
  [[nodiscard]] static Result<std::unique_ptr<PgPool>> Open(const std::string& uri,
                                                            const Options& options);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // One connection for the lease's lifetime; given back (or dropped, when the server closed it)
  // by the destructor.
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConn& conn() { return *conn_; }
    PgConn* operator->() { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConn> conn_;
  };

  // Waits for an idle connection or room to open one: Busy once acquire_timeout has passed with
  // every connection leased; Unavailable (or the connection's error) when opening one fails.
  [[nodiscard]] Result<Lease> Acquire();
  // Acquire, then RunTransaction on the leased connection.
  [[nodiscard]] Status Transaction(const std::function<Status(PgConn&)>& body,
                                   int* attempts = nullptr);

  size_t max_connections() const { return options_.max_connections; }
  // Connections open now (leased or idle).
  size_t open_connections();
  const PgTarget& target() const { return target_; }

 private:
  PgPool(std::string uri, PgTarget target, Options options)
      : uri_(std::move(uri)), target_(std::move(target)), options_(options) {}
  void Release(std::unique_ptr<PgConn> conn);

  const std::string uri_;  // holds the password, if any: never logged or put in a message
  const PgTarget target_;
  const Options options_;

  // Guards idle_ and open_ (not the connections: a leased one belongs to its lease).
  std::mutex mu_;
  std::condition_variable released_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  size_t open_ = 0;  // idle + leased + being opened
};

}  // namespace reel::postgres
