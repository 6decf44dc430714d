#include "chain/eip1559_tx.h"

#include <algorithm>

#include "attest/keccak256.h"
#include "chain/rlp.h"

namespace attestd::chain {
namespace {

constexpr uint8_t kTxType = 0x02;

std::vector<Bytes> UnsignedItems(const Eip1559Tx& tx) {
  std::vector<Bytes> access_list;
  for (const AccessListEntry& entry : tx.access_list) {
    std::vector<Bytes> keys;
    for (const Digest32& key : entry.storage_keys) keys.push_back(RlpString(key.span()));
    std::vector<Bytes> pair{RlpString(entry.address.span()), RlpList(keys)};
    access_list.push_back(RlpList(pair));
  }
  return {
      RlpUint(tx.chain_id),
      RlpUint(tx.nonce),
      RlpUint(tx.max_priority_fee_per_gas),
      RlpUint(tx.max_fee_per_gas),
      RlpUint(tx.gas_limit),
      tx.to ? RlpString(tx.to->span()) : RlpString({}),
      RlpUint(tx.value),
      RlpString(tx.data),
      RlpList(access_list),
  };
}

Bytes Typed(const Bytes& rlp) {
  Bytes out;
  out.reserve(rlp.size() + 1);
  out.push_back(kTxType);
  out.insert(out.end(), rlp.begin(), rlp.end());
  return out;
}

}  // namespace

Bytes Eip1559UnsignedPayload(const Eip1559Tx& tx) { return Typed(RlpList(UnsignedItems(tx))); }

Digest32 Eip1559SigningHash(const Eip1559Tx& tx) { return Keccak256(Eip1559UnsignedPayload(tx)); }

SignedTx Eip1559Assemble(const Eip1559Tx& tx, uint8_t y_parity, const Digest32& r, const Digest32& s) {
  std::vector<Bytes> items = UnsignedItems(tx);
  items.push_back(RlpUint(y_parity));
  items.push_back(RlpUintBytes(r.span()));
  items.push_back(RlpUintBytes(s.span()));
  SignedTx out;
  out.raw = Typed(RlpList(items));
  out.hash = Keccak256(out.raw);
  out.y_parity = y_parity;
  out.r = r;
  out.s = s;
  return out;
}

SignedTx SignEip1559(const Eip1559Tx& tx, const SecretKey32& key) {
  Signature65 sig = SignDigest(key, Eip1559SigningHash(tx));
  Digest32 r, s;
  std::copy(sig.begin(), sig.begin() + 32, r.bytes.begin());
  std::copy(sig.begin() + 32, sig.begin() + 64, s.bytes.begin());
  // The signer speaks Ethereum's legacy v in {27, 28}; type-2 envelopes carry
  // the bare recovery id.
  return Eip1559Assemble(tx, static_cast<uint8_t>(sig[64] - 27), r, s);
}

}  // namespace attestd::chain
