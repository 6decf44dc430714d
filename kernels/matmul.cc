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
int64_t MinTokensForRowTiles(int64_t in) { return in <= kTileNextGroupPrefetchMaxRow ? 3 : 6; }

// y[t][o] for t in [t0, t1), o in [o0, o1), bf16 weights, AVX-512: tiles of
// up to kTileRows rows x kTileTokens tokens, the last tiles of a range smaller.
void MatmulBf16Avx512(const float* x, int64_t t0, int64_t t1, const uint16_t* w, int64_t in, int64_t out, int64_t o0,
                      int64_t o1, float* y) {
  const int64_t tile_rows = t1 - t0 >= MinTokensForRowTiles(in) ? kTileRows : 1;
  for (int64_t o = o0; o < o1; o += tile_rows) {
    const int rows = static_cast<int>(std::min<int64_t>(tile_rows, o1 - o));
    for (int64_t t = t0; t < t1; t += kTileTokens) {
      const int tokens = static_cast<int>(std::min<int64_t>(kTileTokens, t1 - t));
      DotBf16Avx512Tile(x + t * in, in, tokens, w + o * in, in, rows, in, y + t * out + o, out);
    }
  }
}

}  // namespace

void Matmul(const KernelContext& ctx, const float* x, int64_t tokens, const WeightView& w, const float* bias,
            float* y) {
  const int64_t in = w.cols;
  const int64_t out = w.rows;
  const bool vec = ctx.vectorised && CpuHasAvx2();
  const bool tiled = vec && w.type == WeightType::kBf16 && CpuHasAvx512();
  const int64_t block = TokenBlock(in);
  // Threads split the output rows. Within a thread, rows outer and tokens
  // inner: a group of weight rows is read from memory once per token block
  // and reused from L1 for every token of the block.
  ctx.ParallelFor(out, 16, [&](int64_t begin, int64_t end) {
    if (tiled) {
      for (int64_t t = 0; t < tokens; t += block) {
        MatmulBf16Avx512(x, t, std::min(tokens, t + block), static_cast<const uint16_t*>(w.data), in, out, begin,
                         end, y);
      }
    } else {
      for (int64_t o = begin; o < end; ++o) {
        if (w.type == WeightType::kBf16) {
          const uint16_t* row = static_cast<const uint16_t*>(w.data) + o * in;
          for (int64_t t = 0; t < tokens; ++t) y[t * out + o] = DotBf16(x + t * in, row, in, vec);
        } else {
          const float* row = static_cast<const float*>(w.data) + o * in;
          for (int64_t t = 0; t < tokens; ++t) y[t * out + o] = DotF32(x + t * in, row, in, vec);
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
