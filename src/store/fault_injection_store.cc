#include "store/fault_injection_store.h"

namespace reel {
namespace {

size_t Index(FaultInjectionStore::Op op) { return static_cast<size_t>(op); }

}  // namespace

std::string_view FaultInjectionStore::OpName(Op op) {
  switch (op) {
    case Op::kPut: return "put";
    case Op::kGet: return "get";
    case Op::kGetRange: return "get_range";
    case Op::kHead: return "head";
    case Op::kDelete: return "delete";
    case Op::kList: return "list";
  }
  return "unknown";
}

void FaultInjectionStore::FailNext(Op op, int count, Status status, When when) {
  if (status.ok()) status = Status::Internal("FailNext called with an OK status");
  std::lock_guard lock(mu_);
  next_[Index(op)] = Armed{count > 0 ? count : 0, Fault{std::move(status), when}};
}

void FaultInjectionStore::FailPutsAfter(int puts_left, Status status, When when) {
  if (status.ok()) status = Status::Internal("FailPutsAfter called with an OK status");
  std::lock_guard lock(mu_);
  puts_countdown_armed_ = true;
  puts_left_ = puts_left > 0 ? puts_left : 0;
  puts_fault_ = Fault{std::move(status), when};
}

void FaultInjectionStore::ClearFaults() {
  {
    std::lock_guard lock(mu_);
    next_ = {};
    puts_countdown_armed_ = false;
    puts_left_ = 0;
    puts_fault_ = {};
    hold_puts_ = false;
  }
  held_cv_.notify_all();
}

uint64_t FaultInjectionStore::calls(Op op) const {
  std::lock_guard lock(mu_);
  return calls_[Index(op)];
}

uint64_t FaultInjectionStore::injected_failures(Op op) const {
  std::lock_guard lock(mu_);
  return injected_[Index(op)];
}

std::optional<FaultInjectionStore::Fault> FaultInjectionStore::Decide(Op op) {
  std::lock_guard lock(mu_);
  const size_t i = Index(op);
  ++calls_[i];
  if (next_[i].remaining > 0) {
    --next_[i].remaining;
    ++injected_[i];
    return next_[i].fault;
  }
  if (op == Op::kPut && puts_countdown_armed_) {
    if (puts_left_ > 0) {
      --puts_left_;
    } else {
      ++injected_[i];
      return puts_fault_;
    }
  }
  return std::nullopt;
}

Status FaultInjectionStore::Put(const std::string& key, std::span<const uint8_t> data) {
  return PutVia(key, [&] { return base_->Put(key, data); });
}

void FaultInjectionStore::HoldPuts(bool hold) {
  {
    std::lock_guard lock(mu_);
    hold_puts_ = hold;
  }
  held_cv_.notify_all();
}

bool FaultInjectionStore::WaitForHeldPut(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return held_cv_.wait_for(lock, timeout, [&] { return hold_puts_ && held_puts_ > 0; });
}

Status FaultInjectionStore::PutVia(const std::string& key, const std::function<Status()>& put) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  {
    std::unique_lock lock(mu_);
    if (hold_puts_) {
      ++held_puts_;
      held_cv_.notify_all();
      held_cv_.wait(lock, [&] { return !hold_puts_; });
      --held_puts_;
    }
  }
  std::optional<Fault> fault = Decide(Op::kPut);
  if (fault && fault->when == When::kBefore) return fault->status;
  Status s = put();
  return fault ? fault->status : s;
}

Status FaultInjectionStore::PutUnsynced(const std::string& key, std::span<const uint8_t> data) {
  return PutVia(key, [&] { return base_->PutUnsynced(key, data); });
}

Status FaultInjectionStore::PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                                           std::span<const HashedPart> parts) {
  return PutVia(key, [&] { return base_->PutHashedParts(key, data, parts); });
}

Result<std::vector<uint8_t>> FaultInjectionStore::Get(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::optional<Fault> fault = Decide(Op::kGet);
  if (fault && fault->when == When::kBefore) return fault->status;
  auto r = base_->Get(key);
  if (fault) return fault->status;
  return r;
}

Result<std::vector<uint8_t>> FaultInjectionStore::GetRange(const std::string& key,
                                                           uint64_t offset, uint64_t length) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::optional<Fault> fault = Decide(Op::kGetRange);
  if (fault && fault->when == When::kBefore) return fault->status;
  auto r = base_->GetRange(key, offset, length);
  if (fault) return fault->status;
  return r;
}

Result<uint64_t> FaultInjectionStore::GetRangeInto(const std::string& key, uint64_t offset,
                                                   std::span<const std::span<uint8_t>> into) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::optional<Fault> fault = Decide(Op::kGetRange);
  if (fault && fault->when == When::kBefore) return fault->status;
  auto r = base_->GetRangeInto(key, offset, into);
  if (fault) return fault->status;
  return r;
}

Result<ObjectInfo> FaultInjectionStore::Head(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::optional<Fault> fault = Decide(Op::kHead);
  if (fault && fault->when == When::kBefore) return fault->status;
  auto r = base_->Head(key);
  if (fault) return fault->status;
  return r;
}

Status FaultInjectionStore::Delete(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::optional<Fault> fault = Decide(Op::kDelete);
  if (fault && fault->when == When::kBefore) return fault->status;
  Status s = base_->Delete(key);
  return fault ? fault->status : s;
}

Status FaultInjectionStore::List(const std::string& prefix,
                                 const std::function<bool(const ObjectInfo&)>& visit) {
  REEL_RETURN_IF_ERROR(ValidateObjectKeyPrefix(prefix));
  std::optional<Fault> fault = Decide(Op::kList);
  if (fault && fault->when == When::kBefore) return fault->status;
  Status s = base_->List(prefix, visit);
  return fault ? fault->status : s;
}

}  // namespace reel
