// A real engine over an on-disk SQLite catalog and a local-directory store in a temp dir.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "store/fault_injection_store.h"

namespace reel::testing {

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // (Re)opens the engine on the same directory.
  void OpenEngine();
  // Reopens the engine on the same directory over a fault-injecting store (owned by the engine).
  FaultInjectionStore* OpenEngineWithFaults();
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

// Runs `body` in a child process that is killed with SIGKILL right after; the parent then
// reopens the drive as a restarted process would.
template <typename Body>
void RunAndKill(Body body) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    body();
    ::kill(::getpid(), SIGKILL);
    ::_exit(99);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child did not die by SIGKILL";
}

}  // namespace reel::testing
