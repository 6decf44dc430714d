// EIP-1559 (type 2) transactions: canonical bytes, signing hash, signature.
//
//   unsigned = 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas,
//                           gasLimit, to, value, data, accessList])
//   signed   = 0x02 || rlp([... the same nine ..., yParity, r, s])
//   signing hash = keccak256(unsigned); tx hash = keccak256(signed)
//
// Amounts are uint64 wei: enough for every fee and for the zero value of an
// anchor (a transfer above 18.4 ETH cannot be expressed; no caller needs one).
// Thread safety: pure functions; SignEip1559 shares the signer's context.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "attest/bytes.h"
#include "attest/secp256k1_signer.h"

namespace attestd::chain {

struct AccessListEntry {
  Address20 address;
  std::vector<Digest32> storage_keys;
};

struct Eip1559Tx {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  uint64_t max_priority_fee_per_gas = 0;
  uint64_t max_fee_per_gas = 0;
  uint64_t gas_limit = 0;
  std::optional<Address20> to;  // nullopt: contract creation (empty string in RLP)
  uint64_t value = 0;
  Bytes data;
  std::vector<AccessListEntry> access_list;
};

struct SignedTx {
  Bytes raw;          // 0x02 || rlp(...), what eth_sendRawTransaction takes
  Digest32 hash;      // keccak256(raw), the transaction hash the chain reports
  uint8_t y_parity;   // 0 or 1
  Digest32 r;
  Digest32 s;
};

// 0x02 || rlp of the nine unsigned fields.
[[nodiscard]] Bytes Eip1559UnsignedPayload(const Eip1559Tx& tx);
// keccak256 of the unsigned payload: the digest the sender signs.
[[nodiscard]] Digest32 Eip1559SigningHash(const Eip1559Tx& tx);
// Assembles the signed envelope from a signature (y_parity must be 0 or 1).
[[nodiscard]] SignedTx Eip1559Assemble(const Eip1559Tx& tx, uint8_t y_parity, const Digest32& r,
                                       const Digest32& s);
// Signs with `key` (RFC 6979, low-S, hence deterministic: the same tx and key
// always give the same raw bytes and hash; crash recovery relies on this).
[[nodiscard]] SignedTx SignEip1559(const Eip1559Tx& tx, const SecretKey32& key);

}  // namespace attestd::chain
