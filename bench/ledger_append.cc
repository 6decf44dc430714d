// bench/ledger_append: durable appends per second through the Sequencer's
// group commit, against RocksDB's own synced write batches of the same bytes
// (the ceiling), with 1, 8 and 64 concurrent writers by default.
//
//   ledger_append --data-dir DIR [--leaves N] [--writers 1,8,64]
//
// Validates first (the leaves are EIP-712 attestations signed by a throwaway
// secp256k1 key, and the first one is verified), then times, then audits the
// ledger it leaves behind in DIR (every leaf and node hash recomputed).
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "attest/eip712.h"
#include "attest/secp256k1_signer.h"
#include "attest/sha256.h"
#include "ledger/audit.h"
#include "ledger/log_store.h"
#include "ledger/merkle_hash.h"
#include "ledger/sequencer.h"

namespace attestd::ledger {
namespace {

using Clock = std::chrono::steady_clock;

// `count` leaves, each a distinct attestation signed by `key`.
std::vector<Bytes> MakeLeaves(const SecretKey32& key, uint64_t first_request, size_t count) {
  std::vector<Bytes> leaves(count);
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = t; i < count; i += threads) {
        AttestationStatement stmt;
        stmt.log_id = Sha256(std::string_view("bench.attestd/ledger"));
        stmt.model_digest = Sha256(std::string_view("bench model"));
        stmt.engine_digest = Sha256(std::string_view("bench engine"));
        uint8_t be[8];
        PutBigEndian64(first_request + i, be);
        stmt.request_id = Sha256(ByteSpan(be, 8));
        stmt.input_commitment = Sha256(stmt.request_id.span());
        stmt.output_commitment = Sha256(stmt.input_commitment.span());
        stmt.issued_at_ms = 1700000000000 + first_request + i;
        AttestationLeaf321 leaf = EncodeLedgerLeaf(stmt, SignAttestation(key, stmt));
        leaves[i].assign(leaf.begin(), leaf.end());
      }
    });
  }
  for (auto& th : pool) th.join();
  return leaves;
}

// Runs `writers` threads that together call `append` once per leaf.
template <typename AppendFn>
double TimeWriters(const std::vector<Bytes>& leaves, int writers, AppendFn append) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < writers; ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < leaves.size();) {
        if (!append(i, leaves[i])) failed = true;
      }
    });
  }
  for (auto& th : pool) th.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) {
    std::fprintf(stderr, "ledger_append: a write failed\n");
    std::exit(1);
  }
  return seconds;
}

// The ceiling: each writer thread writes, with sync=true, a WriteBatch of
// the bytes one append stores below the head (the leaf, its leaf hash and one
// subtree hash, the average), through RocksDB's own leader-follower write
// group, which merges concurrent writers into one WAL write and one fsync:
// the same concurrency and grouping as the Sequencer. It writes no head (the
// Sequencer writes one per group), so it stores fewer bytes than the ledger
// and is a strict ceiling.
double RawCeiling(const std::string& dir, const std::vector<Bytes>& leaves, size_t first_key, int writers) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) {
    std::fprintf(stderr, "ledger_append: raw db: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  double seconds = TimeWriters(leaves, writers, [&](size_t i, const Bytes& leaf) {
    rocksdb::WriteBatch batch;
    Digest32 hash = HashLeaf(leaf);
    batch.Put(LeafKey(first_key + i), rocksdb::Slice(reinterpret_cast<const char*>(leaf.data()), leaf.size()));
    batch.Put(NodeKey(0, first_key + i), rocksdb::Slice(reinterpret_cast<const char*>(hash.data()), 32));
    batch.Put(NodeKey(1, first_key + i), rocksdb::Slice(reinterpret_cast<const char*>(hash.data()), 32));
    return db->Write(sync, &batch).ok();
  });
  delete db;
  return seconds;
}

int Run(const std::string& data_dir, size_t leaves_per_run, const std::vector<int>& writer_counts) {
  SecretKey32 key = SecretKey32::Generate();
  std::printf("ledger_append: %zu leaves per run, leaves signed by throwaway attestor %s\n", leaves_per_run,
              ToChecksumAddress(AddressOf(key)).c_str());

  auto store = LogStore::Open(data_dir);
  if (!store.ok()) {
    std::fprintf(stderr, "ledger_append: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  auto sequencer = Sequencer::Start(store->get(), nullptr);
  if (!sequencer.ok()) return 1;
  std::printf("%8s %16s %16s %8s\n", "writers", "ledger appends/s", "raw rocksdb w/s", "ratio");
  for (int writers : writer_counts) {
    std::vector<Bytes> leaves = MakeLeaves(key, (*store)->Size(), leaves_per_run);
    // Validate before timing: the leaf decodes and its signature verifies.
    auto decoded = DecodeLedgerLeaf(leaves.front());
    if (!decoded.ok() || !VerifyAttestation(decoded->statement, decoded->signature, AddressOf(key)).ok()) {
      std::fprintf(stderr, "ledger_append: generated leaf does not verify\n");
      return 1;
    }
    // The machine's fsync latency drifts with other load, so the two are
    // timed in alternating slices and their times summed.
    constexpr size_t kSlices = 10;
    uint64_t first = (*store)->Size();
    std::string raw_dir = data_dir + ".raw-ceiling";
    std::filesystem::remove_all(raw_dir);
    double ledger_s = 0, raw_s = 0;
    for (size_t slice = 0; slice < kSlices; ++slice) {
      size_t begin = leaves.size() * slice / kSlices, end = leaves.size() * (slice + 1) / kSlices;
      std::vector<Bytes> part(leaves.begin() + static_cast<ptrdiff_t>(begin), leaves.begin() + static_cast<ptrdiff_t>(end));
      auto run_ledger = [&] {
        ledger_s += TimeWriters(part, writers, [&](size_t, const Bytes& leaf) { return (*sequencer)->Append(leaf).ok(); });
      };
      auto run_raw = [&] { raw_s += RawCeiling(raw_dir, part, begin, writers); };
      if (slice % 2 == 0) {
        run_ledger();
        run_raw();
      } else {
        run_raw();
        run_ledger();
      }
    }
    std::filesystem::remove_all(raw_dir);
    if ((*store)->Size() != first + leaves.size()) {
      std::fprintf(stderr, "ledger_append: size %llu after the run, want %llu\n",
                   static_cast<unsigned long long>((*store)->Size()),
                   static_cast<unsigned long long>(first + leaves.size()));
      return 1;
    }
    double ledger_rate = static_cast<double>(leaves.size()) / ledger_s;
    double raw_rate = static_cast<double>(leaves.size()) / raw_s;
    std::printf("%8d %16.0f %16.0f %8.2f\n", writers, ledger_rate, raw_rate, ledger_rate / raw_rate);
    std::fflush(stdout);
  }
  sequencer->reset();

  // What it leaves behind must audit clean: every leaf and subtree hash.
  LogStoreOptions audit_options;
  audit_options.mode = OpenMode::kSecondary;
  audit_options.check_head = false;
  auto audit_store = LogStore::Open(data_dir, audit_options);
  if (!audit_store.ok()) return 1;
  auto report = AuditLog(**audit_store, [](std::string_view) -> absl::StatusOr<CheckpointClaim> {
    return absl::FailedPreconditionError("the bench issues no checkpoints");
  });
  if (!report.ok() || !report->ok()) {
    std::fprintf(stderr, "ledger_append: audit failed: %s\n",
                 report.ok() ? report->first_problem->what.c_str() : std::string(report.status().message()).c_str());
    return 1;
  }
  std::printf("audit: %llu leaves, %llu subtree hashes recomputed and equal\n",
              static_cast<unsigned long long>(report->leaves_checked),
              static_cast<unsigned long long>(report->nodes_checked));
  return 0;
}

}  // namespace
}  // namespace attestd::ledger

int main(int argc, char** argv) {
  CLI::App app{"ledger_append: durable appends/s through group commit vs raw RocksDB synced writes"};
  std::string data_dir;
  size_t leaves = 20000;
  std::vector<int> writers = {1, 8, 64};
  app.add_option("--data-dir", data_dir, "ledger directory (created; appended to if it exists)")->required();
  app.add_option("--leaves", leaves, "leaves per writer configuration")->check(CLI::PositiveNumber);
  app.add_option("--writers", writers, "concurrent writer counts, e.g. 1,8,64")
      ->delimiter(',')
      ->check(CLI::Range(1, 4096));
  CLI11_PARSE(app, argc, argv);
  return attestd::ledger::Run(data_dir, leaves, writers);
}
