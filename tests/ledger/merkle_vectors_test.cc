// Every probe of the shared RFC 9162 / MTC vectors (copied into
// testdata/, 518 files) must give its wantErr, plus the known-answer hashes
// and compact ranges of the reference tables.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "attest/sha256.h"
#include "ledger/compact_range.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_plan.h"
#include "ledger/proof_verify.h"

namespace attestd::ledger {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  return json::parse(in);
}

Bytes B64(const json& v) {
  absl::StatusOr<Bytes> out = Base64Decode(v.get<std::string>());
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : Bytes{};
}

std::vector<Bytes> Proof(const json& probe) {
  std::vector<Bytes> out;
  if (probe.contains("proof") && !probe["proof"].is_null()) {
    for (const json& h : probe["proof"]) out.push_back(B64(h));
  }
  return out;
}

absl::Status RunProbe(const std::string& kind, const json& p) {
  if (kind == "inclusion") {
    return VerifyInclusionRaw(p["leafIdx"].get<uint64_t>(), p["treeSize"].get<uint64_t>(), B64(p["leafHash"]),
                              Proof(p), B64(p["root"]));
  }
  if (kind == "consistency") {
    return VerifyConsistencyRaw(p["size1"].get<uint64_t>(), p["size2"].get<uint64_t>(), Proof(p), B64(p["root1"]),
                                B64(p["root2"]));
  }
  if (kind == "subtreeinclusion") {
    return VerifySubtreeInclusionRaw(p["leafIdx"].get<uint64_t>(), p["start"].get<uint64_t>(),
                                     p["end"].get<uint64_t>(), B64(p["leafHash"]), Proof(p), B64(p["root"]));
  }
  if (kind == "subtreeconsistency") {
    return VerifySubtreeConsistencyRaw(p["start"].get<uint64_t>(), p["end"].get<uint64_t>(),
                                       p["size"].get<uint64_t>(), Proof(p), B64(p["root1"]), B64(p["root2"]));
  }
  return absl::InternalError("unknown probe kind " + kind);
}

TEST(MerkleVectors, EveryProbeGivesItsWantErr) {
  int probes = 0;
  int valid = 0;
  for (const std::string kind : {"inclusion", "consistency", "subtreeinclusion", "subtreeconsistency"}) {
    const fs::path dir = fs::path("ledger/testdata") / kind;
    ASSERT_TRUE(fs::is_directory(dir)) << dir << " missing (tests run from tests/)";
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.path().extension() != ".json") continue;
      const json probe = ReadJson(entry.path());
      const bool want_err = probe["wantErr"].get<bool>();
      const absl::Status status = RunProbe(kind, probe);
      EXPECT_EQ(!status.ok(), want_err) << entry.path() << " (" << probe["desc"] << "): " << status;
      ++probes;
      if (!want_err) ++valid;
    }
  }
  EXPECT_EQ(probes, 518);
  // The vectors README says 35; the files hold 36 probes with wantErr false.
  EXPECT_EQ(valid, 36);
}

Digest32 Hex32(const json& v) {
  absl::StatusOr<Digest32> out = HexDecodeFixed<32>(v.get<std::string>());
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : Digest32{};
}

Bytes Hex(const json& v) {
  absl::StatusOr<Bytes> out = HexDecode(v.get<std::string>());
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : Bytes{};
}

TEST(MerkleVectors, HasherKnownAnswersMatchRfc6962) {
  const json table = ReadJson("ledger/testdata/tables/rfc6962_hasher.json");
  for (const json& c : table["cases"]) {
    const std::string op = c["op"];
    Digest32 got;
    if (op == "empty_root") {
      got = EmptyRoot();
    } else if (op == "hash_leaf") {
      got = HashLeaf(Hex(c["input_hex"]));
    } else {
      // The table hashes short strings as children; do the RFC formula by hand.
      Bytes buf{0x01};
      const Bytes l = Hex(c["left_hex"]);
      const Bytes r = Hex(c["right_hex"]);
      buf.insert(buf.end(), l.begin(), l.end());
      buf.insert(buf.end(), r.begin(), r.end());
      got = Sha256(ByteSpan(buf));
    }
    EXPECT_EQ(HexEncode(got), c["want"].get<std::string>()) << c["desc"];
  }
}

class MapReader : public NodeReader {
 public:
  explicit MapReader(const json& by_level) : by_level_(by_level) {}
  absl::StatusOr<Digest32> ReadNode(const NodeId& id) const override {
    if (id.level >= static_cast<int>(by_level_.size()) || id.index >= by_level_[id.level].size()) {
      return absl::NotFoundError("no node");
    }
    return Hex32(by_level_[id.level][id.index]);
  }

 private:
  const json& by_level_;
};

TEST(MerkleVectors, ReferenceTreeRootsCompactRangesAndProofs) {
  const json tree = ReadJson("ledger/testdata/tables/reference_tree.json");
  const json& leaves = tree["leaf_inputs"];
  const json& by_level = tree["node_hashes_by_level"];
  const MapReader reader(by_level);
  CompactRange range;
  std::vector<NodeHash> completed;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(HexEncode(range.Root()), tree["root_hash_by_tree_size"][n].get<std::string>()) << "size " << n;
    const json& want_frontier = tree["compact_range_by_tree_size"][n];
    ASSERT_EQ(range.frontier().size(), want_frontier.size()) << "size " << n;
    const std::vector<NodeId> tiles = TileRange(0, n);
    ASSERT_EQ(tiles.size(), want_frontier.size());
    for (size_t i = 0; i < want_frontier.size(); ++i) {
      EXPECT_EQ(HexEncode(range.frontier()[i]), want_frontier[i]["hash"].get<std::string>()) << "size " << n;
      EXPECT_EQ(tiles[i].level, want_frontier[i]["level"].get<int>()) << "size " << n;
      EXPECT_EQ(tiles[i].index, want_frontier[i]["index"].get<uint64_t>()) << "size " << n;
    }
    absl::StatusOr<Digest32> root = RootFromReader(n, reader);
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(*root, range.Root());
    if (n == leaves.size()) break;
    completed.clear();
    ASSERT_TRUE(range.Append(HashLeaf(Hex(leaves[n])), &completed).ok());
    for (const NodeHash& node : completed) {
      EXPECT_EQ(HexEncode(node.hash), by_level[node.id.level][node.id.index].get<std::string>());
    }
  }
  // Every inclusion and consistency proof of the 8-leaf tree verifies.
  int proofs = 0;
  for (uint64_t size = 1; size <= 8; ++size) {
    const Digest32 root = Hex32(tree["root_hash_by_tree_size"][size]);
    for (uint64_t index = 0; index < size; ++index) {
      absl::StatusOr<std::vector<Digest32>> proof = InclusionProof(index, size, reader);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyInclusion(index, size, Hex32(by_level[0][index]), *proof, root).ok());
      ++proofs;
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      absl::StatusOr<std::vector<Digest32>> proof = ConsistencyProof(size1, size, reader);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_TRUE(VerifyConsistency(size1, size, *proof, Hex32(tree["root_hash_by_tree_size"][size1]), root).ok());
      ++proofs;
    }
  }
  EXPECT_EQ(proofs, 72);
}

TEST(MerkleVectors, SeedProofsAreGeneratedByteForByte) {
  const json seeds = ReadJson("ledger/testdata/tables/proofgen_seed_tables.json");
  const json tree = ReadJson("ledger/testdata/tables/reference_tree.json");
  const MapReader reader(tree["node_hashes_by_level"]);
  for (const json& s : seeds["inclusion"]) {
    absl::StatusOr<std::vector<Digest32>> proof =
        InclusionProof(s["leaf_index"].get<uint64_t>(), s["tree_size"].get<uint64_t>(), reader);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(proof->size(), s["proof"].size());
    for (size_t i = 0; i < proof->size(); ++i) EXPECT_EQ(HexEncode((*proof)[i]), s["proof"][i].get<std::string>());
  }
  for (const json& s : seeds["consistency"]) {
    absl::StatusOr<std::vector<Digest32>> proof =
        ConsistencyProof(s["size1"].get<uint64_t>(), s["size2"].get<uint64_t>(), reader);
    ASSERT_TRUE(proof.ok()) << proof.status();
    ASSERT_EQ(proof->size(), s["proof"].size());
    for (size_t i = 0; i < proof->size(); ++i) EXPECT_EQ(HexEncode((*proof)[i]), s["proof"][i].get<std::string>());
  }
}

}  // namespace
}  // namespace attestd::ledger
