// Runs a peer program (the PyTorch and transformers peers) and returns what
// it printed on stdout. Benchmarks only.
#pragma once

#include <stdio.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace attestd::bench {

// `*exit_code` is the command's exit status, or -1 when it could not be
// started or did not exit normally.
inline std::string RunCommand(const std::string& cmd, int* exit_code) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    *exit_code = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace attestd::bench
