// `attest keygen` and `attest address`: attestor key files.
//
//   attest keygen --keystore OUT.json (--passphrase-file F | --passphrase-env VAR)
//       creates a NEW V3 keystore (mode 0600, never overwrites) and prints
//       the key's EIP-55 address on stdout.
//   attest address --keystore F
//       prints the address recorded in a keystore (no passphrase needed).
#include <iostream>
#include <memory>

#include "attest/key_source.h"
#include "attest/keystore.h"
#include "attest/secp256k1_signer.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

struct KeygenFlags {
  std::string keystore;
  std::string passphrase_file;
  std::string passphrase_env;
  uint64_t scrypt_n = ScryptParams{}.n;
};

absl::StatusOr<SecretString> ReadPassphrase(const KeygenFlags& f) {
  if (f.passphrase_file.empty() == f.passphrase_env.empty()) {
    return absl::InvalidArgumentError("give exactly one of --passphrase-file and --passphrase-env");
  }
  return f.passphrase_file.empty() ? ReadPassphraseEnv(f.passphrase_env) : ReadPassphraseFile(f.passphrase_file);
}

absl::Status RunKeygen(const KeygenFlags& f) {
  ASSIGN_OR_RETURN(SecretString passphrase, ReadPassphrase(f));
  SecretKey32 key = SecretKey32::Generate();
  ScryptParams params;
  params.n = f.scrypt_n;
  ASSIGN_OR_RETURN(std::string json, EncryptKeystore(key, passphrase.view(), params));
  RETURN_IF_ERROR(WriteKeystoreFile(f.keystore, json));
  std::cout << ToChecksumAddress(AddressOf(key)) << "\n";
  return absl::OkStatus();
}

absl::Status RunAddress(const std::string& keystore) {
  ASSIGN_OR_RETURN(std::string json, ReadKeystoreFile(keystore));
  ASSIGN_OR_RETURN(Address20 address, KeystoreAddress(json));
  std::cout << ToChecksumAddress(address) << "\n";
  return absl::OkStatus();
}

}  // namespace

void AddKeyCommands(CLI::App& app) {
  auto keygen_flags = std::make_shared<KeygenFlags>();
  CLI::App* keygen = app.add_subcommand("keygen", "Create an attestor key as a new V3 keystore; print its address");
  keygen->add_option("--keystore", keygen_flags->keystore, "Keystore file to create (must not exist)")->required();
  keygen->add_option("--passphrase-file", keygen_flags->passphrase_file, "File holding the passphrase");
  keygen->add_option("--passphrase-env", keygen_flags->passphrase_env,
                     "Name of the environment variable holding the passphrase");
  keygen->add_option("--scrypt-n", keygen_flags->scrypt_n, "scrypt cost N (power of two; default ethers' 131072)");
  keygen->callback([keygen_flags] {
    absl::Status s = RunKeygen(*keygen_flags);
    if (!s.ok()) ReportError(s);
  });

  auto keystore_path = std::make_shared<std::string>();
  CLI::App* address = app.add_subcommand("address", "Print the address of a V3 keystore");
  address->add_option("--keystore", *keystore_path, "Keystore file")->required();
  address->callback([keystore_path] {
    absl::Status s = RunAddress(*keystore_path);
    if (!s.ok()) ReportError(s);
  });
}

}  // namespace attestd::cli
