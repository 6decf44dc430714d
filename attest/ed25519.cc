#include "attest/ed25519.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <utility>

namespace attestd {
namespace {

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

constexpr std::string_view kPemHeader = "-----BEGIN PRIVATE KEY-----";

absl::StatusOr<Ed25519PublicKey> PublicKeyOf(EVP_PKEY* key) {
  Ed25519PublicKey out;
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, out.data(), &len) != 1 || len != out.size()) {
    return absl::InternalError("ed25519: cannot extract the public key");
  }
  return out;
}

// Reads a whole key file, refusing group/other permissions before reading.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::NotFoundError("ed25519 key file " + path + " does not exist");
    return absl::InvalidArgumentError("ed25519 key file " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return absl::FailedPreconditionError("ed25519 key file " + path + " has mode " + mode +
                                         ", want 0600 or stricter");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError("ed25519 key file " + path + " cannot be read");
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return content;
}

}  // namespace

Ed25519PrivateKey::Ed25519PrivateKey(evp_pkey_st* key) : key_(key) {}

Ed25519PrivateKey::~Ed25519PrivateKey() { EVP_PKEY_free(key_); }

Ed25519PrivateKey::Ed25519PrivateKey(Ed25519PrivateKey&& other) noexcept
    : key_(std::exchange(other.key_, nullptr)), public_key_(other.public_key_) {}

Ed25519PrivateKey& Ed25519PrivateKey::operator=(Ed25519PrivateKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(key_);
    key_ = std::exchange(other.key_, nullptr);
    public_key_ = other.public_key_;
  }
  return *this;
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (ctx == nullptr || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return absl::InternalError("ed25519: key generation failed");
  }
  Ed25519PrivateKey key(raw);
  ASSIGN_OR_RETURN(key.public_key_, PublicKeyOf(raw));
  return key;
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(ByteSpan seed32) {
  if (seed32.size() != 32) {
    return absl::InvalidArgumentError("ed25519 seed: got " + std::to_string(seed32.size()) + " bytes, want 32");
  }
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed32.data(), seed32.size());
  if (raw == nullptr) return absl::InvalidArgumentError("ed25519 seed: OpenSSL rejected the key");
  Ed25519PrivateKey key(raw);
  ASSIGN_OR_RETURN(key.public_key_, PublicKeyOf(raw));
  return key;
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::LoadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string content, ReadSecretFile(path));
  absl::StatusOr<Ed25519PrivateKey> key = absl::InvalidArgumentError(
      "ed25519 key file " + path + ": got " + std::to_string(content.size()) +
      " bytes that are neither a PKCS#8 PEM key nor a raw 32-byte seed");
  if (content.size() == 32) {
    key = FromSeed(AsBytes(content));
  } else if (content.rfind(kPemHeader, 0) == 0) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (raw == nullptr) {
      key = absl::InvalidArgumentError("ed25519 key file " + path + ": malformed PEM private key");
    } else if (EVP_PKEY_get_id(raw) != EVP_PKEY_ED25519) {
      EVP_PKEY_free(raw);
      key = absl::InvalidArgumentError("ed25519 key file " + path + ": the PEM key is not an Ed25519 key");
    } else {
      Ed25519PrivateKey loaded(raw);
      absl::StatusOr<Ed25519PublicKey> pub = PublicKeyOf(raw);
      if (pub.ok()) {
        loaded.public_key_ = *pub;
        key = std::move(loaded);
      } else {
        key = pub.status();
      }
    }
  }
  SecureWipe(content.data(), content.size());
  return key;
}

absl::Status Ed25519PrivateKey::SavePemFile(const std::string& path) const {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return absl::AlreadyExistsError("ed25519 key file " + path + " already exists");
    return absl::InvalidArgumentError("ed25519 key file " + path + ": " + std::strerror(errno));
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  absl::Status status = absl::OkStatus();
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    status = absl::InternalError("ed25519: cannot encode the key as PEM");
  } else {
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    if (len <= 0 || ::write(fd, data, static_cast<size_t>(len)) != len || ::fsync(fd) != 0) {
      status = absl::InternalError("ed25519 key file " + path + ": short write");
    }
    if (data != nullptr && len > 0) SecureWipe(data, static_cast<size_t>(len));
  }
  ::close(fd);
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

absl::StatusOr<Ed25519Signature> Ed25519PrivateKey::Sign(ByteSpan message) const {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  Ed25519Signature sig;
  size_t len = sig.size();
  if (ctx == nullptr || key_ == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1 || len != sig.size()) {
    return absl::InternalError("ed25519: signing failed");
  }
  return sig;
}

absl::Status Ed25519Verify(const Ed25519PublicKey& public_key, ByteSpan message, const Ed25519Signature& signature) {
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size());
  if (raw == nullptr) return absl::UnauthenticatedError("ed25519: malformed public key");
  std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> key(raw, EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, raw) != 1) {
    return absl::InternalError("ed25519: cannot set up verification");
  }
  if (EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) != 1) {
    return absl::UnauthenticatedError("ed25519: signature does not verify under key " + HexEncode(public_key));
  }
  return absl::OkStatus();
}

}  // namespace attestd
