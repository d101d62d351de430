#include "engine/extent_map.h"

#include <algorithm>

namespace reel {

void ExtentMap::Add(uint64_t start, uint64_t end) {
  if (start >= end) return;
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= start) {  // overlaps or touches the previous range
      start = prev->first;
      end = std::max(end, prev->second);
      it = ranges_.erase(prev);
    }
  }
  while (it != ranges_.end() && it->first <= end) {
    end = std::max(end, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(start, end);
}

void ExtentMap::Remove(uint64_t start, uint64_t end) {
  if (start >= end) return;
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin()) --it;
  while (it != ranges_.end() && it->first < end) {
    uint64_t s = it->first, e = it->second;
    if (e <= start) {
      ++it;
      continue;
    }
    it = ranges_.erase(it);
    if (s < start) ranges_.emplace(s, start);
    if (e > end) {
      ranges_.emplace(end, e);
      break;
    }
  }
}

void ExtentMap::TruncateAt(uint64_t offset) { Remove(offset, UINT64_MAX); }

bool ExtentMap::Intersects(uint64_t start, uint64_t end) const {
  if (start >= end) return false;
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin() && std::prev(it)->second > start) return true;
  return it != ranges_.end() && it->first < end;
}

void ExtentMap::Walk(uint64_t start, uint64_t end,
                     const std::function<void(uint64_t, uint64_t, bool)>& visit) const {
  uint64_t pos = start;
  auto it = ranges_.upper_bound(start);
  if (it != ranges_.begin() && std::prev(it)->second > start) --it;
  for (; it != ranges_.end() && pos < end; ++it) {
    uint64_t s = std::max(it->first, pos);
    uint64_t e = std::min(it->second, end);
    if (s >= end) break;
    if (s > pos) visit(pos, s, false);
    if (e > s) visit(s, e, true);
    pos = std::max(pos, e);
  }
  if (pos < end) visit(pos, end, false);
}

uint64_t ExtentMap::TotalBytes() const {
  uint64_t total = 0;
  for (const auto& [s, e] : ranges_) total += e - s;
  return total;
}

std::vector<std::pair<uint64_t, uint64_t>> ExtentMap::Ranges() const {
  return {ranges_.begin(), ranges_.end()};
}

}  // namespace reel
