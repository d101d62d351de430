// OpenObjectStore: picks the ObjectStore implementation by URI scheme.
#include <string_view>

#include "store/local_dir_store.h"
#include "store/memory_store.h"
#include "store/object_store.h"
#include "store/rados/rados_config.h"
#if REEL_WITH_RADOS
#include "store/rados/rados_store.h"
#endif
#include "store/s3/s3_store.h"

namespace reel {
namespace {

// file:///abs/dir -> LocalDirStore at /abs/dir. Only the empty host form is accepted
// ("file://host/dir" and "file://rel" are rejected as not absolute).
Result<std::unique_ptr<ObjectStore>> OpenFile(const std::string& uri, std::string_view rest) {
  if (rest.empty() || rest[0] != '/') {
    return Status::InvalidArgument("file:// store URI needs an absolute path (file:///abs/dir): '" +
                                   uri + "'");
  }
  REEL_ASSIGN_OR_RETURN(auto store, LocalDirStore::Open(std::string(rest)));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

// memory://NAME -> a new, empty MemoryStore. NAME is only a label (it shows in Uri()).
Result<std::unique_ptr<ObjectStore>> OpenMemory(const std::string& uri, std::string_view rest) {
  return std::unique_ptr<ObjectStore>(std::make_unique<MemoryStore>(std::string(rest)));
}

// rados://POOL/PREFIX?conf=...&id=...&create_pool=... -> RadosStore (see rados_config.h).
Result<std::unique_ptr<ObjectStore>> OpenRados(const std::string& uri, std::string_view rest) {
  REEL_ASSIGN_OR_RETURN(RadosConfig config, ParseRadosUri(uri));
#if REEL_WITH_RADOS
  return OpenRadosStore(config, uri);
#else
  return Status::NotSupported("rados:// stores need librados: this build has REEL_WITH_RADOS=OFF");
#endif
}

// s3://bucket/prefix?options -> S3Store (options and credentials: store/s3/s3_config.h).
Result<std::unique_ptr<ObjectStore>> OpenS3(const std::string& uri, std::string_view) {
  return OpenS3Store(uri);
}

struct Scheme {
  std::string_view prefix;  // including "://"
  std::string_view usage;   // shown in the error for unsupported URIs
  Result<std::unique_ptr<ObjectStore>> (*open)(const std::string& uri, std::string_view rest);
};

// The supported schemes. To add one (next: "s3://bucket/prefix" and "rados://pool/prefix"),
// write its Open function (parse the rest, read credentials from the config or environment,
// never from the URI kept by Uri()) and add a line here; the error message and the conformance
// suite's URI handling follow from this table.
constexpr Scheme kSchemes[] = {
    {"file://", "file:///abs/dir", &OpenFile},
    {"memory://", "memory://NAME", &OpenMemory},
    {"s3://", "s3://bucket/prefix?endpoint=...&region=...&path_style=true", &OpenS3},
    {"rados://", "rados://pool/prefix", &OpenRados},
};

std::string SupportedSchemes() {
  std::string out;
  for (const Scheme& s : kSchemes) {
    if (!out.empty()) out += ", ";
    out += s.usage;
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri) {
  std::string_view view(uri);
  for (const Scheme& s : kSchemes) {
    if (view.starts_with(s.prefix)) {
      return s.open(uri, view.substr(s.prefix.size()));
    }
  }
  // Do not echo the URI past its scheme: it might carry credentials.
  size_t colon = view.find(':');
  std::string shown(colon == std::string_view::npos ? view.substr(0, 32) : view.substr(0, colon));
  return Status::InvalidArgument("unsupported object store URI '" + shown +
                                 (colon == std::string_view::npos ? "'" : ":...'") +
                                 "; supported: " + SupportedSchemes());
}

}  // namespace reel
