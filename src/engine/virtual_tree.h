// The read-only version tree inside every mount:
//
//   <mount>/.reel/                       hidden from `ls` of the root, reachable by name
//   <mount>/.reel/versions/<dir path>/   mirrors the drive's directories
//   <mount>/.reel/versions/<file path>/  a directory listing the file's versions: 1, 2, 3, ...
//   <mount>/.reel/versions/<file path>/N the content of version N, read-only, readable in place
//
// Virtual inode numbers have bit 63 set, a 3-bit kind in bits 60-62 and a payload below; real
// inode numbers stay below 2^60. A version file packs the file's inode (40 bits) and the version
// number (20 bits), so versions above 1,048,575 are not reachable through this tree.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class Catalog;

inline constexpr char kReelDirName[] = ".reel";

class VirtualTree {
 public:
  explicit VirtualTree(Catalog* catalog) : catalog_(catalog) {}

  static bool IsVirtual(InodeId ino) { return (ino >> 63) != 0; }
  // The inode of "<mount>/.reel".
  static InodeId ReelDir();
  // For a version file inode: the real file and version number.
  static bool DecodeVersionFile(InodeId ino, InodeId* file, uint64_t* number);

  Result<Attributes> Lookup(InodeId parent, const std::string& name);
  Result<Attributes> GetAttributes(InodeId ino);
  Result<std::vector<DirEntry>> ReadDir(InodeId dir, uint64_t after, size_t limit);

 private:
  Result<Attributes> DirAttributes(InodeId vino, InodeId real);
  Result<Attributes> VersionFileAttributes(InodeId file, uint64_t number);
  Result<Attributes> MirrorOf(const Attributes& real);

  Catalog* catalog_;
};

}  // namespace reel
