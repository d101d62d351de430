#include "engine_test_util.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "catalog/catalog.h"
#include "store/object_store.h"

namespace reel::testing {

void EngineTest::SetUp() {
  char tmpl[] = "/tmp/reel-engine-XXXXXX";
  dir_ = ::mkdtemp(tmpl);
  options_.staging_dir = dir_ + "/staging";
  options_.chunking.min_size = 16 * 1024;
  options_.chunking.avg_size = 64 * 1024;
  options_.chunking.max_size = 256 * 1024;
  options_.gc_grace_seconds = 0;
  OpenEngine();
}

void EngineTest::TearDown() {
  CloseEngine();
  std::filesystem::remove_all(dir_);
}

void EngineTest::OpenEngine() {
  auto catalog = OpenCatalog("sqlite://" + dir_ + "/catalog.db", ::geteuid(), ::getegid());
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto store = OpenObjectStore("file://" + dir_ + "/store");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto engine = Engine::Open(std::move(catalog).value(), std::move(store).value(), options_);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  engine_ = std::move(engine).value();
}

FaultInjectionStore* EngineTest::OpenEngineWithFaults() {
  CloseEngine();
  auto catalog = OpenCatalog("sqlite://" + dir_ + "/catalog.db", ::geteuid(), ::getegid());
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto store = OpenObjectStore("file://" + dir_ + "/store");
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!catalog.ok() || !store.ok()) return nullptr;
  auto faulty = std::make_unique<FaultInjectionStore>(std::move(store).value());
  FaultInjectionStore* faults = faulty.get();
  auto engine = Engine::Open(std::move(catalog).value(), std::move(faulty), options_);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  if (!engine.ok()) return nullptr;
  engine_ = std::move(engine).value();
  return faults;
}

void EngineTest::CloseEngine() {
  if (!engine_) return;
  EXPECT_TRUE(engine_->Shutdown().ok());
  engine_.reset();
}

InodeId EngineTest::WriteFile(const std::string& name, const std::vector<uint8_t>& data,
                              InodeId parent) {
  HandleId h;
  InodeId ino;
  auto existing = engine_->Lookup(parent, name);
  if (existing.ok()) {
    ino = existing->ino;
    auto opened = engine_->Open(ino, OpenFlags{true, true, false});
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    h = *opened;
  } else {
    auto created = engine_->Create(parent, name, 0644, ::geteuid(), ::getegid(), OpenFlags{true});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    ino = created->first.ino;
    h = created->second;
  }
  for (size_t off = 0; off < data.size(); off += 1 << 20) {
    size_t n = std::min<size_t>(1 << 20, data.size() - off);
    auto w = engine_->Write(h, off, std::span<const uint8_t>(data.data() + off, n));
    EXPECT_TRUE(w.ok()) << w.status().ToString();
  }
  EXPECT_TRUE(engine_->Release(h).ok());
  EXPECT_TRUE(engine_->WaitIdle().ok());
  return ino;
}

void EngineTest::PatchFile(InodeId ino, uint64_t offset, const std::vector<uint8_t>& data) {
  auto h = engine_->Open(ino, OpenFlags{true, false, false});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_TRUE(engine_->Write(*h, offset, data).ok());
  ASSERT_TRUE(engine_->Release(*h).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
}

std::vector<uint8_t> EngineTest::ReadAll(InodeId ino) {
  auto attr = engine_->GetAttributes(ino);
  EXPECT_TRUE(attr.ok());
  auto h = engine_->Open(ino, OpenFlags{});
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  std::vector<uint8_t> out(attr->size);
  size_t pos = 0;
  while (pos < out.size()) {
    auto n = engine_->Read(*h, pos, std::span<uint8_t>(out.data() + pos, std::min<size_t>(out.size() - pos, 131072)));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    if (!n.ok() || *n == 0) break;
    pos += *n;
  }
  EXPECT_TRUE(engine_->Release(*h).ok());
  return out;
}

uint64_t EngineTest::StoredChunkBytes() {
  uint64_t total = 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/store")) {
    if (e.is_regular_file() && e.path().string().find("/chunks/") != std::string::npos) {
      total += e.file_size();
    }
  }
  return total;
}

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> out(n);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (size_t i = n - n % 8; i < n; ++i) out[i] = static_cast<uint8_t>(rng());
  return out;
}

}  // namespace reel::testing
