#include "backup/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace ejournal::backup {
namespace fs = std::filesystem;

Status errno_status(const std::string& what) {
  return Status(Code::io_error, what + ": " + std::strerror(errno));
}

namespace {

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("cannot write " + path);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return Status::OK();
}

}  // namespace

Status sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status("cannot open directory " + dir.string());
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  errno = err;
  if (rc != 0) return errno_status("cannot sync directory " + dir.string());
  return Status::OK();
}

Status write_file_atomic(const fs::path& dir, const std::string& name, std::string_view bytes) {
  const fs::path final_path = dir / name;
  const fs::path temp = dir / (name + std::string(kTempMarker) + std::to_string(::getpid()));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_status("cannot create " + temp.string());
  Status s = write_all(fd, bytes, temp.string());
  if (s.ok() && ::fsync(fd) != 0) s = errno_status("cannot sync " + temp.string());
  if (::close(fd) != 0 && s.ok()) s = errno_status("cannot close " + temp.string());
  if (s.ok() && ::rename(temp.c_str(), final_path.c_str()) != 0)
    s = errno_status("cannot rename " + temp.string() + " to " + name);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return sync_dir(dir);
}

Result<std::string> read_file(const fs::path& path, std::size_t limit) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return Status(Code::not_found, "cannot read " + path.string() + ": " + ec.message());
  if (size > limit)
    return Status(Code::invalid_argument, path.string() + " is " + std::to_string(size) + " bytes; the limit is " +
                                              std::to_string(limit));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::io_error, "cannot open " + path.string());
  std::string out(static_cast<std::size_t>(size), '\0');
  in.read(out.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size) return Status(Code::io_error, "cannot read " + path.string());
  return out;
}

Result<DirLock> DirLock::acquire(const fs::path& dir) {
  const fs::path path = dir / ".ejournal-backup.lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot open " + path.string());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return Status(Code::busy, "another backup is writing to " + dir.string());
    errno = err;
    return errno_status("cannot lock " + path.string());
  }
  return DirLock(fd);
}

DirLock::~DirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace ejournal::backup
