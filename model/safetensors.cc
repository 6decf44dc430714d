#include "model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace attestd::model {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

struct DtypeEntry {
  std::string_view name;
  StDtype dtype;
  size_t size;
};
constexpr DtypeEntry kDtypes[] = {
    {"BOOL", StDtype::kBool, 1}, {"U8", StDtype::kU8, 1},         {"I8", StDtype::kI8, 1},
    {"I16", StDtype::kI16, 2},   {"U16", StDtype::kU16, 2},       {"F16", StDtype::kF16, 2},
    {"BF16", StDtype::kBF16, 2}, {"I32", StDtype::kI32, 4},       {"U32", StDtype::kU32, 4},
    {"F32", StDtype::kF32, 4},   {"F64", StDtype::kF64, 8},       {"I64", StDtype::kI64, 8},
    {"U64", StDtype::kU64, 8},   {"F8_E4M3", StDtype::kF8E4M3, 1}, {"F8_E5M2", StDtype::kF8E5M2, 1},
};

absl::StatusOr<StDtype> ParseDtype(const std::string& name, const std::string& tensor) {
  for (const auto& e : kDtypes) {
    if (e.name == name) return e.dtype;
  }
  return absl::InvalidArgumentError(absl::StrCat("safetensors: tensor \"", tensor, "\": unknown dtype \"", name, "\""));
}

absl::StatusOr<uint64_t> NonNegative(const nlohmann::json& v, const std::string& tensor, const char* field) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
  return absl::InvalidArgumentError(
      absl::StrCat("safetensors: tensor \"", tensor, "\": ", field, " must hold non-negative integers, got ", v.dump()));
}

}  // namespace

std::string StDtypeName(StDtype dtype) {
  for (const auto& e : kDtypes) {
    if (e.dtype == dtype) return std::string(e.name);
  }
  return "?";
}

size_t StDtypeSize(StDtype dtype) {
  for (const auto& e : kDtypes) {
    if (e.dtype == dtype) return e.size;
  }
  return 0;
}

int64_t TensorInfo::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

absl::StatusOr<std::map<std::string, TensorInfo>> ParseSafetensorsHeader(std::span<const uint8_t> json,
                                                                         uint64_t data_size) {
  // Duplicate names would silently shadow each other in a JSON object, so
  // count the top-level keys as the parser meets them.
  bool duplicate = false;
  std::string duplicate_name;
  std::set<std::string> seen;
  nlohmann::json::parser_callback_t on_event = [&](int depth, nlohmann::json::parse_event_t event,
                                                   nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      if (!seen.insert(parsed.get<std::string>()).second && !duplicate) {
        duplicate = true;
        duplicate_name = parsed.get<std::string>();
      }
    }
    return true;
  };
  nlohmann::json header = nlohmann::json::parse(json.begin(), json.end(), on_event, /*allow_exceptions=*/false);
  if (header.is_discarded()) return absl::InvalidArgumentError("safetensors: header is not valid JSON");
  if (!header.is_object()) return absl::InvalidArgumentError("safetensors: header is not a JSON object");
  if (duplicate) {
    return absl::InvalidArgumentError(absl::StrCat("safetensors: tensor \"", duplicate_name, "\" appears twice"));
  }

  std::map<std::string, TensorInfo> tensors;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& entry = it.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) return absl::InvalidArgumentError("safetensors: __metadata__ is not an object");
      for (auto m = entry.begin(); m != entry.end(); ++m) {
        if (!m.value().is_string()) {
          return absl::InvalidArgumentError(absl::StrCat("safetensors: __metadata__ \"", m.key(), "\" is not a string"));
        }
      }
      continue;
    }
    if (!entry.is_object() || entry.size() != 3 || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "safetensors: tensor \"", name, "\": want exactly {dtype, shape, data_offsets}, got ", entry.dump()));
    }
    const auto& dtype = entry["dtype"];
    const auto& shape = entry["shape"];
    const auto& offsets = entry["data_offsets"];
    if (!dtype.is_string()) return absl::InvalidArgumentError(absl::StrCat("safetensors: tensor \"", name, "\": dtype is not a string"));
    if (!shape.is_array()) return absl::InvalidArgumentError(absl::StrCat("safetensors: tensor \"", name, "\": shape is not an array"));
    if (!offsets.is_array() || offsets.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat("safetensors: tensor \"", name, "\": data_offsets must be [begin, end]"));
    }
    TensorInfo info;
    ASSIGN_OR_RETURN(info.dtype, ParseDtype(dtype.get<std::string>(), name));
    uint64_t bytes = StDtypeSize(info.dtype);
    for (const auto& d : shape) {
      ASSIGN_OR_RETURN(uint64_t dim, NonNegative(d, name, "shape"));
      if (dim > (1ull << 40) || (dim != 0 && bytes > (1ull << 62) / dim)) {
        return absl::InvalidArgumentError(absl::StrCat("safetensors: tensor \"", name, "\": shape overflows"));
      }
      bytes *= dim;
      info.shape.push_back(static_cast<int64_t>(dim));
    }
    ASSIGN_OR_RETURN(info.begin, NonNegative(offsets[0], name, "data_offsets"));
    ASSIGN_OR_RETURN(info.end, NonNegative(offsets[1], name, "data_offsets"));
    if (info.end < info.begin) {
      return absl::InvalidArgumentError(
          absl::StrCat("safetensors: tensor \"", name, "\": data_offsets end ", info.end, " < begin ", info.begin));
    }
    if (info.end - info.begin != bytes) {
      return absl::DataLossError(absl::StrCat("safetensors: tensor \"", name, "\": got ", info.end - info.begin,
                                              " bytes, want ", bytes, " for its dtype and shape"));
    }
    if (info.end > data_size) {
      return absl::DataLossError(absl::StrCat("safetensors: tensor \"", name, "\": data ends at ", info.end,
                                              ", past the data region of ", data_size, " bytes"));
    }
    tensors.emplace(name, std::move(info));
  }

  // The ranges must tile the data region exactly.
  std::vector<std::pair<uint64_t, const std::string*>> order;
  for (const auto& [name, info] : tensors) order.emplace_back(info.begin, &name);
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    return tensors.at(*a.second).end < tensors.at(*b.second).end;
  });
  uint64_t cursor = 0;
  for (const auto& [begin, name] : order) {
    const TensorInfo& info = tensors.at(*name);
    if (begin != cursor) {
      return absl::DataLossError(absl::StrCat("safetensors: tensor \"", *name, "\" starts at ", begin, ", want ",
                                              cursor, begin < cursor ? " (overlaps the previous tensor)" : " (hole)"));
    }
    cursor = info.end;
  }
  if (cursor != data_size) {
    return absl::DataLossError(
        absl::StrCat("safetensors: tensors cover ", cursor, " bytes of a data region of ", data_size, " bytes"));
  }
  return tensors;
}

absl::StatusOr<std::map<std::string, TensorInfo>> ParseSafetensorsFile(std::span<const uint8_t> file,
                                                                       uint64_t* data_offset) {
  if (file.size() < 8) {
    return absl::DataLossError(absl::StrCat("safetensors: file has ", file.size(), " bytes, want at least 8"));
  }
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | file[static_cast<size_t>(i)];
  if (n > kMaxHeaderBytes) {
    return absl::InvalidArgumentError(absl::StrCat("safetensors: header length ", n, " exceeds the limit of ", kMaxHeaderBytes));
  }
  if (n > file.size() - 8) {
    return absl::DataLossError(
        absl::StrCat("safetensors: header length ", n, " runs past the end of a ", file.size(), "-byte file"));
  }
  *data_offset = 8 + n;
  return ParseSafetensorsHeader(file.subspan(8, n), file.size() - 8 - n);
}

absl::StatusOr<std::unique_ptr<SafetensorsFile>> SafetensorsFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(absl::StrCat("safetensors: cannot open ", path));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat("safetensors: ", path, " is not a regular file"));
  }
  auto file = std::unique_ptr<SafetensorsFile>(new SafetensorsFile());
  file->path_ = path;
  file->map_size_ = static_cast<size_t>(st.st_size);
  if (file->map_size_ > 0) {
    void* map = ::mmap(nullptr, file->map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      return absl::InternalError(absl::StrCat("safetensors: mmap failed for ", path));
    }
    file->map_ = map;
  }
  ::close(fd);
  std::span<const uint8_t> image(static_cast<const uint8_t*>(file->map_), file->map_size_);
  auto tensors = ParseSafetensorsFile(image, &file->data_offset_);
  if (!tensors.ok()) return absl::Status(tensors.status().code(), absl::StrCat(path, ": ", tensors.status().message()));
  file->tensors_ = std::move(*tensors);
  return file;
}

SafetensorsFile::~SafetensorsFile() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
}

absl::StatusOr<TensorView> SafetensorsFile::Get(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) return absl::NotFoundError(absl::StrCat("tensor \"", name, "\" not found in ", path_));
  return TensorView{&it->second, static_cast<const uint8_t*>(map_) + data_offset_ + it->second.begin};
}

}  // namespace attestd::model
