// Proof JSON: documented byte form, strict parsing of every malformed shape,
// and checkpoint bodies and their signed notes.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "attest/ed25519.h"
#include "attest/sha256.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_json.h"
#include "ledger/proof_verify.h"

namespace attestd::ledger {
namespace {

Digest32 H(uint8_t fill) {
  Digest32 d;
  d.bytes.fill(fill);
  return d;
}

const std::string kHexA(64, 'a');
const std::string kHexB(64, 'b');

TEST(ProofJsonTest, InclusionPrintsDocumentedKeysInOrderAndRoundTrips) {
  InclusionProofRecord record{5, 8, H(0x11), H(0x22), {H(0xab), H(0xcd)}};
  const std::string json = InclusionProofToJson(record);
  EXPECT_EQ(json, "{\"index\":5,\"tree_size\":8,\"leaf_hash\":\"" + std::string(64, '1') + "\",\"root\":\"" +
                      std::string(64, '2') + "\",\"proof\":[\"" + HexEncode(H(0xab)) + "\",\"" + HexEncode(H(0xcd)) + "\"]}");
  absl::StatusOr<InclusionProofRecord> parsed = ParseInclusionProofJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, record);
}

TEST(ProofJsonTest, ConsistencyPrintsDocumentedKeysInOrderAndRoundTrips) {
  ConsistencyProofRecord record{6, 8, H(1), H(2), {H(3)}};
  const std::string json = ConsistencyProofToJson(record);
  EXPECT_EQ(json.substr(0, 30), "{\"from\":6,\"to\":8,\"root_from\":\"");
  EXPECT_NE(json.find("\"root_to\":\"" + HexEncode(H(2)) + "\",\"proof\":[\"" + HexEncode(H(3)) + "\"]}"),
            std::string::npos);
  absl::StatusOr<ConsistencyProofRecord> parsed = ParseConsistencyProofJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, record);
}

void ExpectInclusionRejected(const std::string& json, const std::string& want_in_message) {
  absl::StatusOr<InclusionProofRecord> parsed = ParseInclusionProofJson(json);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << json;
  EXPECT_NE(parsed.status().message().find(want_in_message), std::string::npos)
      << json << " -> " << parsed.status();
}

std::string Inclusion(const std::string& index, const std::string& leaf, const std::string& proof,
                      const std::string& extra = "") {
  return "{\"index\":" + index + ",\"tree_size\":8,\"leaf_hash\":" + leaf + ",\"root\":\"" + kHexB +
         "\",\"proof\":" + proof + extra + "}";
}

TEST(ProofJsonTest, MalformedInclusionJsonIsRejectedWithTheFieldNamed) {
  const std::string leaf = "\"" + kHexA + "\"";
  ASSERT_TRUE(ParseInclusionProofJson(Inclusion("1", leaf, "[]")).ok());
  ExpectInclusionRejected("{\"index\":1", "not valid JSON");
  ExpectInclusionRejected("[1,2]", "want a JSON object");
  ExpectInclusionRejected(Inclusion("-1", leaf, "[]"), "\"index\" is negative");
  ExpectInclusionRejected(Inclusion("1.5", leaf, "[]"), "want an integer");
  ExpectInclusionRejected(Inclusion("\"1\"", leaf, "[]"), "want an integer");
  ExpectInclusionRejected(Inclusion("18446744073709551616", leaf, "[]"), "want an integer");
  ExpectInclusionRejected(Inclusion("1", "\"" + kHexA.substr(2) + "\"", "[]"), "got 62 hex digits, want 64");
  ExpectInclusionRejected(Inclusion("1", "\"" + kHexA + "aa\"", "[]"), "got 66 hex digits, want 64");
  ExpectInclusionRejected(Inclusion("1", "\"" + std::string(64, 'A') + "\"", "[]"), "lowercase hex");
  ExpectInclusionRejected(Inclusion("1", "\"" + std::string(63, 'a') + "g\"", "[]"), "character 63");
  ExpectInclusionRejected(Inclusion("1", leaf, "[\"" + kHexA.substr(1) + "\"]"), "proof[0]: got 63 hex digits");
  ExpectInclusionRejected(Inclusion("1", leaf, "null"), "want an array");
  ExpectInclusionRejected(Inclusion("1", leaf, "[1]"), "proof[0] is number");
  ExpectInclusionRejected(Inclusion("1", leaf, "[]", ",\"extra\":1"), "unknown field \"extra\"");
  ExpectInclusionRejected(Inclusion("1", leaf, "[]", ",\"index\":2"), "duplicate key \"index\"");
  ExpectInclusionRejected("{\"index\":1,\"tree_size\":8,\"leaf_hash\":" + leaf + ",\"proof\":[]}",
                          "missing field \"root\"");
}

TEST(ProofJsonTest, MalformedConsistencyJsonIsRejected) {
  EXPECT_EQ(ParseConsistencyProofJson("{\"from\":1,\"to\":2,\"root_from\":\"" + kHexA + "\",\"root_to\":\"" + kHexB +
                                      "\",\"proof\":[],\"to\":3}")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseConsistencyProofJson("{\"from\":1,\"to\":2,\"root_from\":\"" + kHexA + "\",\"root_to\":\"ab\",\"proof\":[]}")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // An inclusion proof is not a consistency proof.
  EXPECT_EQ(ParseConsistencyProofJson(InclusionProofToJson({})).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProofJsonTest, ParsedRecordsVerifyAndOutOfRangeRecordsDoNot) {
  const Digest32 l0 = HashLeaf(AsBytes("a"));
  const Digest32 l1 = HashLeaf(AsBytes("b"));
  InclusionProofRecord record{1, 2, l1, HashChildren(l0, l1), {l0}};
  absl::StatusOr<InclusionProofRecord> parsed = ParseInclusionProofJson(InclusionProofToJson(record));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyInclusionRecord(*parsed).ok());
  parsed->index = 2;
  EXPECT_EQ(VerifyInclusionRecord(*parsed).code(), absl::StatusCode::kOutOfRange);
  ConsistencyProofRecord consistency{1, 2, l0, HashChildren(l0, l1), {l1}};
  EXPECT_TRUE(VerifyConsistencyRecord(consistency).ok());
  consistency.from = 0;
  EXPECT_EQ(VerifyConsistencyRecord(consistency).code(), absl::StatusCode::kInvalidArgument);
}

TEST(CheckpointTest, C2spExampleBodyParsesAndReformatsByteForByte) {
  const std::string body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  absl::StatusOr<Checkpoint> cp = ParseCheckpoint(body);
  ASSERT_TRUE(cp.ok()) << cp.status();
  EXPECT_EQ(cp->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(cp->size, 20852163u);
  EXPECT_TRUE(cp->extensions.empty());
  EXPECT_EQ(*FormatCheckpoint(*cp), body);
  // SPEC: logId = SHA-256(origin line).
  EXPECT_EQ(LogIdOf("example.com/behind-the-sofa"), Sha256(std::string_view("example.com/behind-the-sofa")));
}

TEST(CheckpointTest, ExtensionLinesRoundTrip) {
  const Checkpoint cp{"attestd.test/log", 0, EmptyRoot(), {"ext one", "ext two"}};
  absl::StatusOr<std::string> body = FormatCheckpoint(cp);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "attestd.test/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next one\next two\n");
  EXPECT_EQ(*ParseCheckpoint(*body), cp);
}

TEST(CheckpointTest, MalformedBodiesAreRejected) {
  const std::string root = "\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
  for (const std::string& bad : {
           std::string("log\n1") + root.substr(0, root.size() - 1),  // no final newline
           std::string("\n1") + root,                                 // empty origin
           std::string("log\n01") + root,                             // leading zero
           std::string("log\n+1") + root,                             // sign
           std::string("log\n18446744073709551616") + root,           // overflow
           std::string("log\n1\nAAAA\n"),                             // 3-byte root
           std::string("log\n1\n47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"),  // URL-safe base64
           std::string("log\n1") + root + "\n",                       // empty extension line
           std::string("log\n1\n"),                                   // too few lines
       }) {
    EXPECT_EQ(ParseCheckpoint(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(FormatCheckpoint(Checkpoint{"a\nb", 1, EmptyRoot(), {}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CheckpointTest, SignedCheckpointOpensOnlyWithTheLogsOwnKey) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromSeed(Bytes(32, 9));
  ASSERT_TRUE(key.ok());
  const Checkpoint cp{"attestd.test/log", 42, H(0x42), {}};
  absl::StatusOr<std::string> note = SignCheckpoint(cp, *key);
  ASSERT_TRUE(note.ok()) << note.status();
  const NoteVerifierKey known[] = {*MakeNoteVerifierKey("attestd.test/log", key->public_key())};
  absl::StatusOr<Checkpoint> opened = OpenCheckpoint(*note, known);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, cp);
  // A note signed by a different name (a witness) is not the log's checkpoint.
  absl::StatusOr<std::string> by_other = SignNote(*FormatCheckpoint(cp), "witness.test", *key);
  const NoteVerifierKey witness[] = {*MakeNoteVerifierKey("witness.test", key->public_key())};
  EXPECT_EQ(OpenCheckpoint(*by_other, witness).status().code(), absl::StatusCode::kUnauthenticated);
  // A changed size breaks the signature.
  std::string tampered = *note;
  tampered.replace(tampered.find("\n42\n"), 4, "\n43\n");
  EXPECT_EQ(OpenCheckpoint(tampered, known).status().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace attestd::ledger

namespace attestd::ledger {
namespace {

// Hostile bytes: every single-byte mutation class applied at random places
// must give an error or a well-formed record, never a crash (rerun under
// ASan/UBSan in CI).
TEST(ProofJsonTest, RandomByteMutationsNeverCrashParsersOrVerifiers) {
  const Digest32 l0 = HashLeaf(AsBytes("a"));
  const Digest32 l1 = HashLeaf(AsBytes("b"));
  const std::string inclusion = InclusionProofToJson({1, 2, l1, HashChildren(l0, l1), {l0}});
  const std::string consistency = ConsistencyProofToJson({1, 2, l0, HashChildren(l0, l1), {l1}});
  const std::string checkpoint = "attestd.test/log\n2\n" + Base64Encode(HashChildren(l0, l1).span()) + "\n";
  const char kAlphabet[] = "{}[]\",:0123456789abcdefABCDEF-+.eE \n\\u\xE2\x80\x94";
  std::mt19937_64 rng(20260723);
  int parsed_ok = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    for (const std::string* original : {&inclusion, &consistency, &checkpoint}) {
      std::string text = *original;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !text.empty(); ++e) {
        const size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0: text[at] = kAlphabet[rng() % (sizeof(kAlphabet) - 1)]; break;
          case 1: text.erase(at, 1 + rng() % 4); break;
          default: text.insert(at, 1, kAlphabet[rng() % (sizeof(kAlphabet) - 1)]); break;
        }
      }
      if (original == &checkpoint) {
        parsed_ok += ParseCheckpoint(text).ok();
        continue;
      }
      if (absl::StatusOr<InclusionProofRecord> r = ParseInclusionProofJson(text); r.ok()) {
        ++parsed_ok;
        (void)VerifyInclusionRecord(*r).ok();
      }
      if (absl::StatusOr<ConsistencyProofRecord> r = ParseConsistencyProofJson(text); r.ok()) {
        ++parsed_ok;
        (void)VerifyConsistencyRecord(*r).ok();
      }
    }
  }
  // Some mutations are harmless (a digit changed), most are not.
  EXPECT_GT(parsed_ok, 0);
  EXPECT_LT(parsed_ok, 9000);
}

}  // namespace
}  // namespace attestd::ledger
