#include "store/s3/s3_xml.h"

#include <tinyxml2.h>

#include <charconv>
#include <cstdio>
#include <ctime>

namespace reel::s3 {
namespace {

std::string ChildText(const tinyxml2::XMLElement* parent, const char* name) {
  const tinyxml2::XMLElement* e = parent->FirstChildElement(name);
  const char* text = e != nullptr ? e->GetText() : nullptr;
  return text != nullptr ? text : "";
}

Result<const tinyxml2::XMLElement*> Root(tinyxml2::XMLDocument& doc, std::string_view xml,
                                         const char* expected) {
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    return Status::Corruption(std::string("s3: unparseable XML where ") + expected + " was expected");
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::string_view(root->Name()) != expected) {
    return Status::Corruption(std::string("s3: XML reply is not a ") + expected);
  }
  return root;
}

void AppendEscaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
}

}  // namespace

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  tinyxml2::XMLDocument doc;
  REEL_ASSIGN_OR_RETURN(const tinyxml2::XMLElement* root, Root(doc, xml, "ListBucketResult"));
  ListPage page;
  page.truncated = ChildText(root, "IsTruncated") == "true";
  page.next_continuation_token = ChildText(root, "NextContinuationToken");
  for (const tinyxml2::XMLElement* c = root->FirstChildElement("Contents"); c != nullptr;
       c = c->NextSiblingElement("Contents")) {
    ListedObject obj;
    obj.key = ChildText(c, "Key");
    std::string size = ChildText(c, "Size");
    auto [ptr, ec] = std::from_chars(size.data(), size.data() + size.size(), obj.size);
    if (obj.key.empty() || ec != std::errc() || ptr != size.data() + size.size()) {
      return Status::Corruption("s3: ListObjectsV2 entry without a key or size");
    }
    obj.mtime_unix_ns = ParseIso8601(ChildText(c, "LastModified"));
    page.objects.push_back(std::move(obj));
  }
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status::Corruption("s3: truncated ListObjectsV2 page without a continuation token");
  }
  return page;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view xml) {
  tinyxml2::XMLDocument doc;
  REEL_ASSIGN_OR_RETURN(const tinyxml2::XMLElement* root,
                        Root(doc, xml, "InitiateMultipartUploadResult"));
  std::string id = ChildText(root, "UploadId");
  if (id.empty()) return Status::Corruption("s3: InitiateMultipartUploadResult without UploadId");
  return id;
}

S3ErrorBody ParseS3Error(std::string_view xml) {
  tinyxml2::XMLDocument doc;
  auto root = Root(doc, xml, "Error");
  if (!root.ok()) return {};
  return {ChildText(*root, "Code"), ChildText(*root, "Message")};
}

std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts) {
  std::string out = "<CompleteMultipartUpload>";
  for (const CompletedPart& p : parts) {
    out += "<Part><PartNumber>" + std::to_string(p.number) + "</PartNumber><ETag>";
    AppendEscaped(out, p.etag);
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

int64_t ParseIso8601(std::string_view text) {
  std::tm tm{};
  int frac_start = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac_start) != 6) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t secs = ::timegm(&tm);
  if (secs < 0) return 0;
  int64_t ns = 0;
  size_t i = static_cast<size_t>(frac_start);
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100'000'000;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) ns += (s[i] - '0') * scale;
  }
  return static_cast<int64_t>(secs) * 1'000'000'000 + ns;
}

}  // namespace reel::s3
