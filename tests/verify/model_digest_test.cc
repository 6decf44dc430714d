// modelDigest: per-file hashes equal sha256sum's, the manifest format, file
// selection, symlink rules, and the (path, size, mtime, inode) cache.
#include "verify/identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "attest/sha256.h"
#include "model/inference_files.h"
#include "tests/testing/temp_dir.h"

namespace attestd {
namespace {

namespace fs = std::filesystem;

class ModelDigestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = root_ / "model";
    cache_ = root_ / "cache";
    fs::create_directories(model_);
    fs::create_directories(cache_);
    Write("config.json", R"({"model_type":"llama"})");
    Write("tokenizer.json", R"({"model":{}})");
    Write("generation_config.json", R"({"eos_token_id":2})");
    Write("model.safetensors.index.json", R"({"weight_map":{}})");
    std::string big(3 << 20, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 131) >> 7);
    Write("model-00001-of-00002.safetensors", big);
    Write("model-00002-of-00002.safetensors", "second shard");
    Write("tokenizer_config.json", R"({"chat_template":"not read by inference"})");
    Write("README.md", "not read by inference");
    Write("vocab.txt", "not read by inference");
  }

  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream out(model_ / name, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  // Rewrites bytes at offset 0 in place: same inode, same size if bytes fit.
  void Overwrite(const std::string& name, const std::string& bytes) {
    std::fstream f(model_ / name, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(0);
    f << bytes;
  }
  struct timespec Mtime(const std::string& name) {
    struct stat st {};
    ::stat((model_ / name).c_str(), &st);
    return st.st_mtim;
  }
  void SetMtime(const std::string& name, struct timespec mtime) {
    struct timespec times[2] = {mtime, mtime};
    ASSERT_EQ(::utimensat(AT_FDCWD, (model_ / name).c_str(), times, 0), 0);
  }
  ModelDigestOptions Options(bool force = false) {
    ModelDigestOptions o;
    o.cache_dir = cache_.string();
    o.force_rehash = force;
    o.progress = false;
    return o;
  }
  // What coreutils prints for one file, or "" when sha256sum is not installed.
  std::string Sha256sumOf(const std::string& name) {
    std::string cmd = "sha256sum '" + (model_ / name).string() + "' 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return "";
    std::array<char, 65> hex{};
    size_t n = std::fread(hex.data(), 1, 64, p);
    ::pclose(p);
    return n == 64 ? std::string(hex.data(), 64) : "";
  }

  attestd::testing::TempDir tmp_{"model-digest"};
  fs::path root_ = tmp_.path();
  fs::path model_, cache_;
};

TEST_F(ModelDigestTest, SelectsOnlyFilesInferenceReadsSortedByBytes) {
  auto files = model::ListInferenceFiles(model_.string());
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(*files, (std::vector<std::string>{"config.json", "generation_config.json",
                                              "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                                              "tokenizer.json"}));
}

TEST_F(ModelDigestTest, PerFileHashesEqualSha256sumOutput) {
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  ASSERT_EQ(manifest->files.size(), 5u);
  bool have_sha256sum = !Sha256sumOf("config.json").empty();
  for (const ModelFileEntry& f : manifest->files) {
    std::ifstream in(model_ / f.relative_path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(f.sha256, Sha256(bytes)) << f.relative_path;
    EXPECT_EQ(f.size, bytes.size()) << f.relative_path;
    if (have_sha256sum) {
      EXPECT_EQ(HexEncode(f.sha256), Sha256sumOf(f.relative_path)) << f.relative_path;
    }
  }
  if (!have_sha256sum) GTEST_SKIP() << "sha256sum not installed; compared against the in-process SHA-256 only";
}

TEST_F(ModelDigestTest, ManifestLinesAndDigestFollowTheSpecFormat) {
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  std::string want;
  for (const ModelFileEntry& f : manifest->files) {
    want += HexEncode(f.sha256) + "  " + std::to_string(f.size) + "  " + f.relative_path + "\n";
  }
  EXPECT_EQ(manifest->text, want);
  EXPECT_EQ(manifest->digest, Sha256(want));
  EXPECT_NE(manifest->text.find("  3145728  model-00001-of-00002.safetensors\n"), std::string::npos);
}

TEST_F(ModelDigestTest, ThreadCountDoesNotChangeTheDigest) {
  ModelDigestOptions one = Options(true);
  one.threads = 1;
  ModelDigestOptions four = Options(true);
  four.threads = 4;
  auto a = ComputeModelDigest(model_.string(), one);
  auto b = ComputeModelDigest(model_.string(), four);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->digest, b->digest);
}

TEST_F(ModelDigestTest, SecondRunTakesEveryHashFromTheCache) {
  auto first = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->files_hashed, 5u);
  EXPECT_TRUE(fs::exists(cache_ / kModelDigestCacheFileName));
  auto second = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->files_hashed, 0u);
  EXPECT_EQ(second->files_from_cache, 5u);
  EXPECT_EQ(second->digest, first->digest);
}

TEST_F(ModelDigestTest, SizeChangeInvalidatesTheCachedHash) {
  auto first = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(first.ok());
  struct timespec mtime = Mtime("config.json");
  Write("config.json", R"({"model_type":"llama","x":1})");
  SetMtime("config.json", mtime);  // only the size tells
  auto second = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->files_hashed, 1u);
  EXPECT_NE(second->digest, first->digest);
  EXPECT_EQ(second->files[0].sha256, Sha256(R"({"model_type":"llama","x":1})"));
}

TEST_F(ModelDigestTest, MtimeChangeInvalidatesTheCachedHash) {
  auto first = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(first.ok());
  struct timespec mtime = Mtime("config.json");
  Overwrite("config.json", R"({"model_type":"qwen2"})");  // same length as before
  mtime.tv_sec += 1;
  SetMtime("config.json", mtime);
  auto second = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->files_hashed, 1u);
  EXPECT_EQ(second->files[0].sha256, Sha256(R"({"model_type":"qwen2"})"));
}

// The cache trusts (path, size, mtime, inode): a same-size edit with the
// mtime put back keeps the stale hash, and only --force notices. This pins
// both the cache key and what the force flag is for.
TEST_F(ModelDigestTest, ForceRehashCatchesAnEditTheCacheKeyCannotSee) {
  auto first = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(first.ok());
  struct timespec mtime = Mtime("config.json");
  Overwrite("config.json", R"({"model_type":"qwen2"})");
  SetMtime("config.json", mtime);
  auto cached = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->digest, first->digest);
  auto forced = ComputeModelDigest(model_.string(), Options(/*force=*/true));
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced->files_hashed, 5u);
  EXPECT_NE(forced->digest, first->digest);
  EXPECT_EQ(forced->files[0].sha256, Sha256(R"({"model_type":"qwen2"})"));
}

TEST_F(ModelDigestTest, CorruptCacheFileIsIgnoredWithAWarning) {
  std::ofstream(cache_ / kModelDigestCacheFileName) << "{not json";
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->files_hashed, 5u);
  EXPECT_NE(manifest->cache_warning.find("ignoring unreadable digest cache"), std::string::npos);
  auto again = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files_from_cache, 5u);  // the cache was rewritten
  EXPECT_TRUE(again->cache_warning.empty()) << again->cache_warning;
}

TEST_F(ModelDigestTest, SymlinkInsideTheFolderIsFollowed) {
  fs::create_directories(model_ / "blobs");
  fs::rename(model_ / "tokenizer.json", model_ / "blobs" / "tok");
  fs::create_symlink("blobs/tok", model_ / "tokenizer.json");
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->files.back().relative_path, "tokenizer.json");
  EXPECT_EQ(manifest->files.back().sha256, Sha256(R"({"model":{}})"));
}

TEST_F(ModelDigestTest, SymlinkEscapingTheFolderIsRejected) {
  fs::rename(model_ / "tokenizer.json", root_ / "outside.json");
  fs::create_symlink("../outside.json", model_ / "tokenizer.json");
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(manifest.status().message().find("tokenizer.json: symlink points outside the model folder"),
            std::string::npos)
      << manifest.status();
}

TEST_F(ModelDigestTest, MissingConfigIsNotFound) {
  fs::remove(model_ / "config.json");
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_FALSE(manifest.ok());
  EXPECT_EQ(manifest.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(manifest.status().message().find("config.json: missing"), std::string::npos) << manifest.status();
}

TEST_F(ModelDigestTest, FolderWithoutWeightsIsNotFound) {
  fs::remove(model_ / "model-00001-of-00002.safetensors");
  fs::remove(model_ / "model-00002-of-00002.safetensors");
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_FALSE(manifest.ok());
  EXPECT_NE(manifest.status().message().find("no *.safetensors"), std::string::npos) << manifest.status();
}

TEST_F(ModelDigestTest, DirectoryNamedLikeAWeightFileIsRejected) {
  fs::create_directories(model_ / "extra.safetensors");
  auto manifest = ComputeModelDigest(model_.string(), Options());
  ASSERT_FALSE(manifest.ok());
  EXPECT_NE(manifest.status().message().find("extra.safetensors: not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace attestd
