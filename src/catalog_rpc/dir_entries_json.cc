#include "catalog_rpc/dir_entries_json.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "catalog_rpc/catalog_json.h"

namespace reel {

using nlohmann::json;

namespace {

template <typename T>
void AppendNumber(std::string& out, std::string_view key, T value) {
  out += '"';
  out += key;
  out += "\":";
  std::array<char, 24> digits;
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), end);
}

void AppendString(std::string& out, std::string_view key, std::string_view value) {
  out += '"';
  out += key;
  out += "\":\"";
  out += value;  // only values with nothing to escape (a file type, an ISO time)
  out += '"';
}

void AppendAttributes(std::string& out, const Attributes& a) {
  const std::pair<std::string_view, uint64_t> counts[] = {
      {"ino", a.ino},     {"mode", a.mode}, {"uid", a.uid},         {"gid", a.gid},
      {"nlink", a.nlink}, {"size", a.size}, {"version", a.version}, {"rdev", a.rdev}};
  const std::pair<std::string_view, TimeNs> times[] = {
      {"atime_ns", a.atime}, {"mtime_ns", a.mtime}, {"ctime_ns", a.ctime}};
  out += "\"attr\":{";
  for (const auto& [key, value] : counts) {
    AppendNumber(out, key, value);
    out += ',';
  }
  for (const auto& [key, value] : times) {
    AppendNumber(out, key, value);
    out += ',';
  }
  AppendString(out, "mtime", FormatIsoUtc(a.mtime));
  out += ',';
  AppendString(out, "type", FileTypeName(a.type));
  out += '}';
}

// The fields of an entry and of its attributes, one bit each, to tell a whole one.
enum Field : uint32_t {
  kIno = 1u << 0,
  kType = 1u << 1,
  kMode = 1u << 2,
  kUid = 1u << 3,
  kGid = 1u << 4,
  kNlink = 1u << 5,
  kSize = 1u << 6,
  kAtime = 1u << 7,
  kMtime = 1u << 8,
  kCtime = 1u << 9,
  kVersion = 1u << 10,
  kAllAttributes = (1u << 11) - 1,
  kName = 1u << 11,
  kAttr = 1u << 12,
  kCookie = 1u << 13,
  kWholeEntry = kName | kAttr | kCookie,
};

// Reads {"entries":[{"attr":{...},"cookie":N,"name":"..."},...]} as nlohmann's parser goes
// (its SAX interface): any event outside that shape stops it, and the caller reads the answer
// as a document instead.
class EntriesReader {
 public:
  std::vector<DirEntry> entries;
  bool Done() const { return where_ == Where::kDone && listed_; }

  bool null() { return false; }
  bool boolean(bool) { return false; }
  bool number_float(json::number_float_t, const json::string_t&) { return false; }
  bool binary(json::binary_t&) { return false; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

  bool start_object(std::size_t) {
    switch (where_) {
      case Where::kNone:
        where_ = Where::kTop;
        return true;
      case Where::kEntries:
        where_ = Where::kEntry;
        entry_ = DirEntry{};
        seen_ = 0;
        return true;
      case Where::kEntry:
        if (key_ != "attr" || (seen_ & kAttr) != 0) return false;  // a second one: as a document
        where_ = Where::kAttr;
        return true;
      default:
        return false;
    }
  }

  bool end_object() {
    switch (where_) {
      case Where::kAttr:
        if ((seen_ & kAllAttributes) != kAllAttributes) return false;
        seen_ |= kAttr;
        where_ = Where::kEntry;
        return true;
      case Where::kEntry:
        if ((seen_ & kWholeEntry) != kWholeEntry) return false;
        entries.push_back(std::move(entry_));
        where_ = Where::kEntries;
        return true;
      case Where::kTop:
        where_ = Where::kDone;
        return true;
      default:
        return false;
    }
  }

  bool start_array(std::size_t) {
    if (where_ != Where::kTop || key_ != "entries" || listed_) return false;
    where_ = Where::kEntries;
    return true;
  }

  bool end_array() {
    if (where_ != Where::kEntries) return false;
    listed_ = true;
    where_ = Where::kTop;
    return true;
  }

  bool key(json::string_t& k) {
    key_ = k;
    return where_ == Where::kTop ? key_ == "entries" : true;
  }

  bool string(json::string_t& s) {
    if (where_ == Where::kEntry && key_ == "name") {
      entry_.name = std::move(s);
      seen_ |= kName;
      return true;
    }
    if (where_ != Where::kAttr) return false;
    if (key_ == "mtime") return true;  // the readable form of mtime_ns
    if (key_ != "type") return false;
    const std::optional<FileType> type = FileTypeFromName(s);
    if (!type) return false;
    entry_.attr.type = *type;
    seen_ |= kType;
    return true;
  }

  bool number_integer(json::number_integer_t v) {  // negative: only times may be
    return where_ == Where::kAttr && Time(v);
  }

  bool number_unsigned(json::number_unsigned_t v) {
    if (where_ == Where::kEntry) {
      if (key_ != "cookie") return false;
      entry_.cookie = v;
      seen_ |= kCookie;
      return true;
    }
    if (where_ != Where::kAttr) return false;
    Attributes& a = entry_.attr;
    if (key_ == "ino") return Set(a.ino, v, kIno);
    if (key_ == "mode") return Set(a.mode, v, kMode);
    if (key_ == "uid") return Set(a.uid, v, kUid);
    if (key_ == "gid") return Set(a.gid, v, kGid);
    if (key_ == "nlink") return Set(a.nlink, v, kNlink);
    if (key_ == "size") return Set(a.size, v, kSize);
    if (key_ == "version") return Set(a.version, v, kVersion);
    if (key_ == "rdev") return Set(a.rdev, v, 0);
    return Time(static_cast<json::number_integer_t>(v));
  }

 private:
  enum class Where { kNone, kTop, kEntries, kEntry, kAttr, kDone };

  template <typename T, typename V>
  bool Set(T& field, V v, uint32_t bit) {
    field = static_cast<T>(v);  // as from_json's get_to
    seen_ |= bit;
    return true;
  }

  bool Time(json::number_integer_t v) {
    Attributes& a = entry_.attr;
    if (key_ == "atime_ns") return Set(a.atime, v, kAtime);
    if (key_ == "mtime_ns") return Set(a.mtime, v, kMtime);
    if (key_ == "ctime_ns") return Set(a.ctime, v, kCtime);
    return false;
  }

  Where where_ = Where::kNone;
  bool listed_ = false;
  std::string key_;
  DirEntry entry_;
  uint32_t seen_ = 0;
};

}  // namespace

std::string DirEntriesJson(const std::vector<DirEntry>& entries) {
  std::string out;
  out.reserve(64 + entries.size() * 320);
  out += "{\"entries\":[";
  for (size_t i = 0; i < entries.size(); ++i) {
    const DirEntry& e = entries[i];
    if (i > 0) out += ',';
    out += '{';
    AppendAttributes(out, e.attr);
    out += ',';
    AppendNumber(out, "cookie", e.cookie);
    out += ",\"name\":";
    // A name is bytes: nlohmann writes the string (escaped) or its {"hex": ...} form.
    out += BytesJson(e.name).dump();
    out += '}';
  }
  out += "]}";
  return out;
}

std::vector<DirEntry> DirEntriesFromJson(std::string_view text) {
  EntriesReader reader;
  if (json::sax_parse(text.begin(), text.end(), &reader) && reader.Done()) {
    return std::move(reader.entries);
  }
  return json::parse(text.begin(), text.end()).at("entries").get<std::vector<DirEntry>>();
}

}  // namespace reel
