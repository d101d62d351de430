// The readdir answer written and read in one pass (catalog_rpc/dir_entries_json.h) against the
// document codec of catalog_json.h: the same JSON both ways, for every kind of name and value.
#include "catalog_rpc/dir_entries_json.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog_rpc/catalog_json.h"
#include "http/json_error.h"

namespace reel {
namespace {

using nlohmann::json;

DirEntry Entry(std::string name, FileType type, uint64_t cookie) {
  DirEntry e;
  e.name = std::move(name);
  e.cookie = cookie;
  Attributes& a = e.attr;
  a.ino = 1000 + cookie;
  a.type = type;
  a.mode = 0644 + cookie % 7;
  a.uid = 1001;
  a.gid = 4294967295u;
  a.nlink = type == FileType::kDirectory ? 3 : 1;
  a.size = (uint64_t{1} << 40) + cookie;
  a.atime = 1796501863433571761 + static_cast<TimeNs>(cookie);
  a.mtime = -1500000000123456789;  // before 1970
  a.ctime = 0;
  a.version = cookie % 3;
  a.rdev = type == FileType::kCharDevice ? 0x0501 : 0;
  return e;
}

std::vector<DirEntry> Sample() {
  return {Entry("shot_010.exr", FileType::kRegular, 1),
          Entry("plates", FileType::kDirectory, 2),
          Entry("quote\"back\\slash\ttab\x01", FileType::kSymlink, 3),
          Entry("caf\xc3\xa9 \xe6\x98\xa0\xe5\x83\x8f \xf0\x9f\x8e\xac", FileType::kFifo, 4),
          Entry(std::string("not utf-8 \xff\xfe", 12), FileType::kCharDevice, 5),
          Entry("sock", FileType::kSocket, 6),
          Entry("blk", FileType::kBlockDevice, 7)};
}

json Document(const std::vector<DirEntry>& entries) { return json{{"entries", entries}}; }

TEST(DirEntriesJsonTest, WritesWhatTheDocumentCodecWrites) {
  const std::vector<DirEntry> entries = Sample();
  EXPECT_EQ(json::parse(DirEntriesJson(entries)), Document(entries));
  EXPECT_EQ(json::parse(DirEntriesJson({})), json({{"entries", json::array()}}));
}

TEST(DirEntriesJsonTest, ReadsWhatEitherSideWrites) {
  const std::vector<DirEntry> entries = Sample();
  for (const std::string& text : {DirEntriesJson(entries), Document(entries).dump(),
                                  Document(entries).dump(2)}) {
    const std::vector<DirEntry> read = DirEntriesFromJson(text);
    EXPECT_EQ(json(read), json(entries)) << text.substr(0, 200);
  }
  EXPECT_TRUE(DirEntriesFromJson(R"({"entries":[]})").empty());
}

TEST(DirEntriesJsonTest, ValuesOfAnotherShapeAreReadAsTheDocumentCodecReadsThem) {
  json doc = Document({Entry("a", FileType::kRegular, 1)});
  // Fields in another order, an unknown field, no rdev (optional), a whole-number float.
  json& attr = doc["entries"][0]["attr"];
  attr.erase("rdev");
  attr["future_field"] = json::array({1, 2});
  attr["size"] = 42.0;
  doc["also"] = "ignored";
  const std::vector<DirEntry> read = DirEntriesFromJson(doc.dump());
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(json(read), json(doc.at("entries").get<std::vector<DirEntry>>()));
  EXPECT_EQ(read[0].attr.size, 42u);
  EXPECT_EQ(read[0].attr.rdev, 0u);
}

TEST(DirEntriesJsonTest, MalformedAnswersThrowAsTheDocumentCodecDoes) {
  const json good = Document({Entry("a", FileType::kRegular, 1)});
  std::vector<std::string> bad = {"", "{", "[]", "null", R"({"entries":{}})", R"({})",
                                  good.dump() + "x"};
  for (const char* field : {"ino", "type", "mode", "uid", "gid", "nlink", "size", "atime_ns",
                            "mtime_ns", "ctime_ns", "version"}) {
    json missing = good;
    missing["entries"][0]["attr"].erase(field);
    bad.push_back(missing.dump());
  }
  for (const char* field : {"name", "attr", "cookie"}) {
    json missing = good;
    missing["entries"][0].erase(field);
    bad.push_back(missing.dump());
  }
  json wrong_type = good;
  wrong_type["entries"][0]["attr"]["type"] = "tape";
  bad.push_back(wrong_type.dump());
  json string_ino = good;
  string_ino["entries"][0]["attr"]["ino"] = "12";
  bad.push_back(string_ino.dump());
  json bad_hex = good;
  bad_hex["entries"][0]["name"] = json{{"hex", "zz"}};
  bad.push_back(bad_hex.dump());
  // A second "attr" replaces the first, as in a document: an empty one lacks every field.
  std::string twice = good.dump();
  twice.replace(twice.find("\"cookie\""), 0, "\"attr\":{},");
  bad.push_back(twice);
  for (const std::string& text : bad) {
    EXPECT_ANY_THROW((void)DirEntriesFromJson(text)) << text;
  }
}

TEST(WrittenJsonTest, IsWrittenOutAsItIs) {
  const std::string text = DirEntriesJson(Sample());
  EXPECT_EQ(DumpJson(WrittenJson(text)), text);
  // Binary values of other subtypes are still JSON documents' values.
  EXPECT_NE(DumpJson(json::binary({1, 2, 3}, 7)), "\x01\x02\x03");
}

}  // namespace
}  // namespace reel
