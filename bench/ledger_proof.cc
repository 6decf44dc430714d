// ledger_proof benchmark: RFC 9162 proof generation and verification at 1M
// leaves, over an in-memory node store (every full subtree hash, as
// ledger_store keeps them), so the figures are the proof code's own cost
// without RocksDB.
//
// Order: build, validate (proofs equal the slow RFC reference on a small tree
// and verify on the big one), then time. Prints p50/p99 per proof,
// verifications per second, and two ratios measured in the same run:
//   naive/fast   RFC-recursive PATH over a 4096-leaf tree vs our planned proof
//                on the same tree (how much storing subtree nodes buys)
//   gen/verify   proof generation p50 vs verification mean at full size
//
//   bench/ledger_proof [--leaves 1000000] [--samples 20000] [--seed 1]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "ledger/compact_range.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_plan.h"
#include "ledger/proof_verify.h"
#include "tests/ledger/reference_tree.h"

namespace attestd::ledger {
namespace {

using Clock = std::chrono::steady_clock;

// Node hashes by level, dense: level L holds the size >> L complete nodes.
class DenseNodes : public NodeReader {
 public:
  explicit DenseNodes(uint64_t leaves) {
    CompactRange range;
    std::vector<NodeHash> completed;
    for (uint64_t i = 0; i < leaves; ++i) {
      uint8_t leaf[8];
      PutBigEndian64(i, leaf);
      completed.clear();
      if (!range.Append(HashLeaf(ByteSpan(leaf, 8)), &completed).ok()) std::abort();
      for (const NodeHash& n : completed) {
        if (levels_.size() <= static_cast<size_t>(n.id.level)) levels_.resize(n.id.level + 1);
        levels_[n.id.level].push_back(n.hash);
      }
    }
    root_ = range.Root();
  }
  absl::StatusOr<Digest32> ReadNode(const NodeId& id) const override {
    if (static_cast<size_t>(id.level) >= levels_.size() || id.index >= levels_[id.level].size()) {
      return absl::NotFoundError("node not complete");
    }
    return levels_[id.level][id.index];
  }
  const Digest32& leaf(uint64_t i) const { return levels_[0][i]; }
  const Digest32& root() const { return root_; }

 private:
  std::vector<std::vector<Digest32>> levels_;
  Digest32 root_;
};

double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

struct Percentiles {
  double p50;
  double p99;
};

Percentiles Summarise(std::vector<double>& us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[std::min(us.size() - 1, us.size() * 99 / 100)]};
}

int Run(uint64_t leaves, int samples, uint64_t seed) {
  std::mt19937_64 rng(seed);
  // --- validate ---
  {
    const uint64_t small = 4096;
    DenseNodes nodes(small);
    std::vector<Digest32> leaf_hashes(small);
    for (uint64_t i = 0; i < small; ++i) leaf_hashes[i] = nodes.leaf(i);
    for (int t = 0; t < 50; ++t) {
      const uint64_t size = 1 + rng() % small;
      const uint64_t index = rng() % size;
      const uint64_t size1 = 1 + rng() % size;
      if (*InclusionProof(index, size, nodes) != reference::Path(leaf_hashes, index, 0, size) ||
          *ConsistencyProof(size1, size, nodes) != reference::Proof(leaf_hashes, size1, size)) {
        std::fprintf(stderr, "validation failed: fast proof differs from the RFC reference\n");
        return 1;
      }
    }
  }
  const auto build_start = Clock::now();
  DenseNodes nodes(leaves);
  const double build_s = Micros(Clock::now() - build_start) / 1e6;
  std::printf("built %llu leaves (%.2f s, %.0f appends/s incl. hashing)\n", static_cast<unsigned long long>(leaves),
              build_s, static_cast<double>(leaves) / build_s);

  // Requests: inclusion (index, full size) and consistency (m, full size).
  std::vector<uint64_t> indices(samples);
  std::vector<uint64_t> olds(samples);
  for (int i = 0; i < samples; ++i) {
    indices[i] = rng() % leaves;
    olds[i] = 1 + rng() % leaves;
  }
  std::vector<std::vector<Digest32>> inclusion(samples);
  std::vector<std::vector<Digest32>> consistency(samples);
  std::vector<double> inc_us(samples);
  std::vector<double> con_us(samples);
  for (int i = 0; i < samples; ++i) {
    const auto t0 = Clock::now();
    absl::StatusOr<std::vector<Digest32>> p = InclusionProof(indices[i], leaves, nodes);
    const auto t1 = Clock::now();
    absl::StatusOr<std::vector<Digest32>> c = ConsistencyProof(olds[i], leaves, nodes);
    const auto t2 = Clock::now();
    if (!p.ok() || !c.ok()) {
      std::fprintf(stderr, "proof generation failed\n");
      return 1;
    }
    inc_us[i] = Micros(t1 - t0);
    con_us[i] = Micros(t2 - t1);
    inclusion[i] = *std::move(p);
    consistency[i] = *std::move(c);
  }
  // Old roots for consistency verification, outside the timed loop.
  std::vector<Digest32> old_roots(samples);
  for (int i = 0; i < samples; ++i) old_roots[i] = *RootFromReader(olds[i], nodes);

  const auto v0 = Clock::now();
  for (int i = 0; i < samples; ++i) {
    if (!VerifyInclusion(indices[i], leaves, nodes.leaf(indices[i]), inclusion[i], nodes.root()).ok()) {
      std::fprintf(stderr, "inclusion proof %d did not verify\n", i);
      return 1;
    }
  }
  const auto v1 = Clock::now();
  for (int i = 0; i < samples; ++i) {
    if (!VerifyConsistency(olds[i], leaves, consistency[i], old_roots[i], nodes.root()).ok()) {
      std::fprintf(stderr, "consistency proof %d did not verify\n", i);
      return 1;
    }
  }
  const auto v2 = Clock::now();
  const double inc_verify_mean = Micros(v1 - v0) / samples;
  const double con_verify_mean = Micros(v2 - v1) / samples;

  const Percentiles inc = Summarise(inc_us);
  const Percentiles con = Summarise(con_us);
  std::printf("inclusion proof generation   @%llu leaves: p50 %.2f us  p99 %.2f us  (%d samples)\n",
              static_cast<unsigned long long>(leaves), inc.p50, inc.p99, samples);
  std::printf("consistency proof generation @%llu leaves: p50 %.2f us  p99 %.2f us\n",
              static_cast<unsigned long long>(leaves), con.p50, con.p99);
  std::printf("inclusion verification:   %.0f proofs/s (%.2f us each)\n", 1e6 / inc_verify_mean, inc_verify_mean);
  std::printf("consistency verification: %.0f proofs/s (%.2f us each)\n", 1e6 / con_verify_mean, con_verify_mean);
  std::printf("ratio gen/verify (inclusion p50 / verify mean): %.2f\n", inc.p50 / inc_verify_mean);

  // Peer: the RFC-recursive PATH, which rehashes whole subtrees, on 4096 leaves.
  {
    const uint64_t small = 4096;
    DenseNodes small_nodes(small);
    std::vector<Digest32> leaf_hashes(small);
    for (uint64_t i = 0; i < small; ++i) leaf_hashes[i] = small_nodes.leaf(i);
    const int reps = 50;
    double naive_us = 0;
    double fast_us = 0;
    for (int r = 0; r < reps; ++r) {
      const uint64_t index = rng() % small;
      const auto a = Clock::now();
      const std::vector<Digest32> slow = reference::Path(leaf_hashes, index, 0, small);
      const auto b = Clock::now();
      const absl::StatusOr<std::vector<Digest32>> fast = InclusionProof(index, small, small_nodes);
      const auto c = Clock::now();
      if (!fast.ok() || *fast != slow) return 1;
      naive_us += Micros(b - a);
      fast_us += Micros(c - b);
    }
    std::printf("ratio naive/fast inclusion proof @4096 leaves: %.0fx (naive %.1f us, fast %.2f us)\n",
                naive_us / fast_us, naive_us / reps, fast_us / reps);
  }
  std::printf("target p50 < 50 us: %s\n", inc.p50 < 50 && con.p50 < 50 ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace attestd::ledger

int main(int argc, char** argv) {
  CLI::App app{"ledger_proof: RFC 9162 proof generation and verification benchmark"};
  uint64_t leaves = 1000000;  // not a power of two: proofs include the ragged right edge
  int samples = 20000;
  uint64_t seed = 1;
  app.add_option("--leaves", leaves, "Tree size")->check(CLI::Range(uint64_t{2}, uint64_t{1} << 26));
  app.add_option("--samples", samples, "Proofs per measurement")->check(CLI::Range(1, 10000000));
  app.add_option("--seed", seed, "Random seed for the sampled indices");
  CLI11_PARSE(app, argc, argv);
  return attestd::ledger::Run(leaves, samples, seed);
}
