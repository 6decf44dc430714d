#include "kernels/matmul.h"

#include <algorithm>

#include "kernels/dot.h"

namespace attestd::kernels {

namespace {

// Tokens whose activations (f32) stay in a core's L2 (2 MB on the dev VM,
// 1-2 MB on most servers) while a thread streams its weight rows past them;
// a multiple of the tile height.
int64_t TokenBlock(int64_t in) {
  const int64_t fit = (int64_t{3} << 19) / std::max<int64_t>(in * 4, 1);  // 1.5 MB of activations
  return std::max<int64_t>(kTileTokens, fit / kTileTokens * kTileTokens);
}

// Below this many tokens a tile takes one weight row at a time. Reading
// kTileRows rows side by side is four interleaved memory streams, which the
// dev VM's hardware prefetcher serves at about half the bandwidth of one
// sequential stream; once the arithmetic, not the memory, is the limit the
// 4-row tiles win. Where the tile prefetches the next row group (rows up to
// kTileNextGroupPrefetchMaxRow) that is from 3 tokens on, otherwise from 6.
// Streaming 275 MB of bf16 rows (in = 1536), ms, 1-row vs 4-row tiles: 1
// token 7.8-8.1 vs 9.8-10.6, 2 tokens 8.3-9.4 vs 8.8-10.0, 3 tokens
// 10.6-11.5 vs 8.6-10.0, 5 tokens 19.2-19.9 vs 12.6-14.2; 275 MB with
// in = 8960: 4 tokens 20.0 vs 21.6, 6 tokens 27.8 vs 25.7.
int64_t MinTokensForRowTiles(int64_t row_bytes) { return row_bytes <= kTileNextGroupPrefetchMaxRow * 2 ? 3 : 6; }

// y[t][o] for t in [t0, t1), o in [o0, o1), AVX-512: tiles of up to
// kTileRows rows x kTileTokens tokens, the last tiles of a range smaller.
template <typename W>
void MatmulAvx512(const float* x, int64_t t0, int64_t t1, const W* w, int64_t in, int64_t out, int64_t o0, int64_t o1,
                  float* y) {
  const int64_t row_bytes = in * static_cast<int64_t>(sizeof(W));
  const int64_t tile_rows = t1 - t0 >= MinTokensForRowTiles(row_bytes) ? kTileRows : 1;
  for (int64_t o = o0; o < o1; o += tile_rows) {
    const int rows = static_cast<int>(std::min<int64_t>(tile_rows, o1 - o));
    for (int64_t t = t0; t < t1; t += kTileTokens) {
      const int tokens = static_cast<int>(std::min<int64_t>(kTileTokens, t1 - t));
      if constexpr (sizeof(W) == 2) {
        DotBf16Avx512Tile(x + t * in, in, tokens, w + o * in, in, rows, in, y + t * out + o, out);
      } else {
        DotF32Avx512Tile(x + t * in, in, tokens, w + o * in, in, rows, in, y + t * out + o, out);
      }
    }
  }
}

// The same range with AVX2: groups of kAvx2TileRows weight rows (kept in
// L1) against one token at a time.
template <typename W>
void MatmulAvx2(const float* x, int64_t t0, int64_t t1, const W* w, int64_t in, int64_t out, int64_t o0, int64_t o1,
                float* y) {
  float sums[kAvx2TileRows];
  for (int64_t o = o0; o < o1; o += kAvx2TileRows) {
    const int rows = static_cast<int>(std::min<int64_t>(kAvx2TileRows, o1 - o));
    for (int64_t t = t0; t < t1; ++t) {
      if constexpr (sizeof(W) == 2) {
        DotBf16Avx2Rows(x + t * in, w + o * in, in, rows, in, sums);
      } else {
        DotF32Avx2Rows(x + t * in, w + o * in, in, rows, in, sums);
      }
      for (int r = 0; r < rows; ++r) y[t * out + o + r] = sums[r];
    }
  }
}

}  // namespace

void Matmul(const KernelContext& ctx, const float* x, int64_t tokens, const WeightView& w, const float* bias,
            float* y) {
  const int64_t in = w.cols;
  const int64_t out = w.rows;
  const bool vec = ctx.vectorised && CpuHasAvx2();
  const bool avx512 = vec && ctx.allow_avx512 && CpuHasAvx512();
  const bool bf16 = w.type == WeightType::kBf16;
  const int64_t block = TokenBlock(in);
  // Threads split the output rows. Within a thread, rows outer and tokens
  // inner: a group of weight rows is read from memory once per token block
  // and reused from L1 for every token of the block.
  ctx.ParallelFor(out, 16, [&](int64_t begin, int64_t end) {
    if (vec) {
      for (int64_t t = 0; t < tokens; t += block) {
        const int64_t t1 = std::min(tokens, t + block);
        if (avx512 && bf16) {
          MatmulAvx512(x, t, t1, static_cast<const uint16_t*>(w.data), in, out, begin, end, y);
        } else if (avx512) {
          MatmulAvx512(x, t, t1, static_cast<const float*>(w.data), in, out, begin, end, y);
        } else if (bf16) {
          MatmulAvx2(x, t, t1, static_cast<const uint16_t*>(w.data), in, out, begin, end, y);
        } else {
          MatmulAvx2(x, t, t1, static_cast<const float*>(w.data), in, out, begin, end, y);
        }
      }
    } else {
      for (int64_t o = begin; o < end; ++o) {
        if (bf16) {
          const uint16_t* row = static_cast<const uint16_t*>(w.data) + o * in;
          for (int64_t t = 0; t < tokens; ++t) y[t * out + o] = DotBf16Scalar(x + t * in, row, in);
        } else {
          const float* row = static_cast<const float*>(w.data) + o * in;
          for (int64_t t = 0; t < tokens; ++t) y[t * out + o] = DotF32Scalar(x + t * in, row, in);
        }
      }
    }
    if (bias != nullptr) {
      for (int64_t t = 0; t < tokens; ++t) {
        for (int64_t o = begin; o < end; ++o) y[t * out + o] = y[t * out + o] + bias[o];
      }
    }
  });
}

}  // namespace attestd::kernels
