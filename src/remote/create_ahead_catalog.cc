#include "remote/create_ahead_catalog.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "catalog/catalog_txn.h"
#include "catalog_rpc/catalog_json.h"
#include "common/fs_util.h"
#include "common/names.h"

namespace reel {

namespace {

// errno's status (a full disk is NoSpace, as for any write).
Status JournalError(const std::string& path, const char* what) {
  return Status::FromErrno(errno, std::string(what) + " " + path);
}

// The creates a journal holds, in order. A last line without its newline is a write the crash
// cut short: that create was never answered, so it is left out.
Result<std::vector<NodeCreate>> ReadJournal(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(const std::string all, ReadWholeFile(path));
  std::vector<NodeCreate> out;
  size_t at = 0;
  while (at < all.size()) {
    const size_t end = all.find('\n', at);
    if (end == std::string::npos) break;
    try {
      out.push_back(nlohmann::json::parse(all.substr(at, end - at)).get<NodeCreate>());
    } catch (const std::exception& e) {
      return Status::Corruption(path + ": line " + std::to_string(out.size() + 1) +
                                " is not a create: " + e.what());
    }
    at = end + 1;
  }
  return out;
}

// One create as the journal holds it: a JSON line.
std::string JournalLine(const NodeCreate& create) { return nlohmann::json(create).dump() + "\n"; }

// The journal, open for this object's writes (it alone writes it, at the offsets it chooses).
int OpenJournal(const std::string& path) {
  return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

// Sends `creates` in calls of at most `batch` and logs what the catalog did differently.
Status Record(Catalog& catalog, const std::vector<NodeCreate>& creates, size_t batch) {
  for (size_t at = 0; at < creates.size(); at += batch) {
    const std::vector<NodeCreate> part(
        creates.begin() + static_cast<ptrdiff_t>(at),
        creates.begin() + static_cast<ptrdiff_t>(std::min(creates.size(), at + batch)));
    REEL_ASSIGN_OR_RETURN(std::vector<NodeCreated> done, catalog.CreateNodes(part));
    for (size_t i = 0; i < done.size() && i < part.size(); ++i) {
      if (done[i].outcome == CreateOutcome::kRenamed) {
        spdlog::warn("\"{}\" was created by another machine meanwhile: this machine's is \"{}\"",
                     part[i].name, done[i].name);
      } else if (done[i].outcome == CreateOutcome::kRefuge) {
        spdlog::warn("the directory of \"{}\" was removed meanwhile: it is \"{}\" in the top "
                     "folder",
                     part[i].name, done[i].name);
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<CreateAheadCatalog>> CreateAheadCatalog::Open(
    std::unique_ptr<Catalog> inner, std::string journal, std::chrono::milliseconds send_after) {
  const int fd = OpenJournal(journal);
  if (fd < 0) return JournalError(journal, "cannot open the create journal");
  Result<std::vector<NodeCreate>> left = ReadJournal(journal);
  Status sent = left.ok() ? Record(*inner, *left, kBatch) : left.status();
  if (sent.ok()) {
    if (!left->empty()) spdlog::info("{} creates left by the last run recorded", left->size());
    // Emptied even with no create in it: a line a crash cut short would run into the next one.
    if (::ftruncate(fd, 0) != 0) sent = JournalError(journal, "cannot empty");
  }
  if (!sent.ok()) {
    ::close(fd);
    return sent.WithContext("send the creates " + journal + " holds");
  }
  return std::unique_ptr<CreateAheadCatalog>(
      new CreateAheadCatalog(std::move(inner), std::move(journal), fd, send_after));
}

CreateAheadCatalog::CreateAheadCatalog(std::unique_ptr<Catalog> inner, std::string journal, int fd,
                                       std::chrono::milliseconds send_after)
    : CatalogWrapper(std::move(inner)),
      journal_path_(std::move(journal)),
      send_after_(send_after),
      journal_fd_(fd) {
  if (send_after_ != kSendByHand) sender_ = std::thread([this] { RunSender(); });
}

CreateAheadCatalog::~CreateAheadCatalog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (sender_.joinable()) sender_.join();
  if (Status s = Send(); !s.ok()) {
    spdlog::error("{} creates not recorded, kept in {} for the next mount: {}", Held(),
                  journal_path_, s.ToString());
  }
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

size_t CreateAheadCatalog::Held() {
  std::lock_guard<std::mutex> lock(mu_);
  return held_.size();
}

Result<Catalog*> CreateAheadCatalog::Target() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    absent_.clear();
    ++forwarded_;
  }
  REEL_RETURN_IF_ERROR(Send());
  return inner();
}

Result<Attributes> CreateAheadCatalog::Lookup(InodeId parent, const std::string& name) {
  uint64_t forwarded = 0;
  uint64_t recorded = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto n = names_.find({parent, name});
    if (n != names_.end()) return attrs_.at(n->second);
    forwarded = forwarded_;
    recorded = recorded_;
  }
  // Any other name is as the catalog has it (a held directory's are all held), but a directory
  // with creates held in it has the times and link count kept here: the catalog's are older
  // (a lookup after the kernel's entry expired would otherwise undo a create's new times).
  Result<Attributes> found = inner()->Lookup(parent, name);
  for (int again = 0; found.ok() && again < 3; ++again) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto kept = attrs_.find(found->ino); kept != attrs_.end()) return kept->second;
      if (recorded == recorded_) break;  // no creates recorded (and kept times dropped) meanwhile
      recorded = recorded_;
    }
    found = inner()->Lookup(parent, name);
  }
  if (found.status().code() == Code::kNotFound) {
    std::lock_guard<std::mutex> lock(mu_);
    if (forwarded == forwarded_) {
      if (absent_.size() >= kMaxAbsent) absent_.clear();
      absent_.emplace(parent, name);
    }
  }
  return found;
}

Result<Attributes> CreateAheadCatalog::GetAttributes(InodeId ino) {
  bool has_held = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto a = attrs_.find(ino);
    if (a != attrs_.end()) return a->second;
    has_held = held_in_.count(ino) > 0;
  }
  // A directory whose kept attributes were dropped while creates in it are held: the catalog
  // has them right once they are recorded.
  if (has_held) REEL_RETURN_IF_ERROR(Send());
  return inner()->GetAttributes(ino);
}

void CreateAheadCatalog::DropKeptDirectories() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto a = attrs_.begin(); a != attrs_.end();) {
    a = held_inodes_.count(a->first) > 0 ? std::next(a) : attrs_.erase(a);
  }
}

// Each forwards the call (the held creates go first) and then forgets the directories' kept
// attributes, which the call may have changed.
template <typename Call>
auto CreateAheadCatalog::ThenDropKept(Call call) {
  auto done = call();
  DropKeptDirectories();
  return done;
}

Result<Attributes> CreateAheadCatalog::SetAttributes(InodeId ino, const AttrUpdate& update,
                                                     TimeNs now) {
  return ThenDropKept([&] { return CatalogWrapper::SetAttributes(ino, update, now); });
}

Result<Attributes> CreateAheadCatalog::Link(InodeId ino, InodeId new_parent,
                                            const std::string& new_name, TimeNs now) {
  return ThenDropKept([&] { return CatalogWrapper::Link(ino, new_parent, new_name, now); });
}

Result<UnlinkResult> CreateAheadCatalog::Unlink(InodeId parent, const std::string& name,
                                                TimeNs now) {
  return ThenDropKept([&] { return CatalogWrapper::Unlink(parent, name, now); });
}

Status CreateAheadCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  return ThenDropKept([&] { return CatalogWrapper::RemoveDir(parent, name, now); });
}

Result<RenameResult> CreateAheadCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                                InodeId new_parent, const std::string& new_name,
                                                RenameMode mode, TimeNs now) {
  return ThenDropKept([&] {
    return CatalogWrapper::Rename(old_parent, old_name, new_parent, new_name, mode, now);
  });
}

Status CreateAheadCatalog::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                                    bool create_only, bool replace_only) {
  return ThenDropKept(
      [&] { return CatalogWrapper::SetXattr(ino, name, value, create_only, replace_only); });
}

Status CreateAheadCatalog::RemoveXattr(InodeId ino, const std::string& name) {
  return ThenDropKept([&] { return CatalogWrapper::RemoveXattr(ino, name); });
}

Result<VersionInfo> CreateAheadCatalog::CommitVersion(InodeId ino, const NewVersion& v,
                                                      TimeNs now) {
  return ThenDropKept([&] { return CatalogWrapper::CommitVersion(ino, v, now); });
}

Result<Attributes> CreateAheadCatalog::RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                                        const std::string& name, TimeNs now) {
  return ThenDropKept(
      [&] { return CatalogWrapper::RestoreFromTrash(trash_id, parent, name, now); });
}

Result<std::string> CreateAheadCatalog::GetXattr(InodeId ino, const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (held_inodes_.count(ino) > 0) return Status(Code::kNoData, "no xattr \"" + name + "\"");
  }
  return inner()->GetXattr(ino, name);
}

Result<std::vector<std::string>> CreateAheadCatalog::ListXattrs(InodeId ino) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (held_inodes_.count(ino) > 0) return std::vector<std::string>();
  }
  return inner()->ListXattrs(ino);
}

Result<Attributes> CreateAheadCatalog::CreateNode(InodeId parent, const std::string& name,
                                                  const NewNode& node, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  REEL_RETURN_IF_ERROR(CheckNewNode(node));
  // Both are kept: the kernel looked the name up just before.
  REEL_ASSIGN_OR_RETURN(Attributes dir, GetAttributes(parent));
  REEL_RETURN_IF_ERROR(CheckDirectory(dir));
  bool known_absent = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    known_absent = absent_.count({parent, name}) > 0;
  }
  if (!known_absent) {
    Result<Attributes> there = Lookup(parent, name);
    if (there.ok()) return Status::AlreadyExists("\"" + name + "\" exists");
    if (there.status().code() != Code::kNotFound) return there.status();
  }
  bool numbered = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    numbered = !reserved_.empty();
  }
  if (!numbered) {
    REEL_ASSIGN_OR_RETURN(std::vector<InodeId> more, inner()->ReserveInodes(kReserve));
    std::lock_guard<std::mutex> lock(mu_);
    reserved_.insert(reserved_.end(), more.begin(), more.end());
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (names_.count({parent, name}) > 0) return Status::AlreadyExists("\"" + name + "\" exists");
  if (reserved_.empty()) return Status::Unavailable("no inode number reserved");
  if (auto held_dir = attrs_.find(parent); held_dir != attrs_.end()) dir = held_dir->second;
  NodeCreate c{reserved_.front(), parent, name, node, now, 0};
  Attributes attr = NewNodeAttributes(dir, node, now);
  attr.ino = c.ino;
  REEL_RETURN_IF_ERROR(Journal(c));
  reserved_.pop_front();
  ++made_;
  names_[{parent, name}] = c.ino;
  absent_.erase({parent, name});
  held_inodes_.insert(c.ino);
  ++held_in_[parent];
  attrs_[c.ino] = attr;
  dir.mtime = dir.ctime = now;
  if (attr.type == FileType::kDirectory) ++dir.nlink;
  attrs_[parent] = dir;
  held_.push_back(std::move(c));
  // The sender waits for the first create it has not sent, then for a whole call's worth (or
  // send_after_): waking it for every create in between would cost a thread switch per create.
  const size_t unsent = held_.size() - sending_;
  if (unsent == 1 || unsent == kBatch) changed_.notify_all();
  return attr;
}

Status CreateAheadCatalog::Journal(const NodeCreate& create) {
  if (journal_fd_ < 0 && (journal_fd_ = OpenJournal(journal_path_)) < 0) {
    return JournalError(journal_path_, "cannot open");
  }
  const std::string line = JournalLine(create);
  const off_t before = ::lseek(journal_fd_, 0, SEEK_END);
  if (before < 0) return JournalError(journal_path_, "cannot write to");
  if (Status s = PwriteFull(journal_fd_, line.data(), line.size(), static_cast<uint64_t>(before));
      !s.ok()) {
    if (::ftruncate(journal_fd_, before) != 0) {
      spdlog::error("{}: a create cut short is left in it", journal_path_);
    }
    return s.WithContext("cannot write to " + journal_path_);
  }
  ++journal_lines_;
  return Status::Ok();
}

void CreateAheadCatalog::CompactJournal() {
  std::string text;
  for (const NodeCreate& c : held_) text += JournalLine(c);
  // Replaced whole: a crash leaves the old journal (a superset) or this one. As durable as the
  // appends (a crash of the process, not of the machine).
  if (Status s = WriteFileAtomic(journal_path_, text, 0600, Durability::kAtomicOnly); !s.ok()) {
    spdlog::warn("cannot compact {} (kept whole): {}", journal_path_, s.ToString());
    return;
  }
  // The old descriptor is of the file replaced: the next create opens the new one.
  ::close(journal_fd_);
  journal_fd_ = OpenJournal(journal_path_);
  journal_lines_ = held_.size();
}

Status CreateAheadCatalog::Send() {
  std::unique_lock<std::mutex> lock(mu_);
  // Every create answered before this call is recorded when it returns OK.
  const uint64_t goal = made_;
  while (recorded_ < goal) {
    if (sending_ > 0) {  // another thread's call: its creates came first
      changed_.wait(lock, [&] { return sending_ == 0; });
      continue;
    }
    const size_t n = std::min(held_.size(), kBatch);
    std::vector<NodeCreate> batch(held_.begin(), held_.begin() + static_cast<ptrdiff_t>(n));
    sending_ = n;
    lock.unlock();
    Status sent = Record(*inner(), batch, kBatch);
    lock.lock();
    sending_ = 0;
    if (sent.ok()) {
      for (const NodeCreate& c : batch) {
        names_.erase({c.parent, c.name});
        held_inodes_.erase(c.ino);
        attrs_.erase(c.ino);
        if (auto in = held_in_.find(c.parent); in != held_in_.end() && --in->second == 0) {
          held_in_.erase(in);
        }
      }
      held_.erase(held_.begin(), held_.begin() + static_cast<ptrdiff_t>(n));
      recorded_ += n;
      if (held_.empty()) {
        attrs_.clear();  // the directories the creates changed: the catalog has them now
        if (::ftruncate(journal_fd_, 0) == 0) {
          journal_lines_ = 0;
        } else {
          spdlog::warn("cannot empty {}: {}", journal_path_, std::strerror(errno));
        }
      } else if (journal_lines_ >= held_.size() + kCompactAfter) {
        // Creates never stop (a render farm): keep the journal to what is still held.
        CompactJournal();
      }
    }
    changed_.notify_all();
    if (!sent.ok()) return sent;
  }
  return Status::Ok();
}

void CreateAheadCatalog::RunSender() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    changed_.wait(lock, [&] { return stopping_ || held_.size() > sending_; });
    if (stopping_) break;
    // A create waits send_after_ at the most, or until a whole call's worth is held.
    changed_.wait_for(lock, send_after_,
                      [&] { return stopping_ || held_.size() >= sending_ + kBatch; });
    lock.unlock();
    Status sent = Send();
    lock.lock();
    if (!sent.ok()) {
      spdlog::warn("{} creates not recorded yet (tried again in 1 s): {}", held_.size(),
                   sent.ToString());
      changed_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  }
}

}  // namespace reel
