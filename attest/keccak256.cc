#include "attest/keccak256.h"

namespace attestd {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

// rho and pi done in place as one cycle over the 24 lanes other than
// A[0,0]: lane kPiLane[i] receives the previous lane of the cycle rotated by
// kRhoOffset[i]. Both tables follow from the Keccak reference's rho offsets
// r[x, y] and pi (x, y) -> (y, 2x + 3y), starting the cycle at lane 1.
constexpr int kPiLane[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};
constexpr int kRhoOffset[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};

inline uint64_t Rotl(uint64_t v, int n) { return (v << n) | (v >> (64 - n)); }  // 0 < n < 64

// Every loop has constant bounds and is unrolled, so lane indices and
// rotation counts are compile-time constants (about 4x faster than indexed
// loops; this runs three times per receipt signature).
void KeccakF1600(uint64_t a[25]) {
  for (uint64_t round_constant : kRoundConstants) {
    // theta
    uint64_t c[5];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
#pragma GCC unroll 5
    for (int x = 0; x < 5; ++x) {
      const uint64_t d = c[(x + 4) % 5] ^ Rotl(c[(x + 1) % 5], 1);
#pragma GCC unroll 5
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    // rho and pi
    uint64_t carried = a[1];
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) {
      const uint64_t next = a[kPiLane[i]];
      a[kPiLane[i]] = Rotl(carried, kRhoOffset[i]);
      carried = next;
    }
    // chi, one row at a time
#pragma GCC unroll 5
    for (int y = 0; y < 25; y += 5) {
      const uint64_t row[5] = {a[y], a[y + 1], a[y + 2], a[y + 3], a[y + 4]};
#pragma GCC unroll 5
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    // iota
    a[0] ^= round_constant;
  }
}

inline void XorByte(uint64_t state[25], size_t pos, uint8_t byte) {
  state[pos / 8] ^= uint64_t{byte} << (8 * (pos % 8));
}

inline uint64_t LoadLittleEndian64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

void Keccak256Hasher::Update(ByteSpan data) {
  const uint8_t* p = data.data();
  size_t left = data.size();
  // Bytes up to the next lane boundary, then whole 8-byte lanes, then the tail.
  while (left > 0 && absorbed_ % 8 != 0) {
    XorByte(state_, absorbed_, *p++);
    --left;
    if (++absorbed_ == kRateBytes) {
      KeccakF1600(state_);
      absorbed_ = 0;
    }
  }
  while (left >= 8) {
    state_[absorbed_ / 8] ^= LoadLittleEndian64(p);
    p += 8;
    left -= 8;
    absorbed_ += 8;
    if (absorbed_ == kRateBytes) {
      KeccakF1600(state_);
      absorbed_ = 0;
    }
  }
  for (; left > 0; --left) {
    XorByte(state_, absorbed_++, *p++);  // absorbed_ stays below the rate: fewer than 8 bytes from a lane boundary
  }
}

Digest32 Keccak256Hasher::Finish() {
  XorByte(state_, absorbed_, 0x01);
  XorByte(state_, kRateBytes - 1, 0x80);
  KeccakF1600(state_);
  Digest32 out;
  for (size_t i = 0; i < 32; ++i) out[i] = static_cast<uint8_t>(state_[i / 8] >> (8 * (i % 8)));
  *this = Keccak256Hasher();
  return out;
}

Digest32 Keccak256(ByteSpan data) {
  Keccak256Hasher hasher;
  hasher.Update(data);
  return hasher.Finish();
}

}  // namespace attestd
