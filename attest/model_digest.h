// modelDigest (SPEC "Model and engine identity"): SHA-256 of a manifest of
// files in a model folder, one line per file, sorted by relative path in byte
// order:
//
//   <sha256 hex>  <size in bytes>  <relative path>\n
//
// The per-file hash is exactly what `sha256sum FILE` prints, so anyone can
// rebuild the manifest with coreutils (docs/receipt-format.md shows how).
//
// Which files: this module hashes the list it is given. The list the SPEC
// commits to, the files inference reads, is a model fact
// (model/inference_files.h); verify/identity.h joins the two for the server,
// the CLI and the auditor.
//
// Cache: when a cache folder is given, per-file hashes are remembered in
// <cache_dir>/.attestd-digest-cache.json keyed on (absolute path, size,
// mtime_ns, inode) and reused when all four match, unless force_rehash is set.
// The cache is only as trustworthy as the folder holding it: whoever can write
// it can make a changed file keep its old hash. A cache file that does not
// parse is ignored (and rewritten), never fatal.
//
// Thread safety: DigestModelFiles may run concurrently for different cache
// folders; two runs sharing a cache folder may lose each other's updates (the
// file is replaced atomically, never corrupted). Files are hashed on a pool of
// std::threads owned by the call; nothing outlives it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "attest/bytes.h"

namespace attestd {

inline constexpr char kModelDigestCacheFileName[] = ".attestd-digest-cache.json";

struct ModelFileEntry {
  std::string relative_path;
  uint64_t size = 0;
  Digest32 sha256;
  friend bool operator==(const ModelFileEntry&, const ModelFileEntry&) = default;
};

struct ModelDigestOptions {
  std::string cache_dir;      // empty: no cache
  bool force_rehash = false;  // ignore cached hashes (the cache is still rewritten)
  unsigned threads = 0;       // hashing threads; 0 = hardware concurrency, at most 8
  // Progress bar on stderr, drawn only when stderr is a terminal and the
  // bytes to hash reach progress_min_bytes.
  bool progress = true;
  uint64_t progress_min_bytes = uint64_t{256} << 20;
};

struct ModelManifest {
  std::vector<ModelFileEntry> files;  // sorted by relative_path (byte order)
  std::string text;                   // the manifest; digest = SHA-256(text)
  Digest32 digest;
  size_t files_hashed = 0;            // read from disk in this call
  size_t files_from_cache = 0;        // taken from the cache
  std::string cache_warning;          // non-empty if the cache could not be read or written
};

// The manifest text for already hashed entries (which must be sorted).
[[nodiscard]] std::string ManifestText(const std::vector<ModelFileEntry>& files);

// SHA-256 of a file's bytes. NotFound / Internal (read error) with the path.
[[nodiscard]] absl::StatusOr<Digest32> Sha256File(const std::string& path);

// Hashes (in parallel, through the cache) the files `relative_paths` of
// `model_dir`, which must be sorted in byte order, and digests the manifest.
// NotFound for a folder or file that cannot be opened; FailedPrecondition if
// a file changes size or mtime while it is being hashed. On failure the
// cache is left as it was.
[[nodiscard]] absl::StatusOr<ModelManifest> DigestModelFiles(const std::string& model_dir,
                                                             const std::vector<std::string>& relative_paths,
                                                             const ModelDigestOptions& options);

}  // namespace attestd
