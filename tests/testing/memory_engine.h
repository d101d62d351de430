// A test fixture with a real Engine on a catalog and store in memory (sqlite::memory: and
// memory://), garbage collected at once (no grace, no trash retention), and a way to write a
// whole file through it as a closing writer would.
#pragma once

#include <unistd.h>

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "store/object_store.h"
#include "testing/temp_dir.h"

namespace reel::testing {

class MemoryEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto catalog = OpenCatalog("sqlite::memory:", ::geteuid(), ::getegid());
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    auto store = OpenObjectStore("memory://engine-test");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EngineOptions o;
    o.staging_dir = tmp_ / "staging";
    o.gc_grace_seconds = 0;
    o.trash_retention_seconds = 0;
    auto engine = Engine::Open(std::move(catalog).value(), std::move(store).value(), o);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  void TearDown() override {
    if (engine_) {
      EXPECT_TRUE(engine_->Shutdown().ok());
    }
  }

  // Writes `data` as the whole of `name` in `parent` (made if missing) and closes it.
  void WriteFile(InodeId parent, const std::string& name, const std::string& data) {
    OpenFlags w;
    w.write = true;
    w.truncate = true;
    HandleId h = 0;
    auto existing = engine_->Lookup(parent, name);
    if (existing.ok()) {
      auto opened = engine_->Open(existing->ino, w);
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      h = *opened;
    } else {
      auto created = engine_->Create(parent, name, 0644, ::geteuid(), ::getegid(), w);
      ASSERT_TRUE(created.ok()) << created.status().ToString();
      h = created->second;
    }
    auto n = engine_->Write(h, 0, {reinterpret_cast<const uint8_t*>(data.data()), data.size()});
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_TRUE(engine_->Release(h).ok());
  }

  TempDir tmp_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace reel::testing
