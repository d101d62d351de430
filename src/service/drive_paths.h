// Paths inside a drive as front ends take them from outside (the control API, later the web
// app), and errors told in terms of them. The engine and the catalog work on inodes and say
// "inode 2 has no version 99"; a front end knows the path behind the inode, so what it answers
// names that path and says what to do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/types.h"
#include "common/names.h"
#include "common/status.h"

namespace reel {

class Engine;

// The inode at a validated `path`, or an error that names the path and says what to check.
[[nodiscard]] Result<InodeId> ResolveDrivePath(Engine& engine, const std::string& path);

// An error of a request on `path`, naming it (same code): an "inode N" at the start of the
// message is replaced by the path; a message that does not start with the path gets it as a
// prefix ("path: message"). A catalog's NotFound "no inode N" (the file the path led to went
// while the request ran: deleted, or replaced by a rename) says so.
[[nodiscard]] Status NameThePath(const Status& s, const std::string& path);

// The NotFound of a file version that does not exist, listing the ones that do ("1-4, 7").
[[nodiscard]] Status NoSuchVersion(const std::string& path, uint64_t number,
                                   const std::vector<VersionInfo>& versions);

}  // namespace reel
