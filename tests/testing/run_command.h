// Running a command line the way a user does (through the shell), capturing what it printed.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "common/fs_util.h"

namespace reel::testing {

struct Outcome {
  int code = -1;  // exit status; -1 when killed by a signal
  std::string out, err;
};

// Runs `command` with standard input from `stdin_path`; its output goes through files in
// `scratch_dir` (a directory the caller owns).
inline Outcome RunCommand(const std::string& command, const std::string& scratch_dir,
                          const std::string& stdin_path = "/dev/null") {
  const std::string out = scratch_dir + "/out", err = scratch_dir + "/err";
  const std::string cmd = command + " >'" + out + "' 2>'" + err + "' <'" + stdin_path + "'";
  const int status = std::system(cmd.c_str());
  Outcome r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadWholeFile(out).value();
  r.err = ReadWholeFile(err).value();
  return r;
}

}  // namespace reel::testing
