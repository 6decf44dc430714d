// `attest logkey`: the log's Ed25519 checkpoint key (docs/ledger.md).
//
//   attest logkey generate --key-file F --origin O
//       creates a NEW PKCS#8 PEM key file (mode 0600, never overwrites) and
//       prints its C2SP verifier key `O+hash+base64(0x01||pubkey)` on stdout.
//   attest logkey vkey --key-file F --origin O
//       prints the verifier key of an existing key file.
// The key name is the log's origin: checkpoints are signed under it.
#include <iostream>
#include <memory>
#include <string>

#include "attest/ed25519.h"
#include "attest/signed_note.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

struct LogKeyFlags {
  std::string key_file;
  std::string origin;
};

absl::Status PrintVerifierKey(const Ed25519PrivateKey& key, const std::string& origin) {
  ASSIGN_OR_RETURN(NoteVerifierKey vkey, MakeNoteVerifierKey(origin, key.public_key()));
  std::cout << FormatNoteVerifierKey(vkey) << "\n";
  return absl::OkStatus();
}

absl::Status RunGenerate(const LogKeyFlags& f) {
  RETURN_IF_ERROR(CheckNoteKeyName(f.origin));
  ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::Generate());
  RETURN_IF_ERROR(key.SavePemFile(f.key_file));
  return PrintVerifierKey(key, f.origin);
}

absl::Status RunVkey(const LogKeyFlags& f) {
  ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::LoadFile(f.key_file));
  return PrintVerifierKey(key, f.origin);
}

}  // namespace

void AddLogKeyCommands(CLI::App& app) {
  CLI::App* logkey = app.add_subcommand("logkey", "The log's Ed25519 checkpoint-signing key");
  logkey->require_subcommand(1);
  auto flags = std::make_shared<LogKeyFlags>();
  CLI::App* generate = logkey->add_subcommand("generate", "Create a new key file; print its verifier key");
  generate->add_option("--key-file", flags->key_file, "Key file to create (must not exist)")->required();
  generate->add_option("--origin", flags->origin, "The log's origin (checkpoint line 1), used as key name")
      ->required();
  generate->callback([flags] {
    if (absl::Status s = RunGenerate(*flags); !s.ok()) ReportError(s);
  });
  CLI::App* vkey = logkey->add_subcommand("vkey", "Print the verifier key of a key file");
  vkey->add_option("--key-file", flags->key_file, "Key file (mode 0600)")->required();
  vkey->add_option("--origin", flags->origin, "The log's origin, used as key name")->required();
  vkey->callback([flags] {
    if (absl::Status s = RunVkey(*flags); !s.ok()) ReportError(s);
  });
}

}  // namespace attestd::cli
