#include "store/rados/rados_store.h"

#include <rados/librados.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string_view>
#include <system_error>
#include <vector>

namespace reel {
namespace {

// Objects stat'ed in parallel per List batch.
constexpr size_t kListBatch = 256;
// Longest exact-length read GetRange sends (longer ones read to the end; see GetRange).
constexpr uint64_t kMaxReadBytes = uint64_t{1} << 30;

// librados result (a negative errno) -> Status, with `what` in front of the message.
Status RadosStatus(int rc, std::string_view what) {
  const int err = rc < 0 ? -rc : rc;
  std::string msg = std::string(what) + ": " + std::strerror(err);
  switch (err) {
    case ETIMEDOUT:
    case ENOTCONN:
    case ESHUTDOWN:  // also Ceph's EBLOCKLISTED
    case ECONNREFUSED:
    case ECONNRESET:
    case EHOSTUNREACH:
    case ENETUNREACH:
      return Status::Unavailable(std::move(msg));
    case EFBIG:
    case EMSGSIZE:
      return Status(Code::kRange,
                    std::move(msg) + " (the OSD refused the size: osd_max_object_size / "
                                     "osd_max_write_size)");
    default:
      return Status::FromErrno(err, what);  // ENOENT, EACCES/EPERM, ENOSPC/EDQUOT, ...
  }
}

int64_t TimespecNs(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The first `n` bytes of `bl` (n <= bl.length()).
std::vector<uint8_t> ToBytes(librados::bufferlist& bl, uint64_t n) {
  std::vector<uint8_t> out(n);
  if (n > 0) bl.begin().copy(static_cast<unsigned>(n), reinterpret_cast<char*>(out.data()));
  return out;
}

struct CompletionReleaser {
  void operator()(librados::AioCompletion* c) const { c->release(); }
};
using CompletionPtr = std::unique_ptr<librados::AioCompletion, CompletionReleaser>;

class RadosStore final : public ObjectStore {
 public:
  RadosStore(RadosConfig config, std::string uri)
      : config_(std::move(config)), uri_(std::move(uri)) {}
  ~RadosStore() override {
    io_.close();
    cluster_.shutdown();
  }

  Status Connect();

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  std::string Uri() const override { return uri_; }

 private:
  // "pool P (namespace N)" for messages.
  std::string Where() const {
    return "pool " + config_.pool + (config_.prefix.empty() ? "" : " namespace " + config_.prefix);
  }
  std::string ObjectWhat(std::string_view op, const std::string& key) const {
    return std::string(op) + " " + key + " in rados " + Where();
  }
  // Fills size and mtime of every entry (keys set) with parallel stat ops; drops the ones that
  // no longer exist.
  Status StatBatch(std::vector<ObjectInfo>& infos, std::string_view what);
  // Which config file librados reads, for messages.
  std::string ConfDescription() const;

  const RadosConfig config_;
  const std::string uri_;
  // Set up once by Connect() before the store is shared, then only used through librados'
  // thread-safe I/O calls; nothing here changes after Open.
  librados::Rados cluster_;
  librados::IoCtx io_;
};

std::string RadosStore::ConfDescription() const {
  if (!config_.conf_path.empty()) return "conf " + config_.conf_path;
  const char* env = std::getenv("CEPH_CONF");
  if (env != nullptr && *env != '\0') return "conf " + std::string(env) + " (from CEPH_CONF)";
  return "conf from librados' default search (/etc/ceph/ceph.conf, ~/.ceph/config, ./ceph.conf)";
}

Status RadosStore::Connect() {
  const std::string context = "rados " + Where() + ", " + config_.client_name + ", " +
                              ConfDescription();
  int rc = cluster_.init2(config_.client_name.c_str(), "ceph", 0);
  if (rc < 0) return RadosStatus(rc, "init librados (" + context + ")");
  rc = cluster_.conf_read_file(config_.conf_path.empty() ? nullptr : config_.conf_path.c_str());
  // With no conf named and none found, librados' defaults (and CEPH_ARGS-free settings) apply;
  // a named file that cannot be read is an error.
  if (rc < 0 && !(config_.conf_path.empty() && rc == -ENOENT)) {
    return RadosStatus(rc, "read Ceph config (" + context + ")");
  }
  const std::string seconds = std::to_string(config_.timeout.count());
  for (const char* option : {"client_mount_timeout", "rados_mon_op_timeout", "rados_osd_op_timeout"}) {
    rc = cluster_.conf_set(option, seconds.c_str());
    if (rc < 0) return RadosStatus(rc, std::string("set ") + option);
  }
  rc = cluster_.connect();
  if (rc == -ENOENT) {  // librados found no monitor address (no config, no mon_host)
    return Status::NotFound("connect to Ceph cluster (" + context +
                            "): no monitor address; give conf=/path/ceph.conf or set CEPH_CONF");
  }
  if (rc < 0) {
    Status s = RadosStatus(rc, "connect to Ceph cluster (" + context + ")");
    if (s.code() == Code::kUnavailable || s.code() == Code::kIOError) {
      return Status::Unavailable(s.message() + "; is the monitor in the config up and reachable?");
    }
    return s;
  }
  int64_t pool_id = cluster_.pool_lookup(config_.pool.c_str());
  if (pool_id == -ENOENT && config_.create_pool) {
    rc = cluster_.pool_create(config_.pool.c_str());
    if (rc < 0 && rc != -EEXIST) return RadosStatus(rc, "create pool (" + context + ")");
    pool_id = cluster_.pool_lookup(config_.pool.c_str());
  } else if (pool_id == -ENOENT) {
    return Status::NotFound("rados pool '" + config_.pool + "' does not exist (" + context +
                            "); create it (ceph osd pool create " + config_.pool +
                            ") or open the store with create_pool=true");
  }
  if (pool_id < 0) return RadosStatus(static_cast<int>(pool_id), "look up pool (" + context + ")");
  rc = cluster_.ioctx_create2(pool_id, io_);
  if (rc < 0) return RadosStatus(rc, "open pool (" + context + ")");
  if (config_.create_pool) {
    // Tags the pool so `ceph health` does not warn about a pool without an application.
    // Best effort: a client without mon write caps cannot, and the store works regardless.
    (void)io_.application_enable("reeldrive", false);
  }
  io_.set_namespace(config_.prefix);
  return Status::Ok();
}

Status RadosStore::Put(const std::string& key, std::span<const uint8_t> data) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (data.size() > config_.max_object_bytes) {
    return Status(Code::kRange, "put " + key + ": object of " + std::to_string(data.size()) +
                                    " bytes exceeds the rados store's limit of " +
                                    std::to_string(config_.max_object_bytes) +
                                    " bytes (max_object_size; OSD osd_max_write_size / "
                                    "osd_max_object_size)");
  }
  librados::bufferlist bl;
  bl.append(reinterpret_cast<const char*>(data.data()), static_cast<unsigned>(data.size()));
  librados::ObjectWriteOperation op;
  op.create(false);  // an empty Put still makes an object
  op.write_full(bl);
  int rc = io_.operate(key, &op);
  if (rc < 0) return RadosStatus(rc, ObjectWhat("put", key));
  return Status::Ok();
}

Result<std::vector<uint8_t>> RadosStore::Get(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  librados::ObjectReadOperation op;
  uint64_t size = 0;
  int stat_rc = 0, read_rc = 0;
  librados::bufferlist bl;
  op.stat2(&size, nullptr, &stat_rc);
  op.read(0, 0, &bl, &read_rc);  // length 0: the whole object
  int rc = io_.operate(key, &op, nullptr);
  if (rc < 0) return RadosStatus(rc, ObjectWhat("get", key));
  if (stat_rc < 0) return RadosStatus(stat_rc, ObjectWhat("get (stat)", key));
  if (read_rc < 0) return RadosStatus(read_rc, ObjectWhat("get (read)", key));
  if (bl.length() != size) {
    return Status::IOError(ObjectWhat("get", key) + ": read " + std::to_string(bl.length()) +
                           " bytes of " + std::to_string(size));
  }
  return ToBytes(bl, bl.length());
}

Result<std::vector<uint8_t>> RadosStore::GetRange(const std::string& key, uint64_t offset,
                                                  uint64_t length) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  length = std::min(length, UINT64_MAX - offset);
  // To the OSD a read length of 0 means "to the end of the object". librados also charges a
  // read's length against its in-flight byte budget (objecter_inflight_op_bytes, an int64
  // Throttle) before it knows the object's size, so a huge length would stall other reads or
  // overflow it. A length no object can fill is therefore sent as 0 and cut here.
  const bool to_end = length >= config_.max_object_bytes || length > kMaxReadBytes;
  librados::ObjectReadOperation op;
  uint64_t size = 0;
  int stat_rc = 0, read_rc = 0;
  librados::bufferlist bl;
  op.stat2(&size, nullptr, &stat_rc);
  if (length > 0) op.read(offset, to_end ? 0 : length, &bl, &read_rc);
  int rc = io_.operate(key, &op, nullptr);
  if (rc < 0) return RadosStatus(rc, ObjectWhat("get range", key));
  if (stat_rc < 0) return RadosStatus(stat_rc, ObjectWhat("get range (stat)", key));
  if (read_rc < 0) return RadosStatus(read_rc, ObjectWhat("get range (read)", key));
  const uint64_t remaining = offset >= size ? 0 : size - offset;
  const uint64_t expected = std::min(length, remaining);
  if (bl.length() != (to_end ? remaining : expected)) {
    return Status::IOError(ObjectWhat("get range", key) + ": read " +
                           std::to_string(bl.length()) + " bytes, expected " +
                           std::to_string(to_end ? remaining : expected));
  }
  return ToBytes(bl, expected);
}

Result<ObjectInfo> RadosStore::Head(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  ObjectInfo info;
  info.key = key;
  struct timespec mtime {};
  int rc = io_.stat2(key, &info.size, &mtime);
  if (rc < 0) return RadosStatus(rc, ObjectWhat("head", key));
  info.mtime_unix_ns = TimespecNs(mtime);
  return info;
}

Status RadosStore::Delete(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  int rc = io_.remove(key);
  if (rc < 0 && rc != -ENOENT) return RadosStatus(rc, ObjectWhat("delete", key));
  return Status::Ok();
}

Status RadosStore::StatBatch(std::vector<ObjectInfo>& infos, std::string_view what) {
  struct Pending {
    struct timespec mtime {};
    int stat_rc = 0;
    // A compound op with one stat2: librados 16 does not export IoCtx::aio_stat2.
    librados::ObjectReadOperation op;
    CompletionPtr completion;
  };
  std::vector<Pending> pending(infos.size());
  Status status;
  size_t started = 0;
  for (; started < infos.size(); ++started) {
    Pending& p = pending[started];
    p.op.stat2(&infos[started].size, &p.mtime, &p.stat_rc);
    p.completion.reset(librados::Rados::aio_create_completion());
    int rc = io_.aio_operate(infos[started].key, p.completion.get(), &p.op, nullptr);
    if (rc < 0) {
      status = RadosStatus(rc, std::string(what) + ": stat " + infos[started].key);
      break;
    }
  }
  // Every started op writes into `pending` and `infos`: wait for all before anything is freed.
  for (size_t i = 0; i < started; ++i) pending[i].completion->wait_for_complete();
  REEL_RETURN_IF_ERROR(status);
  size_t kept = 0;
  for (size_t i = 0; i < infos.size(); ++i) {
    int rc = pending[i].completion->get_return_value();
    if (rc >= 0) rc = pending[i].stat_rc;
    if (rc == -ENOENT) continue;  // deleted since it was listed
    if (rc < 0) return RadosStatus(rc, std::string(what) + ": stat " + infos[i].key);
    infos[i].mtime_unix_ns = TimespecNs(pending[i].mtime);
    if (kept != i) infos[kept] = std::move(infos[i]);
    ++kept;
  }
  infos.resize(kept);
  return Status::Ok();
}

Status RadosStore::List(const std::string& prefix,
                        const std::function<bool(const ObjectInfo&)>& visit) {
  REEL_RETURN_IF_ERROR(ValidateObjectKeyPrefix(prefix));
  const std::string what = "list '" + prefix + "' in rados " + Where();
  // NObjectIterator (pages of the IoCtx's namespace) rather than object_list/ObjectCursor, whose
  // copies leak in librados 16. The iterator reports errors by throwing std::system_error.
  librados::NObjectIterator it;
  bool at_end = false;
  bool started = false;
  std::vector<ObjectInfo> batch;
  while (!at_end) {
    batch.clear();
    try {
      if (!started) {
        it = io_.nobjects_begin();
        started = true;
      }
      for (; it != io_.nobjects_end() && batch.size() < kListBatch; ++it) {
        const std::string& oid = it->get_oid();
        if (it->get_nspace() != config_.prefix || !oid.starts_with(prefix) ||
            !ValidateObjectKey(oid).ok()) {
          continue;
        }
        batch.push_back(ObjectInfo{.key = oid});
      }
      at_end = it == io_.nobjects_end();
    } catch (const std::system_error& e) {
      return RadosStatus(e.code().value(), what);
    }
    // Stat the batch in parallel, then visit it with nothing in flight.
    REEL_RETURN_IF_ERROR(StatBatch(batch, what));
    for (const ObjectInfo& info : batch) {
      if (!visit(info)) return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenRadosStore(const RadosConfig& config, std::string uri) {
  auto store = std::make_unique<RadosStore>(config, std::move(uri));
  REEL_RETURN_IF_ERROR(store->Connect());
  return std::unique_ptr<ObjectStore>(std::move(store));
}

}  // namespace reel
