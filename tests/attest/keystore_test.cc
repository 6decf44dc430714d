#include "attest/keystore.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "attest/keccak256.h"
#include "attest/key_source.h"
#include "tests/testing/temp_dir.h"

namespace attestd {
namespace {

// Fast scrypt for tests; production writes n = 131072.
constexpr ScryptParams kFastScrypt{.n = 1024, .r = 8, .p = 1};

std::string ReadFixture(const std::string& name) {
  std::ifstream in("attest/testdata/" + name);
  EXPECT_TRUE(in.good()) << "missing tests/attest/testdata/" << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using ::attestd::testing::TempDir;

void WriteFileWithMode(const std::string& path, const std::string& content, mode_t mode) {
  std::ofstream(path) << content;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

SecretKey32 KeyFromLabel(std::string_view label) {
  auto key = SecretKey32::FromBytes(Keccak256(label).span());
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

std::string Mutate(const std::string& json_text, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json doc = nlohmann::json::parse(json_text);
  edit(doc);
  return doc.dump();
}

// Made by ethers 6 `new Wallet(key).encrypt(pw)` (tests/js/attest/make_ethers_keystore.mjs):
// key = keccak256("attestd keystore fixture"), scrypt n=131072 r=8 p=1.
TEST(Keystore, DecryptsKeystoreWrittenByEthers) {
  auto key = DecryptKeystore(ReadFixture("ethers_keystore.json"), "correct horse battery staple");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(HexEncode(key->secret()), "858d42ef7c3acf87cbd8adae7004ed1b1ae48b7f4b8cdc0675d8cf6b8dfa6a20");
  EXPECT_EQ(ToChecksumAddress(AddressOf(*key)), "0xb3E57D6C2Fc401F5725dA9CD7618909428689a3E");
}

// go-ethereum's accounts/keystore/testdata/very-light-scrypt.json (written
// by geth's keystore, lowercase "crypto", empty passphrase, n=2).
TEST(Keystore, DecryptsKeystoreWrittenByGeth) {
  auto key = DecryptKeystore(ReadFixture("geth_very_light_scrypt_keystore.json"), "");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(HexEncode(key->secret()), "33ff86a4a29a842eedd42a84f569d945c771857d4ddb639de730a547f08030c3");
  EXPECT_EQ(ToChecksumAddress(AddressOf(*key)), "0x45DeA0FB0bBA44f4fcF290bbA71Fd57d7117Cbb8");
  EXPECT_EQ(DecryptKeystore(ReadFixture("geth_very_light_scrypt_keystore.json"), "bad").status().code(),
            absl::StatusCode::kUnauthenticated);
}

// The PBKDF2 test vector of the Web3 Secret Storage Definition (also accepted
// by ethers' decryptKeystoreJsonSync); geth can write this kdf.
TEST(Keystore, DecryptsWeb3SpecPbkdf2Vector) {
  auto key = DecryptKeystore(ReadFixture("web3_spec_pbkdf2_keystore.json"), "testpassword");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(HexEncode(key->secret()), "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
}

TEST(Keystore, EncryptThenDecryptRoundTripsWithEthersLayout) {
  SecretKey32 key = KeyFromLabel("round trip");
  auto json_text = EncryptKeystore(key, "pw", kFastScrypt);
  ASSERT_TRUE(json_text.ok()) << json_text.status();
  nlohmann::json doc = nlohmann::json::parse(*json_text);
  EXPECT_EQ(doc["version"], 3);
  EXPECT_EQ(doc["address"], HexEncode(AddressOf(key)));  // lowercase, no 0x
  std::string id = doc["id"];
  ASSERT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4') << "UUID version nibble: " << id;
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << "UUID variant: " << id;
  EXPECT_EQ(doc["crypto"]["kdfparams"]["n"], 1024);
  EXPECT_EQ(doc["crypto"]["cipher"], "aes-128-ctr");
  auto back = DecryptKeystore(*json_text, "pw");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(HexEncode(back->secret()), HexEncode(key.secret()));
  EXPECT_EQ(KeystoreAddress(*json_text).value(), AddressOf(key));
}

TEST(Keystore, DefaultParamsAreEthersScrypt) {
  ScryptParams defaults;
  EXPECT_EQ(defaults.n, 131072u);
  EXPECT_EQ(defaults.r, 8u);
  EXPECT_EQ(defaults.p, 1u);
}

TEST(Keystore, FreshSaltAndIvEveryTime) {
  SecretKey32 key = KeyFromLabel("salt");
  auto a = nlohmann::json::parse(EncryptKeystore(key, "pw", kFastScrypt).value());
  auto b = nlohmann::json::parse(EncryptKeystore(key, "pw", kFastScrypt).value());
  EXPECT_NE(a["crypto"]["kdfparams"]["salt"], b["crypto"]["kdfparams"]["salt"]);
  EXPECT_NE(a["crypto"]["cipherparams"]["iv"], b["crypto"]["cipherparams"]["iv"]);
  EXPECT_NE(a["id"], b["id"]);
}

TEST(Keystore, WrongPassphraseIsUnauthenticated) {
  auto st = DecryptKeystore(ReadFixture("ethers_keystore.json"), "wrong horse").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(st.message().find("wrong passphrase"), std::string_view::npos) << st;
}

TEST(Keystore, TamperedMacIsUnauthenticatedWithItsOwnMessage) {
  std::string text = EncryptKeystore(KeyFromLabel("mac"), "pw", kFastScrypt).value();
  std::string tampered = Mutate(text, [](nlohmann::json& d) {
    std::string mac = d["crypto"]["mac"];
    mac[0] = mac[0] == '0' ? '1' : '0';
    d["crypto"]["mac"] = mac;
  });
  auto st = DecryptKeystore(tampered, "pw").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(st.message().find("mac field altered"), std::string_view::npos) << st;
  EXPECT_EQ(st.message().find("wrong passphrase"), std::string_view::npos) << st;
}

TEST(Keystore, TamperedCiphertextIsUnauthenticated) {
  std::string text = EncryptKeystore(KeyFromLabel("ct"), "pw", kFastScrypt).value();
  std::string tampered = Mutate(text, [](nlohmann::json& d) {
    std::string ct = d["crypto"]["ciphertext"];
    ct[10] = ct[10] == 'a' ? 'b' : 'a';
    d["crypto"]["ciphertext"] = ct;
  });
  EXPECT_EQ(DecryptKeystore(tampered, "pw").status().code(), absl::StatusCode::kUnauthenticated);
}

TEST(Keystore, AddressFieldNamingAnotherKeyIsDataLoss) {
  std::string text = EncryptKeystore(KeyFromLabel("addr"), "pw", kFastScrypt).value();
  std::string other = HexEncode(AddressOf(KeyFromLabel("someone else")));
  std::string tampered = Mutate(text, [&](nlohmann::json& d) { d["address"] = other; });
  auto st = DecryptKeystore(tampered, "pw").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
  EXPECT_NE(st.message().find(other), std::string_view::npos) << st;
}

TEST(Keystore, ErrorsNeverContainThePassphrase) {
  std::string text = ReadFixture("ethers_keystore.json");
  auto st = DecryptKeystore(text, "hunter2-secret").status();
  EXPECT_EQ(st.message().find("hunter2"), std::string_view::npos) << st;
}

TEST(Keystore, MalformedInputsAreInvalidArgument) {
  std::string good = EncryptKeystore(KeyFromLabel("malformed"), "pw", kFastScrypt).value();
  struct Case {
    const char* name;
    std::function<void(nlohmann::json&)> edit;
    const char* want;
  };
  std::vector<Case> cases = {
      {"version 1", [](nlohmann::json& d) { d["version"] = 1; }, "version 1, want 3"},
      {"unknown kdf", [](nlohmann::json& d) { d["crypto"]["kdf"] = "argon2"; }, "kdf \"argon2\""},
      {"unknown cipher", [](nlohmann::json& d) { d["crypto"]["cipher"] = "aes-128-cbc"; }, "cipher"},
      {"short iv", [](nlohmann::json& d) { d["crypto"]["cipherparams"]["iv"] = "00112233"; }, "got 4 bytes, want 16"},
      {"long ciphertext",
       [](nlohmann::json& d) { d["crypto"]["ciphertext"] = std::string(d["crypto"]["ciphertext"]) + "00"; },
       "got 33 bytes, want 32"},
      {"bad hex mac", [](nlohmann::json& d) { d["crypto"]["mac"] = std::string(64, 'z'); }, "invalid character"},
      {"dklen 16", [](nlohmann::json& d) { d["crypto"]["kdfparams"]["dklen"] = 16; }, "dklen 16, want 32"},
      {"n not power of two", [](nlohmann::json& d) { d["crypto"]["kdfparams"]["n"] = 1000; }, "power of two"},
      {"n too costly", [](nlohmann::json& d) { d["crypto"]["kdfparams"]["n"] = uint64_t{1} << 40; }, "exceeds"},
      {"n as string", [](nlohmann::json& d) { d["crypto"]["kdfparams"]["n"] = "1024"; }, "not a non-negative integer"},
      {"missing crypto", [](nlohmann::json& d) { d.erase("crypto"); }, "missing object \"crypto\""},
      {"missing mac", [](nlohmann::json& d) { d["crypto"].erase("mac"); }, "missing field \"mac\""},
  };
  for (const Case& c : cases) {
    auto st = DecryptKeystore(Mutate(good, c.edit), "pw").status();
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << c.name << ": " << st;
    EXPECT_NE(st.message().find(c.want), std::string_view::npos) << c.name << ": " << st;
  }
  EXPECT_EQ(DecryptKeystore("{not json", "pw").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecryptKeystore("[3]", "pw").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Keystore, HugePbkdf2IterationCountIsRefusedBeforeWork) {
  std::string pbkdf2 = ReadFixture("web3_spec_pbkdf2_keystore.json");
  std::string hostile = Mutate(pbkdf2, [](nlohmann::json& d) { d["crypto"]["kdfparams"]["c"] = uint64_t{1} << 40; });
  auto st = DecryptKeystore(hostile, "testpassword").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
}

TEST(Keystore, TruncatedKeystoreAtEveryLengthIsInvalidArgumentNotACrash) {
  std::string good = EncryptKeystore(KeyFromLabel("truncate"), "pw", kFastScrypt).value();
  for (size_t len = 0; len < good.size(); ++len) {
    auto st = DecryptKeystore(std::string_view(good).substr(0, len), "pw").status();
    ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << "length " << len << ": " << st;
  }
}

TEST(Keystore, WrongJsonTypesAnywhereAreInvalidArgument) {
  std::string good = EncryptKeystore(KeyFromLabel("types"), "pw", kFastScrypt).value();
  const nlohmann::json replacements[] = {nullptr, true, -1, 1.5, "x", nlohmann::json::array(), nlohmann::json::object()};
  nlohmann::json doc = nlohmann::json::parse(good);
  // Every leaf and object under the document, addressed by JSON pointer.
  nlohmann::json flat = doc.flatten();
  std::vector<std::string> pointers;
  for (auto it = flat.begin(); it != flat.end(); ++it) pointers.push_back(it.key());
  for (const char* obj : {"/crypto", "/crypto/cipherparams", "/crypto/kdfparams"}) pointers.push_back(obj);
  int rejected = 0;
  for (const std::string& ptr : pointers) {
    if (ptr == "/id") continue;  // ignored on read, as ethers and geth do
    for (const nlohmann::json& r : replacements) {
      nlohmann::json bad = doc;
      bad[nlohmann::json::json_pointer(ptr)] = r;
      auto st = DecryptKeystore(bad.dump(), "pw").status();
      ASSERT_FALSE(st.ok()) << ptr << " = " << r.dump();
      ASSERT_NE(st.code(), absl::StatusCode::kInternal) << ptr << " = " << r.dump() << ": " << st;
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 70);
}

TEST(Keystore, OversizedJsonIsRefusedBeforeParsing) {
  std::string huge(kMaxKeystoreFileBytes + 1, ' ');
  auto st = DecryptKeystore(huge, "pw").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("want at most"), std::string_view::npos) << st;
}

TEST(Keystore, EmptyPassphraseIsRefusedForNewKeystores) {
  EXPECT_EQ(EncryptKeystore(KeyFromLabel("e"), "", kFastScrypt).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KeystoreFile, WrittenWithMode0600AndNeverOverwritten) {
  TempDir dir;
  std::string path = dir.Sub("key.json");
  std::string text = EncryptKeystore(KeyFromLabel("file"), "pw", kFastScrypt).value();
  ASSERT_TRUE(WriteKeystoreFile(path, text).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(WriteKeystoreFile(path, "{}").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadKeystoreFile(path).value(), text);
}

TEST(KeySource, KeystoreWithPassphraseFileLoads) {
  TempDir dir;
  SecretKey32 key = KeyFromLabel("source");
  ASSERT_TRUE(WriteKeystoreFile(dir.Sub("k.json"), EncryptKeystore(key, "s3cret", kFastScrypt).value()).ok());
  WriteFileWithMode(dir.Sub("pw"), "s3cret\n", 0600);  // trailing newline as `echo` writes it
  auto loaded = LoadAttestorKey({.keystore_path = dir.Sub("k.json"), .passphrase_file = dir.Sub("pw")});
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(AddressOf(*loaded), AddressOf(key));
}

TEST(KeySource, KeystoreWithPassphraseEnvironmentVariableLoads) {
  TempDir dir;
  SecretKey32 key = KeyFromLabel("env");
  ASSERT_TRUE(WriteKeystoreFile(dir.Sub("k.json"), EncryptKeystore(key, "from env", kFastScrypt).value()).ok());
  ::setenv("ATTESTD_TEST_PASSPHRASE", "from env", 1);
  auto loaded = LoadAttestorKey({.keystore_path = dir.Sub("k.json"), .passphrase_env = "ATTESTD_TEST_PASSPHRASE"});
  ::unsetenv("ATTESTD_TEST_PASSPHRASE");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(AddressOf(*loaded), AddressOf(key));
}

TEST(KeySource, UnsetEnvironmentVariableIsNotFound) {
  ::unsetenv("ATTESTD_TEST_UNSET_PASSPHRASE");
  auto st = ReadPassphraseEnv("ATTESTD_TEST_UNSET_PASSPHRASE").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
}

TEST(KeySource, WrongPassphraseFromFileNamesTheKeystore) {
  TempDir dir;
  ASSERT_TRUE(WriteKeystoreFile(dir.Sub("k.json"), EncryptKeystore(KeyFromLabel("x"), "right", kFastScrypt).value()).ok());
  WriteFileWithMode(dir.Sub("pw"), "wrong", 0600);
  auto st = LoadAttestorKey({.keystore_path = dir.Sub("k.json"), .passphrase_file = dir.Sub("pw")}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_NE(st.message().find("k.json"), std::string_view::npos) << st;
}

TEST(KeySource, AmbiguousOrEmptySourcesAreInvalidArgument) {
  EXPECT_EQ(LoadAttestorKey({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadAttestorKey({.keystore_path = "a", .raw_key_path = "b"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadAttestorKey({.keystore_path = "a"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadAttestorKey({.keystore_path = "a", .passphrase_file = "p", .passphrase_env = "E"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RawKeyFile, WorldReadableFileIsRefusedNamingItsMode) {
  TempDir dir;
  std::string path = dir.Sub("raw.hex");
  WriteFileWithMode(path, HexEncode(KeyFromLabel("raw").secret()), 0644);
  auto st = LoadAttestorKey({.raw_key_path = path}).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("0644"), std::string_view::npos) << st;
}

TEST(RawKeyFile, GroupReadableFileIsRefused) {
  TempDir dir;
  std::string path = dir.Sub("raw.hex");
  WriteFileWithMode(path, HexEncode(KeyFromLabel("raw").secret()), 0640);
  EXPECT_EQ(LoadRawKeyFile(path).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RawKeyFile, Mode0600FileLoadsWithWarning) {
  TempDir dir;
  std::string path = dir.Sub("raw.hex");
  SecretKey32 key = KeyFromLabel("raw");
  WriteFileWithMode(path, "0x" + HexEncode(key.secret()) + "\n", 0600);
  ::testing::internal::CaptureStderr();
  auto loaded = LoadAttestorKey({.raw_key_path = path});
  std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(AddressOf(*loaded), AddressOf(key));
  EXPECT_NE(err.find("warning"), std::string::npos) << err;
  EXPECT_EQ(err.find(HexEncode(key.secret())), std::string::npos) << "the key was printed";
}

TEST(RawKeyFile, MalformedHexIsInvalidArgumentWithoutEchoingIt) {
  TempDir dir;
  std::string path = dir.Sub("raw.hex");
  WriteFileWithMode(path, "abcdef0123456789zz", 0600);
  auto st = LoadRawKeyFile(path).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message().find("abcdef"), std::string_view::npos) << st;
  WriteFileWithMode(path, std::string(62, 'a'), 0600);
  EXPECT_NE(LoadRawKeyFile(path).status().message().find("got 62 hex digits, want 64"), std::string_view::npos);
  WriteFileWithMode(path, std::string(40, 'b') + "g" + std::string(23, 'b'), 0600);
  st = LoadRawKeyFile(path).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("offset 40"), std::string_view::npos) << st;
  EXPECT_EQ(st.message().find("bbbb"), std::string_view::npos) << st;
  WriteFileWithMode(path, std::string(64, '0'), 0600);  // key 0 is outside 0 < key < n
  EXPECT_EQ(LoadRawKeyFile(path).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CoreDumps, ProcessIsMarkedNonDumpableWithZeroCoreLimit) {
  ASSERT_TRUE(ExcludeProcessFromCoreDumps().ok());
  EXPECT_EQ(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
  struct rlimit lim;
  ASSERT_EQ(::getrlimit(RLIMIT_CORE, &lim), 0);
  EXPECT_EQ(lim.rlim_cur, 0u);
  EXPECT_EQ(lim.rlim_max, 0u);
}

TEST(RawKeyFile, MissingFileIsNotFound) {
  EXPECT_EQ(LoadRawKeyFile("attest/testdata/no-such-key").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace attestd
