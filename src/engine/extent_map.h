// ExtentMap: a set of disjoint, non-adjacent byte ranges [start, end) — the parts of a file that
// were written since its last version.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

namespace reel {

class ExtentMap {
 public:
  // Adds [start, end), merging with overlapping or touching ranges.
  void Add(uint64_t start, uint64_t end);
  // Removes everything at or beyond `offset`.
  void TruncateAt(uint64_t offset);
  // Removes [start, end) (splitting a range when needed).
  void Remove(uint64_t start, uint64_t end);
  bool Intersects(uint64_t start, uint64_t end) const;
  // Visits [start, end) in order as runs of (run_start, run_end, inside_an_extent).
  void Walk(uint64_t start, uint64_t end,
            const std::function<void(uint64_t, uint64_t, bool)>& visit) const;
  bool empty() const { return ranges_.empty(); }
  void clear() { ranges_.clear(); }
  uint64_t TotalBytes() const;
  std::vector<std::pair<uint64_t, uint64_t>> Ranges() const;

 private:
  std::map<uint64_t, uint64_t> ranges_;  // start -> end
};

}  // namespace reel
