// A process that runs the exporter until killed, for the crash test
// (anchor_integration_test.cc, KilledBetweenSendAndReceipt...). Links only
// chain_export, so the test does not depend on every command of `attest`.
// usage: exporter_child DATA_DIR RPC_URL REGISTRY KEY_HEX CONFIRMATIONS
#include <atomic>
#include <iostream>

#include "chain/exporter.h"

int main(int argc, char** argv) {
  using namespace attestd;
  if (argc != 6) {
    std::cerr << "usage: exporter_child DATA_DIR RPC_URL REGISTRY KEY_HEX CONFIRMATIONS\n";
    return 2;
  }
  ledger::LogStoreOptions options;
  options.create_if_missing = false;
  auto store = ledger::LogStore::Open(argv[1], options);
  auto registry = ParseAddress(argv[3]);
  auto key_bytes = HexDecode(argv[4]);
  if (!store.ok() || !registry.ok() || !key_bytes.ok()) {
    std::cerr << "exporter_child: bad arguments or store\n";
    return 2;
  }
  auto key = SecretKey32::FromBytes(*key_bytes);
  if (!key.ok()) return 2;
  chain::ExporterConfig config;
  config.rpc_url = argv[2];
  config.registry = *registry;
  config.chain_id = 31337;
  config.confirmations = std::stoull(argv[5]);
  config.every_leaves = 1;
  config.poll_interval_ms = 50;
  config.max_backoff_ms = 200;
  auto exporter = chain::Exporter::Create(config, store->get(), *std::move(key),
                                          [](const std::string& line) { std::cerr << line << std::endl; });
  if (!exporter.ok()) return 2;
  std::atomic<bool> stop{false};
  absl::Status status = (*exporter)->Run(stop);
  std::cerr << status << std::endl;
  return status.ok() ? 0 : 1;
}
