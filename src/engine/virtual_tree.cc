#include "engine/virtual_tree.h"

#include <charconv>

#include "catalog/catalog.h"

namespace reel {
namespace {

enum Kind : uint64_t { kReel = 1, kDirMirror = 2, kFileVersions = 3, kVersionFile = 4 };
constexpr uint64_t kVirtualBit = 1ull << 63;
constexpr uint64_t kPayloadMask = (1ull << 60) - 1;
constexpr uint64_t kFileBits = 40;
constexpr uint64_t kMaxVersionInTree = (1ull << 20) - 1;

InodeId Make(Kind kind, uint64_t payload) { return kVirtualBit | (uint64_t{kind} << 60) | payload; }
Kind KindOf(InodeId ino) { return static_cast<Kind>((ino >> 60) & 7); }
uint64_t PayloadOf(InodeId ino) { return ino & kPayloadMask; }

Status ReadOnlyTreeNotFound() { return Status::NotFound("no such entry in the version tree"); }

}  // namespace

InodeId VirtualTree::ReelDir() { return Make(kReel, 0); }

bool VirtualTree::DecodeVersionFile(InodeId ino, InodeId* file, uint64_t* number) {
  if (!IsVirtual(ino) || KindOf(ino) != kVersionFile) return false;
  *file = PayloadOf(ino) & ((1ull << kFileBits) - 1);
  *number = PayloadOf(ino) >> kFileBits;
  return true;
}

Result<Attributes> VirtualTree::DirAttributes(InodeId vino, InodeId real) {
  REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->GetAttributes(real));
  a.ino = vino;
  a.type = FileType::kDirectory;
  a.mode = 0555;
  a.nlink = 2;
  a.size = 0;
  a.version = 0;
  return a;
}

Result<Attributes> VirtualTree::MirrorOf(const Attributes& real) {
  if (real.type == FileType::kDirectory) return DirAttributes(Make(kDirMirror, real.ino), real.ino);
  if (real.type == FileType::kRegular) return DirAttributes(Make(kFileVersions, real.ino), real.ino);
  return ReadOnlyTreeNotFound();
}

Result<Attributes> VirtualTree::VersionFileAttributes(InodeId file, uint64_t number) {
  REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->GetAttributes(file));
  REEL_ASSIGN_OR_RETURN(Version v, catalog_->GetVersion(file, number));
  a.ino = Make(kVersionFile, file | (number << kFileBits));
  a.mode = 0444;
  a.nlink = 1;
  a.size = v.info.size;
  a.mtime = a.ctime = a.atime = v.info.created;
  a.version = number;
  return a;
}

Result<Attributes> VirtualTree::Lookup(InodeId parent, const std::string& name) {
  if (!IsVirtual(parent)) {
    if (parent == kRootInode && name == kReelDirName) return GetAttributes(ReelDir());
    return ReadOnlyTreeNotFound();
  }
  switch (KindOf(parent)) {
    case kReel:
      if (name == "versions") return DirAttributes(Make(kDirMirror, kRootInode), kRootInode);
      return ReadOnlyTreeNotFound();
    case kDirMirror: {
      REEL_ASSIGN_OR_RETURN(Attributes real, catalog_->Lookup(PayloadOf(parent), name));
      return MirrorOf(real);
    }
    case kFileVersions: {
      uint64_t number = 0;
      auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), number);
      if (ec != std::errc() || end != name.data() + name.size() || number == 0 ||
          number > kMaxVersionInTree || name[0] == '0') {
        return ReadOnlyTreeNotFound();
      }
      return VersionFileAttributes(PayloadOf(parent), number);
    }
    default:
      return Status::NotDirectory("not a directory");
  }
}

Result<Attributes> VirtualTree::GetAttributes(InodeId ino) {
  switch (KindOf(ino)) {
    case kReel: return DirAttributes(ino, kRootInode);
    case kDirMirror:
    case kFileVersions: return DirAttributes(ino, PayloadOf(ino));
    case kVersionFile: {
      InodeId file = 0;
      uint64_t number = 0;
      DecodeVersionFile(ino, &file, &number);
      return VersionFileAttributes(file, number);
    }
  }
  return ReadOnlyTreeNotFound();
}

Result<std::vector<DirEntry>> VirtualTree::ReadDir(InodeId dir, uint64_t after, size_t limit) {
  std::vector<DirEntry> out;
  switch (KindOf(dir)) {
    case kReel: {
      if (after == 0) {
        REEL_ASSIGN_OR_RETURN(Attributes a, Lookup(dir, "versions"));
        out.push_back(DirEntry{"versions", a, 1});
      }
      return out;
    }
    case kDirMirror: {
      // Pages through the real directory, skipping what has no versions view (symlinks).
      uint64_t cookie = after;
      while (out.size() < limit) {
        REEL_ASSIGN_OR_RETURN(auto real, catalog_->ReadDir(PayloadOf(dir), cookie, limit));
        if (real.empty()) break;
        for (auto& e : real) {
          cookie = e.cookie;
          auto mirror = MirrorOf(e.attr);
          if (mirror.ok()) out.push_back(DirEntry{e.name, *mirror, e.cookie});
        }
      }
      return out;
    }
    case kFileVersions: {
      InodeId file = PayloadOf(dir);
      REEL_ASSIGN_OR_RETURN(auto versions, catalog_->ListVersions(file));
      for (const auto& v : versions) {
        if (v.number <= after || v.number > kMaxVersionInTree) continue;
        if (out.size() >= limit) break;
        REEL_ASSIGN_OR_RETURN(Attributes a, VersionFileAttributes(file, v.number));
        out.push_back(DirEntry{std::to_string(v.number), a, v.number});
      }
      return out;
    }
    default:
      return Status::NotDirectory("not a directory");
  }
}

}  // namespace reel
