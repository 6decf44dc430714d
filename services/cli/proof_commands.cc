// `attest proof verify`: offline checks of proofs printed by attestd (JSON
// forms in docs/ledger.md), optionally against a signed checkpoint.
//
//   attest proof verify inclusion --proof P.json [--leaf-file F | --leaf-hash H]
//                                 [--checkpoint C --log-key VKEY]
//   attest proof verify consistency --proof P.json
//                                   [--old-checkpoint C1] [--checkpoint C2] [--log-key VKEY]
//
// --log-key is a C2SP verifier key string (name+hash+key) or a file holding
// one. Exit 0: verified; 1: well formed but does not verify (leaf, proof,
// checkpoint signature, or checkpoint size/root disagree); 2: bad flags or
// unreadable/malformed input.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "attest/eip712.h"
#include "attest/signed_note.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_json.h"
#include "ledger/proof_verify.h"
#include "services/cli/cli_helpers.h"
#include "services/cli/commands.h"

namespace attestd::cli {
namespace {

// Failures that mean "checked and not verified" (exit 1) rather than bad input.
struct Outcome {
  absl::Status status;
  bool is_verification = false;
};

Outcome Bad(absl::Status s) { return {std::move(s), false}; }
Outcome NotVerified(absl::Status s) { return {std::move(s), true}; }

// Opens a signed checkpoint with the log key: Bad for unreadable or malformed
// input, NotVerified for a signature that does not check.
std::optional<Outcome> OpenCheckpointFile(const std::string& path, const std::string& log_key,
                                          ledger::Checkpoint& out) {
  absl::StatusOr<NoteVerifierKey> key = LoadLogKey(log_key);
  if (!key.ok()) return Bad(key.status());
  absl::StatusOr<std::string> note = ReadInputFile(path, "checkpoint");
  if (!note.ok()) return Bad(note.status());
  const NoteVerifierKey known[] = {*key};
  absl::StatusOr<ledger::Checkpoint> cp = ledger::OpenCheckpoint(*note, known);
  if (!cp.ok()) {
    if (cp.status().code() == absl::StatusCode::kUnauthenticated) return NotVerified(cp.status());
    return Bad(cp.status());
  }
  out = *std::move(cp);
  return std::nullopt;
}

std::optional<Outcome> CheckAgainstCheckpoint(const ledger::Checkpoint& cp, uint64_t size, const Digest32& root,
                                              std::string_view which) {
  if (cp.size != size) {
    return NotVerified(absl::FailedPreconditionError(std::string(which) + " checkpoint is for tree size " +
                                                     std::to_string(cp.size) + ", the proof for size " +
                                                     std::to_string(size)));
  }
  if (cp.root != root) {
    return NotVerified(absl::FailedPreconditionError(std::string(which) + " checkpoint root " + HexEncode(cp.root) +
                                                     " differs from the proof's root " + HexEncode(root)));
  }
  return std::nullopt;
}

struct InclusionFlags {
  std::string proof;
  std::string leaf_file;
  std::string leaf_hash;
  std::string checkpoint;
  std::string log_key;
};

Outcome RunInclusion(const InclusionFlags& f) {
  absl::StatusOr<std::string> json = ReadInputFile(f.proof, "proof file");
  if (!json.ok()) return Bad(json.status());
  absl::StatusOr<ledger::InclusionProofRecord> record = ledger::ParseInclusionProofJson(*json);
  if (!record.ok()) return Bad(record.status());
  if (!f.leaf_file.empty()) {
    absl::StatusOr<std::string> leaf = ReadInputFile(f.leaf_file, "leaf file");
    if (!leaf.ok()) return Bad(leaf.status());
    if (leaf->size() != kAttestationLeafSize) {
      return Bad(absl::InvalidArgumentError("leaf file " + f.leaf_file + ": got " + std::to_string(leaf->size()) +
                                            " bytes, want " + std::to_string(kAttestationLeafSize)));
    }
    const Digest32 hash = ledger::HashLeaf(AsBytes(*leaf));
    if (hash != record->leaf_hash) {
      return NotVerified(absl::FailedPreconditionError("leaf file hashes to " + HexEncode(hash) +
                                                       ", the proof is for leaf hash " + HexEncode(record->leaf_hash)));
    }
  }
  if (!f.leaf_hash.empty()) {
    absl::StatusOr<Digest32> hash = HexDecodeFixed<32>(f.leaf_hash, "--leaf-hash");
    if (!hash.ok()) return Bad(hash.status());
    if (*hash != record->leaf_hash) {
      return NotVerified(absl::FailedPreconditionError("--leaf-hash " + HexEncode(*hash) +
                                                       " differs from the proof's leaf hash " +
                                                       HexEncode(record->leaf_hash)));
    }
  }
  if (absl::Status s = ledger::VerifyInclusionRecord(*record); !s.ok()) return NotVerified(s);
  if (!f.checkpoint.empty()) {
    ledger::Checkpoint cp;
    if (auto failed = OpenCheckpointFile(f.checkpoint, f.log_key, cp)) return *failed;
    if (auto failed = CheckAgainstCheckpoint(cp, record->tree_size, record->root, "the")) return *failed;
    std::cout << "checkpoint: " << cp.origin << " size " << cp.size << " signed by the log key\n";
  }
  std::cout << "verified: leaf " << record->index << " (hash " << HexEncode(record->leaf_hash)
            << ") is in the tree of size " << record->tree_size << " with root " << HexEncode(record->root)
            << "\n";
  return {absl::OkStatus(), false};
}

struct ConsistencyFlags {
  std::string proof;
  std::string old_checkpoint;
  std::string checkpoint;
  std::string log_key;
};

Outcome RunConsistency(const ConsistencyFlags& f) {
  absl::StatusOr<std::string> json = ReadInputFile(f.proof, "proof file");
  if (!json.ok()) return Bad(json.status());
  absl::StatusOr<ledger::ConsistencyProofRecord> record = ledger::ParseConsistencyProofJson(*json);
  if (!record.ok()) return Bad(record.status());
  if (absl::Status s = ledger::VerifyConsistencyRecord(*record); !s.ok()) return NotVerified(s);
  if (!f.old_checkpoint.empty()) {
    ledger::Checkpoint cp;
    if (auto failed = OpenCheckpointFile(f.old_checkpoint, f.log_key, cp)) return *failed;
    if (auto failed = CheckAgainstCheckpoint(cp, record->from, record->root_from, "the old")) return *failed;
  }
  if (!f.checkpoint.empty()) {
    ledger::Checkpoint cp;
    if (auto failed = OpenCheckpointFile(f.checkpoint, f.log_key, cp)) return *failed;
    if (auto failed = CheckAgainstCheckpoint(cp, record->to, record->root_to, "the new")) return *failed;
  }
  std::cout << "verified: the tree of size " << record->from << " (root " << HexEncode(record->root_from)
            << ") is a prefix of the tree of size " << record->to << " (root " << HexEncode(record->root_to)
            << ")\n";
  return {absl::OkStatus(), false};
}

void Finish(const Outcome& outcome) {
  if (!outcome.status.ok()) ReportError(outcome.status, outcome.is_verification);
}

}  // namespace

void AddProofCommands(CLI::App& app) {
  CLI::App* proof = app.add_subcommand("proof", "Merkle log proofs");
  proof->require_subcommand(1);
  CLI::App* verify = proof->add_subcommand("verify", "Verify a proof offline (exit 0 verified, 1 not, 2 bad input)");
  verify->require_subcommand(1);

  auto inc = std::make_shared<InclusionFlags>();
  CLI::App* inclusion = verify->add_subcommand("inclusion", "Verify an inclusion proof JSON");
  inclusion->add_option("--proof", inc->proof, "Inclusion proof JSON file")->required();
  CLI::Option* leaf_file = inclusion->add_option("--leaf-file", inc->leaf_file, "The 321-byte leaf the proof is for");
  CLI::Option* leaf_hash = inclusion->add_option("--leaf-hash", inc->leaf_hash, "The leaf hash the proof is for (hex)");
  leaf_file->excludes(leaf_hash);
  CLI::Option* checkpoint = inclusion->add_option("--checkpoint", inc->checkpoint,
                                                  "Signed checkpoint note whose size and root the proof must match");
  CLI::Option* log_key = inclusion->add_option("--log-key", inc->log_key,
                                               "Log verifier key (name+hash+key), or a file holding it");
  checkpoint->needs(log_key);
  log_key->needs(checkpoint);
  inclusion->callback([inc] { Finish(RunInclusion(*inc)); });

  auto con = std::make_shared<ConsistencyFlags>();
  CLI::App* consistency = verify->add_subcommand("consistency", "Verify a consistency proof JSON");
  consistency->add_option("--proof", con->proof, "Consistency proof JSON file")->required();
  CLI::Option* old_cp = consistency->add_option("--old-checkpoint", con->old_checkpoint,
                                                "Signed checkpoint for the proof's \"from\" size");
  CLI::Option* new_cp = consistency->add_option("--checkpoint", con->checkpoint,
                                                "Signed checkpoint for the proof's \"to\" size");
  CLI::Option* con_key = consistency->add_option("--log-key", con->log_key,
                                                 "Log verifier key (name+hash+key), or a file holding it");
  old_cp->needs(con_key);
  new_cp->needs(con_key);
  consistency->callback([con] { Finish(RunConsistency(*con)); });
}

}  // namespace attestd::cli
