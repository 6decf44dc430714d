// `attest proof verify` and `attest logkey` end to end: the exit code is 0
// for a good proof, 1 for a proof/leaf/checkpoint that does not verify, and 2
// for malformed input or flags.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "attest/ed25519.h"
#include "attest/signed_note.h"
#include "ledger/checkpoint.h"
#include "ledger/compact_range.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_json.h"
#include "ledger/proof_plan.h"
#include "tests/testing/temp_dir.h"

#ifndef ATTEST_CLI_PATH
#error "ATTEST_CLI_PATH must name the attest executable"
#endif

namespace attestd::ledger {
namespace {

namespace fs = std::filesystem;

class MemoryNodes : public NodeReader {
 public:
  absl::StatusOr<Digest32> ReadNode(const NodeId& id) const override {
    auto it = nodes.find(id);
    if (it == nodes.end()) return absl::NotFoundError("missing");
    return it->second;
  }
  std::map<NodeId, Digest32> nodes;
};

struct RunResult {
  int exit_code;
  std::string output;
};

RunResult RunAttest(const std::string& args) {
  const std::string command = std::string(ATTEST_CLI_PATH) + " " + args + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  std::string output;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) output.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

class ProofCliTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kSize = 13;
  static constexpr uint64_t kIndex = 6;

  void SetUp() override {
    CompactRange range;
    std::vector<NodeHash> completed;
    for (uint64_t i = 0; i < kSize; ++i) {
      leaves_.push_back(Bytes(321, static_cast<uint8_t>(i)));
      completed.clear();
      ASSERT_TRUE(range.Append(HashLeaf(leaves_.back()), &completed).ok());
      for (const NodeHash& n : completed) store_.nodes[n.id] = n.hash;
      if (i + 1 == 5) root5_ = range.Root();
    }
    root_ = range.Root();
    InclusionProofRecord inc{kIndex, kSize, HashLeaf(leaves_[kIndex]), root_, *InclusionProof(kIndex, kSize, store_)};
    Write("inclusion.json", InclusionProofToJson(inc));
    Write("leaf.bin", std::string(leaves_[kIndex].begin(), leaves_[kIndex].end()));
    Write("other_leaf.bin", std::string(leaves_[kIndex + 1].begin(), leaves_[kIndex + 1].end()));
    ConsistencyProofRecord con{5, kSize, root5_, root_, *ConsistencyProof(5, kSize, store_)};
    Write("consistency.json", ConsistencyProofToJson(con));
    con.root_from[0] ^= 1;
    Write("bad_consistency.json", ConsistencyProofToJson(con));
    inc.proof[1][5] ^= 0x10;
    Write("bad_inclusion.json", InclusionProofToJson(inc));
    Write("malformed.json", "{\"index\":6,\"tree_size\":13");

    key_.emplace(*Ed25519PrivateKey::FromSeed(Bytes(32, 0x33)));
    vkey_ = FormatNoteVerifierKey(*MakeNoteVerifierKey("attestd.test/log", key_->public_key()));
    Write("checkpoint", *SignCheckpoint(Checkpoint{"attestd.test/log", kSize, root_, {}}, *key_));
    Write("checkpoint5", *SignCheckpoint(Checkpoint{"attestd.test/log", 5, root5_, {}}, *key_));
    Write("stale_checkpoint", *SignCheckpoint(Checkpoint{"attestd.test/log", 5, root5_, {}}, *key_));
    const Ed25519PrivateKey other = *Ed25519PrivateKey::FromSeed(Bytes(32, 0x44));
    Write("forged_checkpoint", *SignCheckpoint(Checkpoint{"attestd.test/log", kSize, root_, {}}, other));
  }

  void Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  attestd::testing::TempDir tmp_{"proof-cli"};
  fs::path dir_ = tmp_.path();
  std::vector<Bytes> leaves_;
  MemoryNodes store_;
  Digest32 root_;
  Digest32 root5_;
  std::optional<Ed25519PrivateKey> key_;
  std::string vkey_;
};

TEST_F(ProofCliTest, ValidInclusionProofWithLeafAndCheckpointExitsZero) {
  RunResult r = RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --leaf-file " + P("leaf.bin") +
                    " --checkpoint " + P("checkpoint") + " --log-key '" + vkey_ + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("verified: leaf 6"), std::string::npos) << r.output;
  r = RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --leaf-hash " +
          HexEncode(HashLeaf(leaves_[kIndex])));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(ProofCliTest, WrongLeafTamperedProofOrForgedCheckpointExitsOne) {
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --leaf-file " + P("other_leaf.bin"))
                .exit_code,
            1);
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("bad_inclusion.json")).exit_code, 1);
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --checkpoint " +
                P("forged_checkpoint") + " --log-key '" + vkey_ + "'")
                .exit_code,
            1);
  const RunResult stale = RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --checkpoint " +
                              P("stale_checkpoint") + " --log-key '" + vkey_ + "'");
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.output.find("tree size 5"), std::string::npos) << stale.output;
}

TEST_F(ProofCliTest, MalformedInputOrFlagsExitTwo) {
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("malformed.json")).exit_code, 2);
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("missing.json")).exit_code, 2);
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --leaf-hash abcd").exit_code, 2);
  // A leaf file that is not 321 bytes is not an attestd leaf.
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --leaf-file " + P("inclusion.json"))
                .exit_code,
            2);
  // --checkpoint without --log-key, and a consistency proof given as inclusion.
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --checkpoint " + P("checkpoint")).exit_code,
            2);
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("consistency.json")).exit_code, 2);
  EXPECT_EQ(RunAttest("proof verify inclusion --proof " + P("inclusion.json") + " --checkpoint " + P("checkpoint") +
                " --log-key not-a-key+1+2")
                .exit_code,
            2);
}

TEST_F(ProofCliTest, ConsistencyProofExitCodes) {
  RunResult r = RunAttest("proof verify consistency --proof " + P("consistency.json") + " --old-checkpoint " +
                    P("checkpoint5") + " --checkpoint " + P("checkpoint") + " --log-key '" + vkey_ + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(RunAttest("proof verify consistency --proof " + P("bad_consistency.json")).exit_code, 1);
  // The checkpoints swapped: sizes disagree with the proof.
  EXPECT_EQ(RunAttest("proof verify consistency --proof " + P("consistency.json") + " --old-checkpoint " +
                P("checkpoint") + " --log-key '" + vkey_ + "'")
                .exit_code,
            1);
  EXPECT_EQ(RunAttest("proof verify consistency --proof " + P("inclusion.json")).exit_code, 2);
}

TEST_F(ProofCliTest, LogkeyGeneratePrintsVerifierKeyThatOpensItsCheckpoints) {
  const std::string key_file = P("log.pem");
  RunResult r = RunAttest("logkey generate --key-file " + key_file + " --origin attestd.test/log");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  absl::StatusOr<NoteVerifierKey> vkey = ParseNoteVerifierKey(r.output);
  ASSERT_TRUE(vkey.ok()) << vkey.status() << " in " << r.output;
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::LoadFile(key_file);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(vkey->public_key, key->public_key());
  RunResult again = RunAttest("logkey vkey --key-file " + key_file + " --origin attestd.test/log");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.output, r.output + "\n");
  // Never overwrites an existing key.
  EXPECT_EQ(RunAttest("logkey generate --key-file " + key_file + " --origin attestd.test/log").exit_code, 2);
}

}  // namespace
}  // namespace attestd::ledger
