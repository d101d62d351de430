// A real engine over an on-disk SQLite catalog and a local-directory store in a temp dir.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/engine.h"

namespace reel::testing {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // (Re)opens the engine on the same directory.
  void OpenEngine();
  void CloseEngine();

  // Creates (or truncates) a file with `data` through the handle API and closes it.
  InodeId WriteFile(const std::string& name, const std::vector<uint8_t>& data,
                    InodeId parent = kRootInode);
  // Overwrites `data` at `offset` of an existing file and closes it.
  void PatchFile(InodeId ino, uint64_t offset, const std::vector<uint8_t>& data);
  std::vector<uint8_t> ReadAll(InodeId ino);
  uint64_t StoredChunkBytes();

  std::string dir_;
  EngineOptions options_;
  std::unique_ptr<Engine> engine_;
};

std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed);

}  // namespace reel::testing
