#include "services/dev_keys.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>

#include "attest/commitment.h"
#include "attest/ed25519.h"
#include "attest/key_source.h"
#include "attest/keystore.h"
#include "services/log.h"

namespace attestd::service {
namespace {

absl::Status WriteSecretFile(const std::string& path, std::string_view content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return absl::FailedPreconditionError("cannot create " + path);
  ssize_t n = write(fd, content.data(), content.size());
  bool ok = n == static_cast<ssize_t>(content.size()) && fsync(fd) == 0;
  close(fd);
  if (!ok) return absl::InternalError("cannot write " + path);
  return absl::OkStatus();
}

void MakeParent(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
}

}  // namespace

absl::Status EnsureDevKeys(const KeyConfig& keys) {
  namespace fs = std::filesystem;
  if (keys.attestor_passphrase_file.empty() || keys.attestor_keystore.empty() || keys.log_key_file.empty()) {
    return absl::InvalidArgumentError("dev keys need keys.attestor_keystore, keys.attestor_passphrase_file and keys.log_key_file");
  }
  if (!fs::exists(keys.attestor_keystore)) {
    if (!fs::exists(keys.attestor_passphrase_file)) {
      MakeParent(keys.attestor_passphrase_file);
      Salt32 random = NewSalt();
      std::string passphrase = "DEV-ONLY-" + HexEncode(random);
      absl::Status s = WriteSecretFile(keys.attestor_passphrase_file, passphrase + "\n");
      SecureWipe(passphrase.data(), passphrase.size());
      RETURN_IF_ERROR(s);
    }
    ASSIGN_OR_RETURN(SecretString passphrase, ReadPassphraseFile(keys.attestor_passphrase_file));
    SecretKey32 key = SecretKey32::Generate();
    ScryptParams cheap;
    cheap.n = 1 << 12;  // dev only: fast to open, weak against guessing
    ASSIGN_OR_RETURN(std::string json, EncryptKeystore(key, passphrase.view(), cheap));
    MakeParent(keys.attestor_keystore);
    RETURN_IF_ERROR(WriteKeystoreFile(keys.attestor_keystore, json));
    LogWarn("created a DEVELOPMENT attestor key (DEV ONLY, weak scrypt; never use in production)",
            {{"keystore", keys.attestor_keystore}, {"attestor", ToChecksumAddress(AddressOf(key))}});
  } else if (!fs::exists(keys.attestor_passphrase_file) && keys.attestor_passphrase_env.empty()) {
    return absl::FailedPreconditionError("keystore " + keys.attestor_keystore + " exists but its passphrase file " +
                                         keys.attestor_passphrase_file + " does not");
  }
  if (!fs::exists(keys.log_key_file)) {
    ASSIGN_OR_RETURN(Ed25519PrivateKey log_key, Ed25519PrivateKey::Generate());
    MakeParent(keys.log_key_file);
    RETURN_IF_ERROR(log_key.SavePemFile(keys.log_key_file));
    LogWarn("created a DEVELOPMENT log key (DEV ONLY)", {{"file", keys.log_key_file}});
  }
  return absl::OkStatus();
}

}  // namespace attestd::service
