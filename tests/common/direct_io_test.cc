#include "common/direct_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/buffer_pool.h"
#include "common/fs_util.h"
#include "testing/pattern.h"

namespace reel {
namespace {

using testing::Pattern;

class DirectIoTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::string tmpl = std::string(GetParam()) + "/reel-direct-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr) << GetParam();
    dir_ = tmpl;
  }
  void TearDown() override { EXPECT_EQ(std::system(("rm -rf " + dir_).c_str()), 0); }

  // Writes `data` through `buffers` into a new file opened with O_DIRECT (plain if the
  // filesystem refuses it) and returns what the file holds.
  std::string WriteAndRead(DirectIoBuffers& buffers, std::span<const uint8_t> data) {
    const std::string path = dir_ + "/f";
    ::unlink(path.c_str());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_DIRECT, 0600);
    if (fd < 0 && errno == EINVAL) fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    EXPECT_GE(fd, 0);
    Status s = buffers.Write(fd, data);
    ::close(fd);
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto got = ReadWholeFile(path);
    EXPECT_TRUE(got.ok());
    return got.ok() ? *got : std::string();
  }
  std::string dir_;
};

TEST_P(DirectIoTest, FileHoldsExactlyTheBytesAtEverySize) {
  DirectIoBuffers buffers(3 * kDirectAlign);  // small, so one write loops over the buffer
  for (size_t size : {size_t{0}, size_t{1}, kDirectAlign - 1, kDirectAlign, kDirectAlign + 1,
                      3 * kDirectAlign, 3 * kDirectAlign + 7, 10 * kDirectAlign + 4000}) {
    const auto data = Pattern(size, static_cast<uint32_t>(size));
    const std::string got = WriteAndRead(buffers, data);
    ASSERT_EQ(got.size(), size);
    if (size > 0) {
      EXPECT_EQ(std::memcmp(data.data(), got.data(), size), 0) << "size " << size;
    }
  }
}

TEST_P(DirectIoTest, AlignedMemoryIsWrittenWholeAtEverySize) {
  DirectIoBuffers buffers(2 * kDirectAlign);  // smaller than most sizes: no bounce loop is needed
  AlignedBufferPool pool(0);
  for (size_t size : {size_t{1}, kDirectAlign, kDirectAlign + 1, 5 * kDirectAlign,
                      5 * kDirectAlign + 4095, size_t{1} << 20 | 17}) {
    const auto data = Pattern(size, static_cast<uint32_t>(size + 9));
    std::shared_ptr<uint8_t> mem = pool.Take(size);
    ASSERT_NE(mem, nullptr);
    ASSERT_EQ(reinterpret_cast<uintptr_t>(mem.get()) % kDirectAlign, 0u);
    std::memcpy(mem.get(), data.data(), size);
    const std::string got = WriteAndRead(buffers, std::span<const uint8_t>(mem.get(), size));
    ASSERT_EQ(got.size(), size);
    EXPECT_EQ(std::memcmp(data.data(), got.data(), size), 0) << "size " << size;
  }
}

TEST_P(DirectIoTest, ConcurrentWritersEachGetWholeFiles) {
  DirectIoBuffers buffers(2 * kDirectAlign);
  std::vector<std::thread> writers;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string path = dir_ + "/w" + std::to_string(t) + "-" + std::to_string(i);
        const auto data = Pattern(5 * kDirectAlign + static_cast<size_t>(t * 100 + i),
                                  static_cast<uint32_t>(t * 7 + i));
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_DIRECT, 0600);
        if (fd < 0 && errno == EINVAL) fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || !buffers.Write(fd, data).ok()) ++bad;
        if (fd >= 0) ::close(fd);
        auto got = ReadWholeFile(path);
        if (!got.ok() || got->size() != data.size() ||
            std::memcmp(data.data(), got->data(), data.size()) != 0) {
          ++bad;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_P(DirectIoTest, ReadAppendReadsWhatWriteWrote) {
  DirectIoBuffers buffers(2 * kDirectAlign);
  for (size_t size : {size_t{1}, kDirectAlign, 5 * kDirectAlign + 3}) {
    const auto data = Pattern(size, static_cast<uint32_t>(size + 1));
    WriteAndRead(buffers, data);
    const std::string path = dir_ + "/f";
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECT);
    if (fd < 0 && errno == EINVAL) fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    std::vector<uint8_t> out{7, 7};
    ASSERT_TRUE(buffers.ReadAppend(fd, size, &out).ok()) << size;
    EXPECT_EQ(buffers.ReadAppend(fd, size + 1, &out).code(), Code::kIOError) << "past the end";
    ::close(fd);
    ASSERT_EQ(out.size(), size + 2) << "a failed append leaves the buffer as it was";
    EXPECT_EQ(std::memcmp(out.data() + 2, data.data(), size), 0) << size;
  }
}

// A disk filesystem (direct I/O) and tmpfs (which may refuse O_DIRECT: the fallback).
INSTANTIATE_TEST_SUITE_P(Filesystems, DirectIoTest, ::testing::Values("/tmp", "/dev/shm"));

}  // namespace
}  // namespace reel
