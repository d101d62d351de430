// CreateAheadCatalog: creates at local speed, for every drive (a team mount's catalog is a server
// away; a single-user drive's create would otherwise be a write transaction of its own). A create
// takes an inode number the catalog reserved ahead (Catalog::ReserveInodes), is answered at once with the attributes the
// catalog will give it, is appended to a journal on this machine, and reaches the server with the
// creates made after it in one call (Catalog::CreateNodes, one transaction):
//   - before any other call that could see it or depend on it (every forwarded call but a lookup
//     or a getattr of something no held create touched), so the order of changes is kept;
//   - within kSendAfter in any case, by a thread of its own, so other machines see it soon;
//   - at Sync() (an fsync), and when the catalog closes.
// What the kernel asks right after a create (the new name, the new node's attributes and xattrs,
// its directory's attributes) is answered here, and those reads of anything else go straight to
// the catalog: no held create can change their answer. A directory's kept attributes are dropped
// after any call that may change a directory (its next getattr sends the creates first). The
// NotFound the kernel's lookup got just before a create is that create's check, unless a call
// that could make the name went through since. A crash of the instance loses no create it answered: the
// journal is sent again when the catalog opens (a create already recorded answers kExisting).
// What the server recorded differently (a name taken meanwhile by another machine, a directory
// removed meanwhile) is logged with the name the node got. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "catalog/catalog_wrapper.h"

namespace reel {

class CreateAheadCatalog final : public CatalogWrapper {
 public:
  static constexpr std::chrono::milliseconds kSendAfter{20};
  // As `send_after`: no sender thread at all (not even for a whole call's worth held): creates
  // are sent by Send() and at the end only (tests that send by hand).
  static constexpr std::chrono::milliseconds kSendByHand = std::chrono::milliseconds::max();
  // Creates sent in one call at the most.
  static constexpr size_t kBatch = 512;
  // Numbers reserved in one call.
  static constexpr uint32_t kReserve = 1024;
  // The journal is rewritten with only the held creates once it holds this many lines more.
  static constexpr size_t kCompactAfter = 4 * kBatch;
  // At most this many names are remembered as absent (all are forgotten when it is reached).
  static constexpr size_t kMaxAbsent = 1024;

  // `journal`: the file that holds the creates not yet recorded (created if missing, mode 0600);
  // what an earlier run left in it is sent first, and the open fails when that cannot be done.
  // `send_after`: how long a create may wait to be sent (kSendByHand: until Send()).
  [[nodiscard]] static Result<std::unique_ptr<CreateAheadCatalog>> Open(
      std::unique_ptr<Catalog> inner, std::string journal,
      std::chrono::milliseconds send_after = kSendAfter);
  ~CreateAheadCatalog() override;  // sends what it holds (kept in the journal if it cannot)

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override;
  Result<Attributes> GetAttributes(InodeId ino) override;
  // A held node has no xattrs yet (the kernel asks for security.capability before each write).
  Result<std::string> GetXattr(InodeId ino, const std::string& name) override;
  Result<std::vector<std::string>> ListXattrs(InodeId ino) override;
  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override;

  // Calls that change a directory's own attributes: a directory's attributes kept from the creates
  // in it are dropped after them (the next getattr sends the creates and asks the catalog).
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) override;
  Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                          TimeNs now) override;
  Result<UnlinkResult> Unlink(InodeId parent, const std::string& name, TimeNs now) override;
  Status RemoveDir(InodeId parent, const std::string& name, TimeNs now) override;
  Result<RenameResult> Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                              const std::string& new_name, RenameMode mode, TimeNs now) override;
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value, bool create_only,
                  bool replace_only) override;
  Status RemoveXattr(InodeId ino, const std::string& name) override;
  // keep-both's conflict copy is a new name in the file's directory.
  Result<VersionInfo> CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) override;
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent, const std::string& name,
                                      TimeNs now) override;

  // Sends every create held; OK once none is left.
  [[nodiscard]] Status Send();
  // Creates answered and not yet recorded by the catalog.
  [[nodiscard]] size_t Held();

 protected:
  Result<Catalog*> Target() override;

 private:
  CreateAheadCatalog(std::unique_ptr<Catalog> inner, std::string journal, int fd,
                     std::chrono::milliseconds send_after);
  // Forgets the attributes kept of directories that are not held themselves. mu_ not held.
  void DropKeptDirectories();
  // call(), then DropKeptDirectories(); returns what call() returned.
  template <typename Call>
  auto ThenDropKept(Call call);
  // Rewrites the journal with only the creates held_ has (a failure keeps it whole). mu_ held.
  void CompactJournal();
  // Appends `create` to the journal, whole or not at all. mu_ held.
  Status Journal(const NodeCreate& create);
  void RunSender();

  const std::string journal_path_;
  const std::chrono::milliseconds send_after_;
  std::mutex mu_;  // guards every member below
  std::condition_variable changed_;
  int journal_fd_;  // -1 when a compaction could not open the new one (the next create does)
  size_t journal_lines_ = 0;       // creates the journal holds (some may be recorded already)
  std::deque<InodeId> reserved_;   // numbers reserved and not used yet
  std::deque<NodeCreate> held_;    // answered, not recorded, in order (the first `sending_` in a call)
  size_t sending_ = 0;             // how many of held_ a call is sending now
  uint64_t made_ = 0;              // creates answered so far
  uint64_t recorded_ = 0;          // ... of which the catalog recorded (held_ has the others)
  std::map<std::pair<InodeId, std::string>, InodeId> names_;  // names held_ made
  std::unordered_map<InodeId, Attributes> attrs_;  // held nodes and the directories they changed
  std::unordered_map<InodeId, size_t> held_in_;    // directory -> how many of held_ are in it
  std::unordered_set<InodeId> held_inodes_;        // the nodes held_ made
  // Names the catalog answered NotFound for since the last forwarded call (which may have made
  // them): the kernel looks a name up just before creating it, so the create need not ask again.
  std::set<std::pair<InodeId, std::string>> absent_;
  uint64_t forwarded_ = 0;  // calls forwarded so far: a NotFound from before one is not kept
  bool stopping_ = false;
  std::thread sender_;
};

}  // namespace reel
