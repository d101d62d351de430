#include "catalog/postgres/pg_pool.h"

namespace reel::postgres {

Result<std::unique_ptr<PgPool>> PgPool::Open(const std::string& uri, const Options& options) {
  if (options.max_connections == 0) return Status::InvalidArgument("a pool needs a connection");
  REEL_ASSIGN_OR_RETURN(PgTarget target, ParsePgUri(uri));
  std::unique_ptr<PgPool> pool(new PgPool(uri, std::move(target), options));
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<PgConn> first, PgConn::Connect(uri));
  pool->open_ = 1;
  pool->idle_.push_back(std::move(first));
  return pool;
}

PgPool::~PgPool() = default;

PgPool::Lease::~Lease() {
  if (conn_) pool_->Release(std::move(conn_));
}

Result<PgPool::Lease> PgPool::Acquire() {
  std::unique_ptr<PgConn> idle;
  {
    std::unique_lock lock(mu_);
    const bool ready = released_.wait_for(lock, options_.acquire_timeout, [&] {
      return !idle_.empty() || open_ < options_.max_connections;
    });
    if (!ready) {
      return Status::Busy("all " + std::to_string(options_.max_connections) +
                          " connections to " + target_.ToString() + " stayed in use for " +
                          std::to_string(options_.acquire_timeout.count()) + " ms");
    }
    if (!idle_.empty()) {
      idle = std::move(idle_.back());
      idle_.pop_back();
    } else {
      ++open_;  // the slot is taken while the connection opens, outside the lock
    }
  }
  if (idle) {
    // Closed by the server while idle (a restart): replaced in the same slot instead of failing
    // the caller's first statement.
    if (idle->QuietSinceLastUse()) return Lease(this, std::move(idle));
    idle.reset();
  }
  Result<std::unique_ptr<PgConn>> opened = PgConn::Connect(uri_);
  if (!opened.ok()) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    released_.notify_one();
    return opened.status();
  }
  return Lease(this, std::move(opened).value());
}

void PgPool::Release(std::unique_ptr<PgConn> conn) {
  {
    std::lock_guard lock(mu_);
    if (conn->reusable()) {
      idle_.push_back(std::move(conn));
    } else {
      // Closed by the server, or left inside a transaction (a body that threw, a failed
      // ROLLBACK): never lent again; the next lease opens a fresh one.
      --open_;
    }
  }
  conn.reset();
  released_.notify_one();
}

Status PgPool::Transaction(const std::function<Status(PgConn&)>& body, int* attempts) {
  REEL_ASSIGN_OR_RETURN(Lease lease, Acquire());
  return RunTransaction(lease.conn(), body, attempts);
}

size_t PgPool::open_connections() {
  std::lock_guard lock(mu_);
  return open_;
}

}  // namespace reel::postgres
