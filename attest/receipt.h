// A receipt: what a client keeps to prove, later and offline, what attestd
// ran. It holds the signed statement, its signature, the attestor's address,
// the commitment salt (client copies only) and, once the leaf is in the
// ledger, its position, inclusion proof and the signed checkpoint.
//
// JSON form (docs/receipt-format.md), version 1:
//   {
//     "version": 1,
//     "model": "<model name>",
//     "attestor": "0x<EIP-55 address>",
//     "statement": {"log_id": H, "model_digest": H, "engine_digest": H,
//                   "input_commitment": H, "output_commitment": H,
//                   "request_id": H, "issued_at_ms": <integer>},
//     "signature": "<130 lowercase hex digits: r || s || v>",
//     "salt": H,                                        (optional)
//     "ledger": {"leaf_index": <integer>,               (optional)
//                "tree_size": <integer>,                (these three
//                "inclusion_proof": [H, ...],            together or
//                "checkpoint": "<C2SP signed note>"}     not at all)
//   }
// where H is 64 lowercase hex digits without "0x". ReceiptToJson writes keys
// in sorted order without insignificant whitespace, so equal receipts give
// equal bytes. Parsing is strict: unknown or missing fields, an unknown
// version, a wrong-length hash, uppercase or "0x"-prefixed hex, a bad
// address checksum and leaf_index >= tree_size each fail with
// InvalidArgument naming the field (e.g. "receipt.statement.request_id: got
// 62 hex digits, want 64").
//
// Parsing checks form only; whether the receipt is TRUE is receipt_verifier.h.
// Thread safety: pure functions on values, safe to call concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/bytes.h"
#include "attest/eip712.h"

namespace attestd {

inline constexpr uint64_t kReceiptVersion = 1;

// Evidence that the leaf is in a tree the log signed.
struct LedgerInclusion {
  uint64_t tree_size = 0;                // size of the checkpoint's tree
  std::vector<Digest32> inclusion_proof;  // RFC 9162 audit path, leaf to root
  std::string checkpoint;                 // C2SP signed note, verbatim
  friend bool operator==(const LedgerInclusion&, const LedgerInclusion&) = default;
};

struct LedgerPosition {
  uint64_t leaf_index = 0;
  std::optional<LedgerInclusion> inclusion;
  friend bool operator==(const LedgerPosition&, const LedgerPosition&) = default;
};

struct Receipt {
  AttestationStatement statement;
  Signature65 signature;
  Address20 attestor;          // who claims to have signed; the verifier checks it
  std::optional<Salt32> salt;  // absent in copies that do not belong to the client
  std::string model_name;      // informational; the model is bound by statement.model_digest
  std::optional<LedgerPosition> ledger;
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

// Canonical JSON text (sorted keys, no whitespace, no trailing newline).
// model_name and the checkpoint must be valid UTF-8 (ParseReceiptJson and
// the gRPC layer guarantee it); invalid sequences would be written as U+FFFD.
[[nodiscard]] std::string ReceiptToJson(const Receipt& receipt);
// Strict parse of the JSON form above.
[[nodiscard]] absl::StatusOr<Receipt> ParseReceiptJson(std::string_view text);

// Decodes exactly N bytes of lowercase hex without a prefix; errors name
// `field` and say how many hex digits were got vs wanted, or which character
// at which offset is not lowercase hex. Shared with the request/response files.
template <size_t N>
[[nodiscard]] absl::StatusOr<FixedBytes<N>> ParseLowerHexFixed(std::string_view hex, std::string_view field);

// ---------------------------------------------------------------------------

[[nodiscard]] absl::Status CheckLowerHex(std::string_view hex, size_t want_digits, std::string_view field);

template <size_t N>
absl::StatusOr<FixedBytes<N>> ParseLowerHexFixed(std::string_view hex, std::string_view field) {
  RETURN_IF_ERROR(CheckLowerHex(hex, 2 * N, field));
  return HexDecodeFixed<N>(hex, field);
}

}  // namespace attestd
