// One test per way a safetensors file can be broken: each must be a clear
// error, never a crash or a read outside the file.
#include "model/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace attestd::model {
namespace {

std::vector<uint8_t> File(const std::string& header, size_t data_bytes) {
  std::vector<uint8_t> f(8 + header.size() + data_bytes, 0);
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) f[static_cast<size_t>(i)] = static_cast<uint8_t>(n >> (8 * i));
  std::memcpy(f.data() + 8, header.data(), header.size());
  return f;
}

absl::Status Parse(const std::vector<uint8_t>& f) {
  uint64_t off = 0;
  return ParseSafetensorsFile(f, &off).status();
}

const char* kGood =
    R"({"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,12]},)"
    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})";

TEST(SafetensorsTest, ValidFileIsAccepted) {
  auto f = File(kGood, 20);
  uint64_t off = 0;
  auto t = ParseSafetensorsFile(f, &off);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(off, 8 + std::string(kGood).size());
  EXPECT_EQ(t->at("a").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(t->at("b").dtype, StDtype::kF32);
  EXPECT_EQ(t->size(), 2u);
}

TEST(SafetensorsTest, TruncatedLengthPrefixIsDataLoss) {
  std::vector<uint8_t> f = {1, 0, 0};
  EXPECT_EQ(Parse(f).code(), absl::StatusCode::kDataLoss);
}

TEST(SafetensorsTest, HeaderLengthPastEndOfFileIsRefused) {
  auto f = File(kGood, 20);
  f[0] = 0xff;
  f[1] = 0xff;
  EXPECT_FALSE(Parse(f).ok());
  f = File(kGood, 20);
  f[7] = 0x80;  // ~2^63
  EXPECT_EQ(Parse(f).code(), absl::StatusCode::kInvalidArgument);
}

TEST(SafetensorsTest, TruncatedDataIsDataLoss) {
  auto f = File(kGood, 20);
  f.resize(f.size() - 1);
  absl::Status s = Parse(f);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("past the data region"), std::string::npos) << s;
}

TEST(SafetensorsTest, TrailingBytesAreDataLoss) {
  EXPECT_EQ(Parse(File(kGood, 21)).code(), absl::StatusCode::kDataLoss);
}

TEST(SafetensorsTest, UnknownDtypeIsRefusedByName) {
  absl::Status s = Parse(File(R"({"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}})", 2));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("unknown dtype \"Q4\""), std::string::npos) << s;
}

TEST(SafetensorsTest, ShapeDisagreeingWithOffsetsIsRefused) {
  EXPECT_EQ(Parse(File(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)).code(),
            absl::StatusCode::kDataLoss);
}

TEST(SafetensorsTest, OverlappingTensorsAreDataLoss) {
  absl::Status s = Parse(File(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                              R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                              6));
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("overlaps"), std::string::npos) << s;
}

TEST(SafetensorsTest, HoleBetweenTensorsIsRefused) {
  EXPECT_EQ(Parse(File(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                       R"("b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}})",
                       6))
                .code(),
            absl::StatusCode::kDataLoss);
}

TEST(SafetensorsTest, MalformedHeadersAreRefused) {
  for (const char* h : {
           "not json",
           "[1,2]",
           R"({"a":{"dtype":"F32","shape":[1]}})",
           R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
           R"({"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})",
           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})",
           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}})",
           R"({"a":{"dtype":7,"shape":[1],"data_offsets":[0,4]}})",
           R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}})",
           R"({"__metadata__":{"format":1}})",
           R"({"a":{"dtype":"U8","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}})",
       }) {
    EXPECT_FALSE(Parse(File(h, 4)).ok()) << h;
  }
}

TEST(SafetensorsTest, DuplicateTensorNameIsRefused) {
  absl::Status s = Parse(File(R"({"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},)"
                              R"("a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}})",
                              2));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("appears twice"), std::string::npos) << s;
}

TEST(SafetensorsTest, MissingFileIsNotFound) {
  auto f = SafetensorsFile::Open("/nonexistent/model.safetensors");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace attestd::model
