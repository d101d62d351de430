// Reading and writing small TOML files (the drive manifest, server.toml): every error names the
// file, the line when known, the table and the key. Include only from .cc files: toml++ is heavy.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>
#include <string_view>

#include <toml++/toml.h>

#include "common/sizes.h"
#include "common/status.h"

namespace reel {

// Parses TOML text read from `path`; a syntax error is InvalidArgument "path:line:column: ...".
[[nodiscard]] Result<toml::table> ParseToml(std::string_view text, const std::string& path);

// A TOML basic string literal: "..." with escapes.
[[nodiscard]] std::string TomlQuote(std::string_view s);

class TomlReader {
 public:
  explicit TomlReader(std::string file) : file_(std::move(file)) {}

  Status Error(const toml::node* node, std::string_view table, std::string_view key,
               const std::string& msg) const {
    std::string where = file_;
    if (node != nullptr && node->source().begin.line > 0) {
      where += ":" + std::to_string(node->source().begin.line);
    }
    std::string k = std::string(table);
    if (!key.empty()) k += " " + std::string(key);
    return Status::InvalidArgument(where + ": " + k + ": " + msg);
  }

  Status CheckKeys(const toml::table& t, std::string_view table,
                   std::initializer_list<std::string_view> known) const {
    for (const auto& [k, v] : t) {
      bool found = false;
      for (auto name : known) found = found || k.str() == name;
      if (!found) {
        std::string list;
        for (auto name : known) list += (list.empty() ? "" : ", ") + std::string(name);
        return Error(&v, table, k.str(), "unknown key (known keys: " + list + ")");
      }
    }
    return Status::Ok();
  }

  // The sub-table `name` of the root, or nullptr when absent (error if not a table).
  Result<const toml::table*> Table(const toml::table& root, std::string_view name,
                                   bool required) const {
    const toml::node* n = root.get(name);
    if (n == nullptr) {
      if (required) return Error(nullptr, "[" + std::string(name) + "]", "", "missing table");
      return static_cast<const toml::table*>(nullptr);
    }
    if (!n->is_table()) {
      return Error(n, std::string(name), "", "must be a table ([" + std::string(name) + "])");
    }
    return n->as_table();
  }

  // Sets `out` if the key is present; errors if it is required and absent.
  Status String(const toml::table* t, std::string_view table, std::string_view key,
                std::string* out, bool required) const {
    const toml::node* n = t ? t->get(key) : nullptr;
    if (n == nullptr) {
      return required ? Error(nullptr, table, key, "missing (required)") : Status::Ok();
    }
    if (!n->is_string()) return Error(n, table, key, "must be a string");
    *out = n->as_string()->get();
    if (out->find('\0') != std::string::npos) return Error(n, table, key, "contains a NUL byte");
    return Status::Ok();
  }

  // Sets `out` if the key is present: an array of strings.
  Status Strings(const toml::table* t, std::string_view table, std::string_view key,
                 std::vector<std::string>* out) const {
    const toml::node* n = t ? t->get(key) : nullptr;
    if (n == nullptr) return Status::Ok();
    if (!n->is_array()) return Error(n, table, key, "must be an array of strings");
    std::vector<std::string> values;
    for (const toml::node& v : *n->as_array()) {
      if (!v.is_string()) return Error(&v, table, key, "must be an array of strings");
      values.push_back(v.as_string()->get());
      if (values.back().find('\0') != std::string::npos) {
        return Error(&v, table, key, "contains a NUL byte");
      }
    }
    *out = std::move(values);
    return Status::Ok();
  }

  // Sets `out` if the key is present.
  Status Bool(const toml::table* t, std::string_view table, std::string_view key,
              bool* out) const {
    const toml::node* n = t ? t->get(key) : nullptr;
    if (n == nullptr) return Status::Ok();
    if (!n->is_boolean()) return Error(n, table, key, "must be true or false");
    *out = n->as_boolean()->get();
    return Status::Ok();
  }

  Status Integer(const toml::table* t, std::string_view table, std::string_view key,
                 int64_t min, int64_t max, int64_t* out) const {
    const toml::node* n = t ? t->get(key) : nullptr;
    if (n == nullptr) return Status::Ok();
    if (!n->is_integer()) return Error(n, table, key, "must be an integer");
    int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      return Error(n, table, key,
                   std::to_string(v) + " is out of range [" + std::to_string(min) + ", " +
                       std::to_string(max) + "]");
    }
    *out = v;
    return Status::Ok();
  }

  template <typename T>
  Status Unsigned(const toml::table* t, std::string_view table, std::string_view key, T min,
                  T max, T* out) const {
    int64_t v = static_cast<int64_t>(*out);
    REEL_RETURN_IF_ERROR(Integer(t, table, key, static_cast<int64_t>(min),
                                 static_cast<int64_t>(max), &v));
    *out = static_cast<T>(v);
    return Status::Ok();
  }

  // A quantity written as an integer or as a string with a unit, e.g. a size or a duration.
  struct QuantityKind {
    const char* name;      // "size"
    const char* example;   // "a size such as \"64MiB\" or a number of bytes"
    Result<uint64_t> (*parse)(std::string_view);
    std::string (*format)(uint64_t);
  };

  Status Quantity(const toml::table* t, std::string_view table, std::string_view key,
                  uint64_t max, const QuantityKind& kind, uint64_t* out) const {
    const toml::node* n = t ? t->get(key) : nullptr;
    if (n == nullptr) return Status::Ok();
    uint64_t v = 0;
    if (n->is_integer()) {
      int64_t i = n->as_integer()->get();
      if (i < 0) return Error(n, table, key, std::string("a ") + kind.name + " cannot be negative");
      v = static_cast<uint64_t>(i);
    } else if (n->is_string()) {
      auto parsed = kind.parse(n->as_string()->get());
      if (!parsed.ok()) return Error(n, table, key, parsed.status().message());
      v = *parsed;
    } else {
      return Error(n, table, key, std::string("must be ") + kind.example);
    }
    if (v > max) {
      return Error(n, table, key,
                   kind.format(v) + " is too large (at most " + kind.format(max) + ")");
    }
    *out = v;
    return Status::Ok();
  }

  // A size: a string with an optional binary unit ("64MiB") or an integer number of bytes.
  Status Size(const toml::table* t, std::string_view table, std::string_view key, uint64_t max,
              uint64_t* out) const {
    static const QuantityKind kSize{"size", "a size such as \"64MiB\" or a number of bytes",
                                    &ParseSize, &FormatExactSize};
    return Quantity(t, table, key, max, kSize, out);
  }

  // A duration: a string with a unit ("1h") or an integer number of seconds.
  Status Duration(const toml::table* t, std::string_view table, std::string_view key,
                  uint64_t max, uint64_t* out) const {
    static const QuantityKind kDuration{
        "duration", "a duration such as \"1h\" or a number of seconds", &ParseDuration,
        &FormatDuration};
    return Quantity(t, table, key, max, kDuration, out);
  }

  Status Size32(const toml::table* t, std::string_view table, std::string_view key,
                uint32_t* out) const {
    uint64_t v = *out;
    REEL_RETURN_IF_ERROR(Size(t, table, key, UINT32_MAX, &v));
    *out = static_cast<uint32_t>(v);
    return Status::Ok();
  }

 protected:
  std::string file_;
};

}  // namespace reel
