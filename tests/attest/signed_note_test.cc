// Ed25519 keys and C2SP signed notes: the published C2SP example verifies,
// our own notes round-trip, and every tampering is refused.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <nlohmann/json.hpp>
#include <string>

#include "attest/ed25519.h"
#include "attest/signed_note.h"
#include "tests/testing/temp_dir.h"

namespace attestd {
namespace {

nlohmann::json Examples() {
  std::ifstream in("attest/testdata/c2sp_examples.json");
  EXPECT_TRUE(in) << "attest/testdata/c2sp_examples.json missing (tests run from tests/)";
  return nlohmann::json::parse(in);
}

Ed25519PrivateKey TestKey(uint8_t fill) {
  Bytes seed(32, fill);
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromSeed(seed);
  EXPECT_TRUE(key.ok()) << key.status();
  return std::move(key).value();
}

TEST(SignedNoteTest, PublishedC2spEd25519ExampleVerifies) {
  const nlohmann::json ex = Examples()["signed_note_ed25519_example"];
  absl::StatusOr<NoteVerifierKey> key = ParseNoteVerifierKey(ex["vkey"].get<std::string>());
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->name, "example.com/foo");
  EXPECT_EQ(key->key_hash, 0x530d903au);
  EXPECT_EQ(FormatNoteVerifierKey(*key), ex["vkey"].get<std::string>());
  const NoteVerifierKey known[] = {*key};
  absl::StatusOr<VerifiedNote> opened = OpenNote(ex["note"].get<std::string>(), known);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->text, ex["note_text_signed"].get<std::string>());
  ASSERT_EQ(opened->verified_by.size(), 1u);
}

TEST(SignedNoteTest, TamperedTextOrSignatureOfExampleIsUnauthenticated) {
  const nlohmann::json ex = Examples()["signed_note_ed25519_example"];
  const NoteVerifierKey known[] = {*ParseNoteVerifierKey(ex["vkey"].get<std::string>())};
  std::string note = ex["note"].get<std::string>();
  std::string text_changed = note;
  text_changed[0] = 't';
  EXPECT_EQ(OpenNote(text_changed, known).status().code(), absl::StatusCode::kUnauthenticated);
  // Flip a bit inside the signature (after the 4-byte key hash).
  std::string sig_changed = note;
  const size_t sig_at = sig_changed.rfind(' ') + 12;
  sig_changed[sig_at] = sig_changed[sig_at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(OpenNote(sig_changed, known).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(SignedNoteTest, CheckpointExampleParsesButHasNoKnownSigner) {
  const nlohmann::json ex = Examples()["cosignature_example"];
  absl::StatusOr<ParsedNote> parsed = ParseNote(ex["note"].get<std::string>());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->signatures.size(), 2u);
  EXPECT_EQ(parsed->signatures[0].name, "example.com/behind-the-sofa");
  EXPECT_EQ(parsed->signatures[1].name, "witness.example.com/w1");
  EXPECT_EQ(parsed->signatures[1].signature.size(), 72u);  // timestamp + signature
  const Ed25519PrivateKey other = TestKey(7);
  const NoteVerifierKey known[] = {*MakeNoteVerifierKey("example.com/behind-the-sofa", other.public_key())};
  EXPECT_EQ(OpenNote(ex["note"].get<std::string>(), known).status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(SignedNoteTest, OwnNoteRoundTripsAndUnknownSignersAreIgnored) {
  const Ed25519PrivateKey log_key = TestKey(1);
  const Ed25519PrivateKey witness_key = TestKey(2);
  const std::string text = "attestd.test/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
  absl::StatusOr<std::string> note = SignNote(text, "attestd.test/log", log_key);
  ASSERT_TRUE(note.ok()) << note.status();
  absl::StatusOr<std::string> witness_line = NoteSignatureLine(text, "witness.test", witness_key);
  ASSERT_TRUE(witness_line.ok());
  const std::string cosigned = *note + *witness_line;
  const NoteVerifierKey log_vkey = *MakeNoteVerifierKey("attestd.test/log", log_key.public_key());
  const NoteVerifierKey known[] = {*ParseNoteVerifierKey(FormatNoteVerifierKey(log_vkey))};
  absl::StatusOr<VerifiedNote> opened = OpenNote(cosigned, known);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->text, text);
  EXPECT_EQ(opened->verified_by, std::vector<std::string>{"attestd.test/log"});
}

TEST(SignedNoteTest, VerifierKeyWhoseBase64ContainsPlusParses) {
  // '+' separates the fields, but standard base64 of the key may contain it too.
  int with_plus = 0;
  for (int fill = 0; fill < 64 && with_plus < 3; ++fill) {
    const Ed25519PrivateKey key = TestKey(static_cast<uint8_t>(fill));
    const std::string vkey = FormatNoteVerifierKey(*MakeNoteVerifierKey("log", key.public_key()));
    if (std::count(vkey.begin(), vkey.end(), '+') < 3) continue;
    ++with_plus;
    absl::StatusOr<NoteVerifierKey> parsed = ParseNoteVerifierKey(vkey);
    ASSERT_TRUE(parsed.ok()) << vkey << ": " << parsed.status();
    EXPECT_EQ(parsed->public_key, key.public_key());
  }
  EXPECT_EQ(with_plus, 3);
}

TEST(SignedNoteTest, KnownNameWithWrongKeyHashIsNotCountedAsSigner) {
  const Ed25519PrivateKey log_key = TestKey(1);
  const Ed25519PrivateKey impostor = TestKey(3);
  absl::StatusOr<std::string> note = SignNote("hello\n", "log", impostor);
  ASSERT_TRUE(note.ok());
  const NoteVerifierKey known[] = {*MakeNoteVerifierKey("log", log_key.public_key())};
  EXPECT_EQ(OpenNote(*note, known).status().code(), absl::StatusCode::kUnauthenticated);
}

// C2SP signed-note forbids Unicode spaces in key names; Go's verifier
// refuses a name with U+00A0, so signing under one would make notes that
// standard witnesses cannot check.
TEST(SignedNoteTest, KeyNameWithUnicodeSpaceOrPlusIsRefused) {
  for (const std::string bad : {"log\xC2\xA0one", "log\xE2\x80\x83one", "log\xE3\x80\x80one", "log\xE2\x80\xA8",
                                "\xC2\x85log", "log+one", "log\tone", "log\x7F", "log\xC0\xAF"}) {
    absl::Status st = CheckNoteKeyName(bad);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(CheckNoteKeyName("log\xC2\xA0one").message().find("U+00A0"), std::string::npos);
  for (const std::string good : {"attestd.dev/log", "example.com/\xC3\xA9t\xC3\xA9", "log-\xE2\x80\x8B", "\xF0\x9F\x93\x9C"}) {
    EXPECT_TRUE(CheckNoteKeyName(good).ok()) << good << ": " << CheckNoteKeyName(good);
  }
}

TEST(SignedNoteTest, MalformedNotesAndKeysAreInvalidArgument) {
  const Ed25519PrivateKey key = TestKey(1);
  EXPECT_EQ(SignNote("no newline", "log", key).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("x\n", "bad name", key).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SignNote("x\n", "bad+name", key).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNote("text only\n").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNote("text\n\n- log AAAA\n").status().code(), absl::StatusCode::kInvalidArgument);  // ASCII dash
  EXPECT_EQ(ParseNote("text\n\n\xE2\x80\x94 log AAAA").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNote("text\n\n\xE2\x80\x94 log !!!!\n").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNote("te\xFFxt\n\n\xE2\x80\x94 log AAAAAAAA\n").status().code(), absl::StatusCode::kInvalidArgument);
  const std::string vkey = FormatNoteVerifierKey(*MakeNoteVerifierKey("log", key.public_key()));
  std::string wrong_hash = vkey;
  wrong_hash[4] = wrong_hash[4] == '0' ? '1' : '0';
  EXPECT_EQ(ParseNoteVerifierKey(wrong_hash).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNoteVerifierKey("log+12345678").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseNoteVerifierKey(vkey.substr(0, vkey.size() - 4)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SignedNoteTest, RandomByteMutationsOfExampleNeverCrashOrVerify) {
  const nlohmann::json ex = Examples()["signed_note_ed25519_example"];
  const NoteVerifierKey known[] = {*ParseNoteVerifierKey(ex["vkey"].get<std::string>())};
  const std::string note = ex["note"].get<std::string>();
  const std::string vkey = ex["vkey"].get<std::string>();
  std::mt19937_64 rng(8032);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text = note;
    std::string key_text = vkey;
    const size_t at = rng() % text.size();
    const char byte = static_cast<char>(rng() % 256);
    if (text[at] == byte) continue;
    text[at] = byte;
    key_text[rng() % key_text.size()] = byte;
    // A changed byte anywhere (text, name, key hash or signature) must not verify.
    EXPECT_FALSE(OpenNote(text, known).ok()) << "mutation at " << at;
    (void)ParseNoteVerifierKey(key_text).ok();
  }
}

class Ed25519FileTest : public ::testing::Test {
 protected:
  attestd::testing::TempDir tmp_{"ed25519"};
  std::filesystem::path dir_ = tmp_.path();
};

TEST_F(Ed25519FileTest, PemFileRoundTripsWithMode0600AndIsNeverOverwritten) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  const std::string path = (dir_ / "log.pem").string();
  ASSERT_TRUE(key->SavePemFile(path).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  absl::StatusOr<Ed25519PrivateKey> loaded = Ed25519PrivateKey::LoadFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->public_key(), key->public_key());
  absl::StatusOr<Ed25519Signature> sig = loaded->Sign(AsBytes("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Ed25519Verify(key->public_key(), AsBytes("m"), *sig).ok());
  EXPECT_EQ(Ed25519Verify(key->public_key(), AsBytes("n"), *sig).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(key->SavePemFile(path).code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(Ed25519FileTest, KeyFileReadableByOthersIsRefused) {
  const std::string path = (dir_ / "seed.key").string();
  std::ofstream(path, std::ios::binary) << std::string(32, '\x05');
  ::chmod(path.c_str(), 0644);
  absl::StatusOr<Ed25519PrivateKey> loaded = Ed25519PrivateKey::LoadFile(path);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(loaded.status().message().find("0644"), std::string::npos) << loaded.status();
  ::chmod(path.c_str(), 0600);
  loaded = Ed25519PrivateKey::LoadFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->public_key(), TestKey(5).public_key());
}

TEST_F(Ed25519FileTest, GarbageAndMissingKeyFilesAreRefused) {
  const std::string path = (dir_ / "junk.key").string();
  std::ofstream(path, std::ios::binary) << "not a key";
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(Ed25519PrivateKey::LoadFile(path).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519PrivateKey::LoadFile((dir_ / "missing").string()).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Ed25519PrivateKey::FromSeed(Bytes(31)).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Ed25519Test, Rfc8032TestVector1) {
  // RFC 8032 section 7.1, TEST 1 (empty message).
  const Bytes seed = *HexDecode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::FromSeed(seed);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(HexEncode(key->public_key()), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  absl::StatusOr<Ed25519Signature> sig = key->Sign(ByteSpan());
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(HexEncode(*sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
}

}  // namespace
}  // namespace attestd
