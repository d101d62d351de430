// Metadata rates for bench/run_all.sh (docs/benchmarks.md): one phase per invocation, so the
// script can drop caches or wait for `reel sync` between phases.
//
//   meta_bench create  DIR N [FIRST]  open(O_CREAT|O_EXCL|O_WRONLY) + close of DIR/f000000 ...
//                                 (N names; from DIR/f<FIRST>, default 0, so batches interleave)
//   meta_bench stat    DIR N      stat() of each of those N names, in creation order
//   meta_bench readdir DIR REPS   opendir + readdir to the end + closedir, REPS times
//   meta_bench unlink  DIR N      unlink() of each name
//
// Prints one line of JSON: {"op": ..., "count": ..., "seconds": ..., "per_second": ...}.
// "count" is operations (files for create/stat/unlink, directory entries for readdir, "." and
// ".." excluded); "listings_per_second" is added for readdir. Exits 1 on the first failure.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

double Now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "meta_bench: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

std::vector<std::string> Names(const std::string& dir, long n, long first = 0) {
  std::vector<std::string> names;
  names.reserve(static_cast<size_t>(n));
  char buf[32];
  for (long i = first; i < first + n; ++i) {
    std::snprintf(buf, sizeof buf, "/f%06ld", i);
    names.push_back(dir + buf);
  }
  return names;
}

void Print(const char* op, long count, double seconds, long listings = -1) {
  std::printf("{\"op\": \"%s\", \"count\": %ld, \"seconds\": %.6f, \"per_second\": %.1f", op, count,
              seconds, seconds > 0 ? static_cast<double>(count) / seconds : 0.0);
  if (listings >= 0) {
    std::printf(", \"listings\": %ld, \"listings_per_second\": %.2f", listings,
                seconds > 0 ? static_cast<double>(listings) / seconds : 0.0);
  }
  std::printf("}\n");
}

int Usage() {
  std::fprintf(stderr,
               "usage: meta_bench create DIR N [FIRST]\n"
               "       meta_bench stat|unlink DIR N\n"
               "       meta_bench readdir DIR REPS\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) return Usage();
  const std::string op = argv[1];
  const std::string dir = argv[2];
  const long n = std::strtol(argv[3], nullptr, 10);
  const long first = argc == 5 ? std::strtol(argv[4], nullptr, 10) : 0;
  if (n <= 0 || first < 0 || (argc == 5 && op != "create")) return Usage();

  if (op == "create") {
    auto names = Names(dir, n, first);
    double t0 = Now();
    for (const auto& name : names) {
      int fd = ::open(name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) Die("create " + name);
      if (::close(fd) != 0) Die("close " + name);
    }
    Print("create", n, Now() - t0);
  } else if (op == "stat") {
    auto names = Names(dir, n);
    struct stat st;
    double t0 = Now();
    for (const auto& name : names) {
      if (::stat(name.c_str(), &st) != 0) Die("stat " + name);
    }
    Print("stat", n, Now() - t0);
  } else if (op == "unlink") {
    auto names = Names(dir, n);
    double t0 = Now();
    for (const auto& name : names) {
      if (::unlink(name.c_str()) != 0) Die("unlink " + name);
    }
    Print("unlink", n, Now() - t0);
  } else if (op == "readdir") {
    long entries = 0;
    double t0 = Now();
    for (long r = 0; r < n; ++r) {
      DIR* d = ::opendir(dir.c_str());
      if (!d) Die("opendir " + dir);
      errno = 0;
      while (dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++entries;
      }
      if (errno != 0) Die("readdir " + dir);
      ::closedir(d);
    }
    Print("readdir", entries, Now() - t0, n);
  } else {
    return Usage();
  }
  return 0;
}
