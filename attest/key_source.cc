#include "attest/key_source.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>


namespace attestd {
namespace {

constexpr size_t kMaxPassphraseFileBytes = 4096;
constexpr size_t kMaxRawKeyFileBytes = 256;

std::string ModeOctal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

absl::Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EEXIST) return absl::AlreadyExistsError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}

// An open file descriptor, closed on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Reads a whole regular file of at most max_bytes into a buffer reserved up
// front (so it never reallocates and leaves no stale copy), after `check`
// has approved its stat. The caller wipes the result if it is secret.
template <typename Check>
absl::Status ReadSmallFile(const std::string& path, size_t max_bytes, std::vector<char>& out, Check check) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return ErrnoStatus("cannot open", path, errno);
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return ErrnoStatus("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(path + " is not a regular file");
  RETURN_IF_ERROR(check(st));
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return absl::InvalidArgumentError(path + ": got " + std::to_string(st.st_size) + " bytes, want at most " +
                                      std::to_string(max_bytes));
  }
  out.clear();
  out.reserve(max_bytes + 1);
  out.resize(max_bytes + 1);
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(f.fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      SecureWipe(out.data(), out.size());
      return ErrnoStatus("cannot read", path, errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_bytes) {  // grew between fstat and read
    SecureWipe(out.data(), out.size());
    return absl::InvalidArgumentError(path + ": more than " + std::to_string(max_bytes) + " bytes");
  }
  SecureWipe(out.data() + got, out.size() - got);
  out.resize(got);
  return absl::OkStatus();
}

absl::Status AnyMode(const struct stat&) { return absl::OkStatus(); }

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

SecretString::SecretString(std::string_view text) : buf_(text.begin(), text.end()) {}

SecretString::SecretString(SecretString&& other) noexcept : buf_(std::move(other.buf_)) { other.buf_.clear(); }

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    Wipe();
    buf_ = std::move(other.buf_);
    other.buf_.clear();
  }
  return *this;
}

SecretString::~SecretString() { Wipe(); }

void SecretString::Wipe() {
  SecureWipe(buf_.data(), buf_.capacity());
  buf_.clear();
}

absl::Status WriteKeystoreFile(const std::string& path, std::string_view json) {
  Fd f{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
  if (f.fd < 0) return ErrnoStatus("cannot create key file", path, errno);
  size_t done = 0;
  while (done < json.size()) {
    ssize_t n = ::write(f.fd, json.data() + done, json.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot write", path, errno);
    done += static_cast<size_t>(n);
  }
  if (::fsync(f.fd) != 0) return ErrnoStatus("cannot fsync", path, errno);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadKeystoreFile(const std::string& path) {
  std::vector<char> buf;
  RETURN_IF_ERROR(ReadSmallFile(path, kMaxKeystoreFileBytes, buf, AnyMode));
  return std::string(buf.begin(), buf.end());
}

absl::StatusOr<SecretString> ReadPassphraseFile(const std::string& path) {
  std::vector<char> buf;
  RETURN_IF_ERROR(ReadSmallFile(path, kMaxPassphraseFileBytes, buf, AnyMode));
  size_t len = buf.size();
  if (len > 0 && buf[len - 1] == '\n') --len;
  if (len > 0 && buf[len - 1] == '\r') --len;
  SecretString out(std::string_view(buf.data(), len));
  SecureWipe(buf.data(), buf.capacity());
  if (out.empty()) return absl::InvalidArgumentError("passphrase file " + path + " is empty");
  return out;
}

absl::StatusOr<SecretString> ReadPassphraseEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return absl::NotFoundError("environment variable " + name + " is not set");
  SecretString out{std::string_view(value)};
  if (out.empty()) return absl::InvalidArgumentError("environment variable " + name + " is empty");
  return out;
}

absl::StatusOr<SecretKey32> LoadRawKeyFile(const std::string& path) {
  std::vector<char> buf;
  RETURN_IF_ERROR(ReadSmallFile(path, kMaxRawKeyFileBytes, buf, [&](const struct stat& st) -> absl::Status {
    if ((st.st_mode & 077) != 0) {
      return absl::FailedPreconditionError("raw key file " + path + " has mode " + ModeOctal(st.st_mode) +
                                           ", want 0600 or stricter (no group/other access)");
    }
    return absl::OkStatus();
  }));
  std::string_view text(buf.data(), buf.size());
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  // Decoded here into a fixed buffer rather than by HexDecode, whose vector
  // would be freed unwiped on a parse error.
  uint8_t raw[32] = {};
  absl::Status parsed = absl::OkStatus();
  if (text.size() != 64) {
    parsed = absl::InvalidArgumentError("raw key file " + path + ": got " + std::to_string(text.size()) +
                                        " hex digits, want 64");
  }
  for (size_t i = 0; parsed.ok() && i < 64; ++i) {
    int v = HexDigitValue(text[i]);
    if (v < 0) {
      // The offset only: the digits themselves are secret.
      parsed = absl::InvalidArgumentError("raw key file " + path + ": invalid hex character at offset " +
                                          std::to_string(i));
      break;
    }
    raw[i / 2] = static_cast<uint8_t>(i % 2 == 0 ? v << 4 : raw[i / 2] | v);
  }
  SecureWipe(buf.data(), buf.capacity());
  absl::StatusOr<SecretKey32> key = parsed.ok() ? SecretKey32::FromBytes(ByteSpan(raw, 32)) : parsed;
  SecureWipe(raw, sizeof(raw));
  if (!key.ok()) {
    if (!parsed.ok()) return parsed;
    return absl::InvalidArgumentError("raw key file " + path + ": " + std::string(key.status().message()));
  }
  std::fprintf(stderr, "attestd: warning: using UNENCRYPTED key file %s; prefer a V3 keystore\n", path.c_str());
  return key;
}

absl::Status ExcludeProcessFromCoreDumps() {
  struct rlimit none = {0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) return ErrnoStatus("cannot set", "RLIMIT_CORE", errno);
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return ErrnoStatus("cannot clear", "PR_SET_DUMPABLE", errno);
  return absl::OkStatus();
}

absl::StatusOr<SecretKey32> LoadAttestorKey(const KeySource& source) {
  bool keystore = !source.keystore_path.empty();
  bool raw = !source.raw_key_path.empty();
  if (keystore == raw) {
    return absl::InvalidArgumentError("key source: want exactly one of a keystore file or a raw key file");
  }
  if (raw) {
    if (!source.passphrase_file.empty() || !source.passphrase_env.empty()) {
      return absl::InvalidArgumentError("key source: a raw key file takes no passphrase");
    }
    return LoadRawKeyFile(source.raw_key_path);
  }
  bool from_file = !source.passphrase_file.empty();
  bool from_env = !source.passphrase_env.empty();
  if (from_file == from_env) {
    return absl::InvalidArgumentError(
        "key source: a keystore wants exactly one passphrase source (a file or an environment variable)");
  }
  ASSIGN_OR_RETURN(SecretString passphrase, from_file ? ReadPassphraseFile(source.passphrase_file)
                                                      : ReadPassphraseEnv(source.passphrase_env));
  ASSIGN_OR_RETURN(std::string json, ReadKeystoreFile(source.keystore_path));
  absl::StatusOr<SecretKey32> key = DecryptKeystore(json, passphrase.view());
  if (!key.ok()) return absl::Status(key.status().code(), source.keystore_path + ": " + std::string(key.status().message()));
  return key;
}

KeySource KeystoreSource(std::string keystore_path, std::string passphrase_file, std::string passphrase_env) {
  KeySource source;
  source.keystore_path = std::move(keystore_path);
  if (passphrase_env.empty()) source.passphrase_file = std::move(passphrase_file);
  source.passphrase_env = std::move(passphrase_env);
  return source;
}

}  // namespace attestd
