#include "attest/model_digest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "attest/sha256.h"
#include "attest/strict_json.h"

namespace attestd {
namespace {

namespace fs = std::filesystem;

constexpr size_t kReadChunk = size_t{4} << 20;

std::string ErrnoText(int err) { return std::strerror(err); }

// What the cache is keyed on (besides the path).
struct FileStamp {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

FileStamp StampOf(const struct stat& st) {
  FileStamp s;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.inode = static_cast<uint64_t>(st.st_ino);
  return s;
}

struct CachedHash {
  FileStamp stamp;
  Digest32 sha256;
};
using Cache = std::map<std::string, CachedHash>;  // keyed on absolute path

std::string CachePath(const std::string& cache_dir) {
  return (fs::path(cache_dir) / kModelDigestCacheFileName).string();
}

absl::StatusOr<Cache> ReadCache(const std::string& path) {
  Cache cache;
  std::ifstream in(path, std::ios::binary);
  if (!in) return cache;  // no cache yet
  std::stringstream buf;
  buf << in.rdbuf();
  ASSIGN_OR_RETURN(json::Json root, json::ParseStrict(buf.str(), path));
  RETURN_IF_ERROR(json::CheckObjectKeys(root, "cache", {"version", "files"}));
  ASSIGN_OR_RETURN(uint64_t version, json::GetUint64(root, "cache", "version"));
  if (version != 1) return absl::InvalidArgumentError("cache.version: got " + std::to_string(version) + ", want 1");
  const json::Json& files = root.at("files");
  if (!files.is_object()) return absl::InvalidArgumentError("cache.files: want an object");
  for (const auto& [file_path, entry] : files.items()) {
    RETURN_IF_ERROR(json::CheckObjectKeys(entry, "cache.files", {"size", "mtime_ns", "inode", "sha256"}));
    CachedHash c;
    ASSIGN_OR_RETURN(c.stamp.size, json::GetUint64(entry, "cache.files", "size"));
    if (!entry.at("mtime_ns").is_number_integer()) return absl::InvalidArgumentError("cache mtime_ns: want an integer");
    c.stamp.mtime_ns = entry.at("mtime_ns").get<int64_t>();
    ASSIGN_OR_RETURN(c.stamp.inode, json::GetUint64(entry, "cache.files", "inode"));
    ASSIGN_OR_RETURN(std::string hex, json::GetString(entry, "cache.files", "sha256"));
    ASSIGN_OR_RETURN(c.sha256, HexDecodeFixed<32>(hex, "cache sha256"));
    cache[file_path] = c;
  }
  return cache;
}

// Writes to a temporary file and renames it over the old one, so a reader
// never sees half a cache.
absl::Status WriteCache(const std::string& path, const Cache& cache) {
  json::Json files = json::Json::object();
  for (const auto& [file_path, c] : cache) {
    files[file_path] = {{"size", c.stamp.size},
                        {"mtime_ns", c.stamp.mtime_ns},
                        {"inode", c.stamp.inode},
                        {"sha256", HexEncode(c.sha256)}};
  }
  json::Json root = {{"version", 1}, {"files", std::move(files)}};
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    // A path that is not UTF-8 gets U+FFFD here and simply never hits the cache.
    out << root.dump(1, ' ', false, json::Json::error_handler_t::replace) << "\n";
    if (!out.flush()) return absl::InternalError("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    return absl::InternalError("cannot replace " + path + ": " + ErrnoText(err));
  }
  return absl::OkStatus();
}

// Hashes an open file and checks that it did not change while being read.
absl::StatusOr<Digest32> HashOpenFile(int fd, const std::string& path, std::atomic<uint64_t>* progress_bytes,
                                      const FileStamp* expected) {
  Sha256Hasher hasher;
  std::vector<uint8_t> buf(kReadChunk);
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError("reading " + path + ": " + ErrnoText(errno));
    }
    if (n == 0) break;
    hasher.Update(ByteSpan(buf.data(), static_cast<size_t>(n)));
    total += static_cast<uint64_t>(n);
    if (progress_bytes != nullptr) progress_bytes->fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
  }
  if (expected != nullptr) {
    struct stat after {};
    if (::fstat(fd, &after) != 0) return absl::InternalError("stat " + path + ": " + ErrnoText(errno));
    FileStamp now = StampOf(after);
    if (!(now == *expected) || total != expected->size) {
      return absl::FailedPreconditionError(path + " changed while being hashed (size " +
                                           std::to_string(expected->size) + " -> " + std::to_string(total) +
                                           "); hash it again when it is stable");
    }
  }
  return hasher.Finish();
}

struct HashJob {
  std::string absolute_path;
  FileStamp stamp;
  std::optional<absl::StatusOr<Digest32>> result;
};

std::string HumanBytes(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f GiB", static_cast<double>(n) / (1024.0 * 1024.0 * 1024.0));
  return buf;
}

// Draws "\rattest: hashing model  1.2 GiB / 4.5 GiB  27%" until stopped.
class ProgressBar {
 public:
  ProgressBar(const std::atomic<uint64_t>& done, uint64_t total) : done_(done), total_(total) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ProgressBar() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    Draw();
    std::fputc('\n', stderr);
  }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      Draw();
      cv_.wait_for(lock, std::chrono::milliseconds(250));
    }
  }
  void Draw() {
    uint64_t done = done_.load(std::memory_order_relaxed);
    int pct = total_ == 0 ? 100 : static_cast<int>(done * 100 / total_);
    constexpr int kWidth = 30;
    std::string bar(static_cast<size_t>(pct * kWidth / 100), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\rattest: hashing model [%s] %s / %s %3d%%", bar.c_str(), HumanBytes(done).c_str(),
                 HumanBytes(total_).c_str(), pct);
    std::fflush(stderr);
  }

  const std::atomic<uint64_t>& done_;
  const uint64_t total_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

void HashAll(std::vector<HashJob*>& jobs, unsigned threads, std::atomic<uint64_t>* progress_bytes) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next.fetch_add(1); i < jobs.size(); i = next.fetch_add(1)) {
      HashJob& job = *jobs[i];
      int fd = ::open(job.absolute_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        job.result = absl::NotFoundError("open " + job.absolute_path + ": " + ErrnoText(errno));
        continue;
      }
      job.result = HashOpenFile(fd, job.absolute_path, progress_bytes, &job.stamp);
      ::close(fd);
    }
  };
  unsigned n = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(jobs.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
}

}  // namespace

std::string ManifestText(const std::vector<ModelFileEntry>& files) {
  std::string text;
  for (const ModelFileEntry& f : files) {
    text += HexEncode(f.sha256) + "  " + std::to_string(f.size) + "  " + f.relative_path + "\n";
  }
  return text;
}

absl::StatusOr<Digest32> Sha256File(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError("open " + path + ": " + ErrnoText(errno));
  auto digest = HashOpenFile(fd, path, nullptr, nullptr);
  ::close(fd);
  return digest;
}

absl::StatusOr<ModelManifest> DigestModelFiles(const std::string& model_dir,
                                               const std::vector<std::string>& names,
                                               const ModelDigestOptions& options) {
  // The error_code overloads: the folder may change under us, and no
  // filesystem_error may escape this module.
  std::error_code ec;
  fs::path root = fs::canonical(model_dir, ec);
  if (ec) return absl::NotFoundError("model folder " + model_dir + ": " + ec.message());

  ModelManifest manifest;
  Cache cache;
  if (!options.cache_dir.empty()) {
    auto read = ReadCache(CachePath(options.cache_dir));
    if (read.ok()) {
      cache = *std::move(read);
    } else {
      manifest.cache_warning = "ignoring unreadable digest cache: " + std::string(read.status().message());
    }
  }

  std::vector<HashJob> jobs(names.size());
  std::vector<HashJob*> to_hash;
  uint64_t bytes_to_hash = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    HashJob& job = jobs[i];
    job.absolute_path = fs::canonical(root / names[i], ec).string();
    if (ec) return absl::NotFoundError(names[i] + ": " + ec.message());
    struct stat st {};
    if (::stat(job.absolute_path.c_str(), &st) != 0) {
      return absl::NotFoundError("stat " + job.absolute_path + ": " + ErrnoText(errno));
    }
    job.stamp = StampOf(st);
    auto hit = cache.find(job.absolute_path);
    if (!options.force_rehash && hit != cache.end() && hit->second.stamp == job.stamp) {
      job.result = hit->second.sha256;
      ++manifest.files_from_cache;
    } else {
      to_hash.push_back(&job);
      bytes_to_hash += job.stamp.size;
    }
  }

  unsigned threads = options.threads;
  if (threads == 0) threads = std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<uint64_t> done_bytes{0};
  {
    std::optional<ProgressBar> bar;
    if (options.progress && bytes_to_hash >= options.progress_min_bytes && ::isatty(STDERR_FILENO)) {
      bar.emplace(done_bytes, bytes_to_hash);
    }
    HashAll(to_hash, threads, &done_bytes);
  }
  manifest.files_hashed = to_hash.size();

  for (size_t i = 0; i < names.size(); ++i) {
    HashJob& job = jobs[i];
    if (!job.result->ok()) return job.result->status();
    manifest.files.push_back({names[i], job.stamp.size, **job.result});
    cache[job.absolute_path] = CachedHash{job.stamp, **job.result};
  }
  manifest.text = ManifestText(manifest.files);
  manifest.digest = Sha256(manifest.text);

  if (!options.cache_dir.empty() && (manifest.files_hashed > 0 || !manifest.cache_warning.empty())) {
    absl::Status written = WriteCache(CachePath(options.cache_dir), cache);
    if (!written.ok()) manifest.cache_warning = std::string(written.message());
  }
  return manifest;
}

}  // namespace attestd
