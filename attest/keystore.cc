// V3 keystore JSON: KDFs, AES-128-CTR, MAC, encode and decode.
// Files, passphrases and key sources are in key_source.cc.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <type_traits>
#include <nlohmann/json.hpp>

#include "attest/keccak256.h"
#include "attest/keystore.h"

namespace attestd {
namespace {

using nlohmann::json;

constexpr size_t kDerivedKeySize = 32;
constexpr size_t kIvSize = 16;
constexpr size_t kMaxSaltBytes = 1024;

// Wipes a fixed buffer when it goes out of scope, whatever the return path.
template <size_t N>
struct WipedBuffer {
  uint8_t bytes[N] = {};
  ~WipedBuffer() { SecureWipe(bytes, N); }
  uint8_t* data() { return bytes; }
};

struct WipedBytes {
  Bytes bytes;
  ~WipedBytes() { SecureWipe(bytes.data(), bytes.size()); }
};

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError("keystore: " + std::string(what));
}

absl::StatusOr<const json*> Member(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  if (it == obj.end()) return Malformed("missing field \"" + std::string(key) + "\"");
  return &*it;
}

absl::StatusOr<std::string> StringField(const json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(const json* v, Member(obj, key));
  if (!v->is_string()) return Malformed("field \"" + std::string(key) + "\" is not a string");
  return v->get<std::string>();
}

absl::StatusOr<uint64_t> UintField(const json& obj, std::string_view key) {
  ASSIGN_OR_RETURN(const json* v, Member(obj, key));
  if (!v->is_number_unsigned()) {
    return Malformed("field \"" + std::string(key) + "\" is not a non-negative integer");
  }
  return v->get<uint64_t>();
}

absl::StatusOr<Bytes> HexField(const json& obj, std::string_view key, size_t min_size, size_t max_size) {
  ASSIGN_OR_RETURN(std::string hex, StringField(obj, key));
  auto raw = HexDecode(hex);
  if (!raw.ok()) return Malformed("field \"" + std::string(key) + "\": " + std::string(raw.status().message()));
  if (raw->size() < min_size || raw->size() > max_size) {
    std::string want = min_size == max_size ? std::to_string(min_size)
                                            : std::to_string(min_size) + ".." + std::to_string(max_size);
    return Malformed("field \"" + std::string(key) + "\": got " + std::to_string(raw->size()) +
                     " bytes, want " + want);
  }
  return std::move(raw).value();
}

absl::Status CheckScryptParams(uint64_t n, uint64_t r, uint64_t p) {
  if (n < 2 || (n & (n - 1)) != 0) return Malformed("scrypt n = " + std::to_string(n) + ", want a power of two >= 2");
  if (r == 0 || p == 0) return Malformed("scrypt r and p must be >= 1");
  // RFC 7914: p * r < 2^30, and OpenSSL's N < 2^(16 r).
  if (r >= (uint64_t{1} << 30) || p >= (uint64_t{1} << 30) / r) {
    return Malformed("scrypt r * p = " + std::to_string(r) + " * " + std::to_string(p) + ", want < 2^30");
  }
  if (r < 4 && n >= (uint64_t{1} << (16 * r))) {
    return Malformed("scrypt n = " + std::to_string(n) + " is too large for r = " + std::to_string(r));
  }
  if (n > kMaxScryptMemoryBytes / 128 / r) {
    return Malformed("scrypt memory 128 * r * n exceeds " + std::to_string(kMaxScryptMemoryBytes) + " bytes");
  }
  return absl::OkStatus();
}

absl::Status Scrypt(std::string_view passphrase, ByteSpan salt, uint64_t n, uint64_t r, uint64_t p,
                    uint8_t out[kDerivedKeySize]) {
  RETURN_IF_ERROR(CheckScryptParams(n, r, p));
  // OpenSSL needs 128 r (n + p + 2) bytes; allow that plus slack.
  uint64_t maxmem = 128 * r * (n + p + 2) + (1 << 20);
  if (EVP_PBE_scrypt(passphrase.data(), passphrase.size(), salt.data(), salt.size(), n, r, p, maxmem, out,
                     kDerivedKeySize) != 1) {
    return absl::InternalError("keystore: scrypt failed in OpenSSL (out of memory?)");
  }
  return absl::OkStatus();
}

absl::Status Pbkdf2Sha256(std::string_view passphrase, ByteSpan salt, uint64_t iterations,
                          uint8_t out[kDerivedKeySize]) {
  if (iterations == 0 || iterations > kMaxPbkdf2Iterations) {
    return Malformed("pbkdf2 c = " + std::to_string(iterations) + ", want 1.." +
                     std::to_string(kMaxPbkdf2Iterations));
  }
  if (PKCS5_PBKDF2_HMAC(passphrase.data(), static_cast<int>(passphrase.size()), salt.data(),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        kDerivedKeySize, out) != 1) {
    return absl::InternalError("keystore: PBKDF2 failed in OpenSSL");
  }
  return absl::OkStatus();
}

// AES-128-CTR is its own inverse; used for both directions.
absl::Status Aes128Ctr(const uint8_t key16[16], const uint8_t iv16[16], ByteSpan in, uint8_t* out) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return absl::InternalError("keystore: EVP_CIPHER_CTX_new failed");
  int len = 0;
  int final_len = 0;
  bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key16, iv16) == 1 &&
            EVP_EncryptUpdate(ctx, out, &len, in.data(), static_cast<int>(in.size())) == 1 &&
            EVP_EncryptFinal_ex(ctx, out + len, &final_len) == 1;
  EVP_CIPHER_CTX_free(ctx);  // also cleanses the expanded key schedule
  if (!ok) return absl::InternalError("keystore: AES-128-CTR failed in OpenSSL");
  return absl::OkStatus();
}

Digest32 KeystoreMac(const uint8_t derived32[kDerivedKeySize], ByteSpan ciphertext) {
  Keccak256Hasher h;
  h.Update(ByteSpan(derived32 + 16, 16));
  h.Update(ciphertext);
  Digest32 mac = h.Finish();
  // Keccak-f is invertible, so the final state would give back the MAC key;
  // Finish's reset of a dying local may be optimised away.
  static_assert(std::is_trivially_copyable_v<Keccak256Hasher>);
  SecureWipe(&h, sizeof(h));
  return mac;
}

std::string NewUuidV4() {
  uint8_t b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) std::abort();
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(ByteSpan(b, 16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

absl::StatusOr<json> ParseKeystoreJson(std::string_view text) {
  if (text.size() > kMaxKeystoreFileBytes) {
    return Malformed("got " + std::to_string(text.size()) + " bytes of JSON, want at most " +
                     std::to_string(kMaxKeystoreFileBytes));
  }
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Malformed("not valid JSON");
  if (!doc.is_object()) return Malformed("top level is not a JSON object");
  ASSIGN_OR_RETURN(uint64_t version, UintField(doc, "version"));
  if (version != 3) return Malformed("version " + std::to_string(version) + ", want 3");
  return doc;
}

absl::StatusOr<Address20> AddressField(const json& doc) {
  ASSIGN_OR_RETURN(std::string text, StringField(doc, "address"));
  auto addr = HexDecodeFixed<20>(text, "keystore address");
  if (!addr.ok()) return Malformed(std::string(addr.status().message()));
  return *addr;
}

}  // namespace

absl::StatusOr<std::string> EncryptKeystore(const SecretKey32& key, std::string_view passphrase,
                                            const ScryptParams& params) {
  if (passphrase.empty()) return absl::InvalidArgumentError("keystore: refusing an empty passphrase");
  uint8_t salt[32];
  uint8_t iv[kIvSize];
  if (RAND_bytes(salt, sizeof(salt)) != 1 || RAND_bytes(iv, sizeof(iv)) != 1) std::abort();
  WipedBuffer<kDerivedKeySize> derived;
  RETURN_IF_ERROR(Scrypt(passphrase, ByteSpan(salt, sizeof(salt)), params.n, params.r, params.p, derived.data()));
  uint8_t ciphertext[32];  // not secret: this is what gets stored
  RETURN_IF_ERROR(Aes128Ctr(derived.data(), iv, key.secret(), ciphertext));
  Digest32 mac = KeystoreMac(derived.data(), ByteSpan(ciphertext, 32));

  json doc = {
      {"address", HexEncode(AddressOf(key))},
      {"id", NewUuidV4()},
      {"version", 3},
      {"crypto",
       {{"cipher", "aes-128-ctr"},
        {"cipherparams", {{"iv", HexEncode(ByteSpan(iv, sizeof(iv)))}}},
        {"ciphertext", HexEncode(ByteSpan(ciphertext, 32))},
        {"kdf", "scrypt"},
        {"kdfparams",
         {{"dklen", kDerivedKeySize},
          {"n", params.n},
          {"p", params.p},
          {"r", params.r},
          {"salt", HexEncode(ByteSpan(salt, sizeof(salt)))}}},
        {"mac", HexEncode(mac)}}},
  };
  return doc.dump();
}

absl::StatusOr<Address20> KeystoreAddress(std::string_view text) {
  ASSIGN_OR_RETURN(json doc, ParseKeystoreJson(text));
  if (!doc.contains("address")) return absl::NotFoundError("keystore: no \"address\" field");
  return AddressField(doc);
}

absl::StatusOr<SecretKey32> DecryptKeystore(std::string_view text, std::string_view passphrase) {
  ASSIGN_OR_RETURN(json doc, ParseKeystoreJson(text));
  const json* crypto = nullptr;
  for (const char* name : {"crypto", "Crypto"}) {
    auto it = doc.find(name);
    if (it != doc.end()) crypto = &*it;
  }
  if (crypto == nullptr || !crypto->is_object()) return Malformed("missing object \"crypto\"");

  ASSIGN_OR_RETURN(std::string cipher, StringField(*crypto, "cipher"));
  if (cipher != "aes-128-ctr") return Malformed("cipher \"" + cipher + "\", want \"aes-128-ctr\"");
  ASSIGN_OR_RETURN(const json* cipherparams, Member(*crypto, "cipherparams"));
  if (!cipherparams->is_object()) return Malformed("\"cipherparams\" is not an object");
  ASSIGN_OR_RETURN(Bytes iv, HexField(*cipherparams, "iv", kIvSize, kIvSize));
  ASSIGN_OR_RETURN(Bytes ciphertext, HexField(*crypto, "ciphertext", 32, 32));
  ASSIGN_OR_RETURN(Bytes mac, HexField(*crypto, "mac", 32, 32));
  ASSIGN_OR_RETURN(std::string kdf, StringField(*crypto, "kdf"));
  ASSIGN_OR_RETURN(const json* kdfparams, Member(*crypto, "kdfparams"));
  if (!kdfparams->is_object()) return Malformed("\"kdfparams\" is not an object");
  ASSIGN_OR_RETURN(Bytes salt, HexField(*kdfparams, "salt", 1, kMaxSaltBytes));
  ASSIGN_OR_RETURN(uint64_t dklen, UintField(*kdfparams, "dklen"));
  if (dklen != kDerivedKeySize) return Malformed("dklen " + std::to_string(dklen) + ", want 32");

  WipedBuffer<kDerivedKeySize> derived;
  if (kdf == "scrypt") {
    ASSIGN_OR_RETURN(uint64_t n, UintField(*kdfparams, "n"));
    ASSIGN_OR_RETURN(uint64_t r, UintField(*kdfparams, "r"));
    ASSIGN_OR_RETURN(uint64_t p, UintField(*kdfparams, "p"));
    RETURN_IF_ERROR(Scrypt(passphrase, salt, n, r, p, derived.data()));
  } else if (kdf == "pbkdf2") {
    ASSIGN_OR_RETURN(std::string prf, StringField(*kdfparams, "prf"));
    if (prf != "hmac-sha256") return Malformed("pbkdf2 prf \"" + prf + "\", want \"hmac-sha256\"");
    ASSIGN_OR_RETURN(uint64_t c, UintField(*kdfparams, "c"));
    RETURN_IF_ERROR(Pbkdf2Sha256(passphrase, salt, c, derived.data()));
  } else {
    return Malformed("kdf \"" + kdf + "\", want \"scrypt\" or \"pbkdf2\"");
  }

  WipedBuffer<32> plaintext;
  RETURN_IF_ERROR(Aes128Ctr(derived.data(), iv.data(), ciphertext, plaintext.data()));
  Digest32 want_mac = KeystoreMac(derived.data(), ciphertext);
  bool mac_ok = CRYPTO_memcmp(want_mac.data(), mac.data(), 32) == 0;

  std::optional<Address20> recorded;
  if (doc.contains("address")) {
    ASSIGN_OR_RETURN(recorded, AddressField(doc));
  }
  absl::StatusOr<SecretKey32> key = SecretKey32::FromBytes(ByteSpan(plaintext.data(), 32));
  if (!mac_ok) {
    // With the right passphrase the plaintext is the key for the recorded
    // address, so a match means only the mac field itself was changed. The
    // chance of a wrong passphrase decrypting to that key is 2^-160.
    if (recorded.has_value() && key.ok() && AddressOf(*key) == *recorded) {
      return absl::UnauthenticatedError("keystore: mac field altered (the passphrase is right and the key "
                                        "matches the recorded address, but the MAC does not)");
    }
    return absl::UnauthenticatedError("keystore: wrong passphrase (MAC mismatch; or the ciphertext was altered)");
  }
  if (!key.ok()) return Malformed("decrypted secret key is out of range: " + std::string(key.status().message()));
  if (recorded.has_value() && AddressOf(*key) != *recorded) {
    return absl::DataLossError("keystore: address field 0x" + HexEncode(*recorded) +
                               " does not match the decrypted key's address " + ToChecksumAddress(AddressOf(*key)));
  }
  return key;
}

}  // namespace attestd
