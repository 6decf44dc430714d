// Development keys for `scripts/serve.sh` and tests: DEV ONLY.
//
// EnsureDevKeys creates, only where a file is missing, an attestor V3
// keystore, a random passphrase file next to it (named DEV-ONLY-*, mode
// 0600) and an Ed25519 log key (PKCS#8 PEM, mode 0600). The keystore uses a
// low scrypt cost so a dev server starts fast; such keys protect nothing
// and must never sign receipts anyone relies on. Existing files are never
// overwritten. Nothing secret is logged.
//
// Thread safety: not for concurrent use on the same paths.
#pragma once

#include "base/status.h"
#include "services/config.h"

namespace attestd::service {

// Creates what is missing among config.keys.{attestor_keystore,
// attestor_passphrase_file, log_key_file}. FailedPrecondition when a keystore
// exists but its passphrase file does not (we cannot invent its passphrase).
[[nodiscard]] absl::Status EnsureDevKeys(const KeyConfig& keys);

}  // namespace attestd::service
