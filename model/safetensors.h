// A safetensors file (https://huggingface.co/docs/safetensors) read over mmap.
//
// Layout: 8-byte little-endian header length N, N bytes of JSON, then the
// data region. The JSON maps tensor names to {"dtype", "shape",
// "data_offsets": [begin, end)} relative to the data region, plus an
// optional "__metadata__" string map.
//
// Everything is validated before any tensor byte is read: N within the file
// and at most 100 MB; the header is a JSON object with no duplicate names;
// every entry has exactly those three fields; the dtype is one the format
// defines; shape entries are non-negative and their product times the dtype
// size (checked for overflow) equals end - begin; the ranges, sorted, start
// at 0, touch without overlap or holes, and the last ends exactly at the end
// of the file. Any violation is InvalidArgument (malformed) or DataLoss
// (sizes and offsets disagree with the file) naming the tensor.
//
// Ownership: SafetensorsFile owns the mapping; TensorView::data points into
// it and is valid while the file object lives. Not copyable.
// Thread safety: immutable after Open; safe to read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace attestd::model {

enum class StDtype { kBool, kU8, kI8, kI16, kU16, kF16, kBF16, kI32, kU32, kF32, kF64, kI64, kU64, kF8E4M3, kF8E5M2 };

std::string StDtypeName(StDtype dtype);
size_t StDtypeSize(StDtype dtype);

struct TensorInfo {
  StDtype dtype = StDtype::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // offset within the data region
  uint64_t end = 0;
  int64_t elements() const;
};

// Parses and validates a header given the bytes after the 8-byte length and
// the size of the data region that follows it. Pure; used by the fuzzer.
[[nodiscard]] absl::StatusOr<std::map<std::string, TensorInfo>> ParseSafetensorsHeader(std::span<const uint8_t> json,
                                                                                       uint64_t data_size);

// Validates the 8-byte prefix and the header of a whole file image.
// Returns the tensors and sets *data_offset to 8 + N.
[[nodiscard]] absl::StatusOr<std::map<std::string, TensorInfo>> ParseSafetensorsFile(std::span<const uint8_t> file,
                                                                                     uint64_t* data_offset);

struct TensorView {
  const TensorInfo* info = nullptr;
  const uint8_t* data = nullptr;  // unaligned; info->end - info->begin bytes
};

class SafetensorsFile {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  // NotFound naming the tensor and the file if absent.
  [[nodiscard]] absl::StatusOr<TensorView> Get(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  SafetensorsFile() = default;
  std::string path_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  uint64_t data_offset_ = 0;
  std::map<std::string, TensorInfo> tensors_;
};

}  // namespace attestd::model
