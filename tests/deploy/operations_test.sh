#!/usr/bin/env bash
# Runs the attestd-only command blocks of docs/operations.md (those marked
# `<!-- ops-test: NAME -->`) with the built binaries in a temporary directory,
# in the order an operator would: first keys, health, a live backup and its
# audit, a restore the server starts on, a key rotation into a new log epoch
# (with attestd refusing the old ledger under the new origin) and the checks
# that old receipts still verify. Between blocks the script does what the
# page leaves to systemd (start/stop) and to clients (generate receipts).
#
# usage: operations_test.sh ATTESTD ATTEST DOCS_OPERATIONS_MD
set -euo pipefail

ATTESTD_BIN=$(realpath "$1")
ATTEST_BIN=$(realpath "$2")
DOC=$(realpath "$3")

work=$(mktemp -d)
server_pid=""
hardhat_pid=""
cleanup() {
  if [[ -n "$hardhat_pid" ]]; then kill "$hardhat_pid" 2>/dev/null || true; fi
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/server-*.err; do [[ -f "$f" ]] && { echo "--- $f" >&2; tail -5 "$f" >&2; }; done
  exit 1
}

mkdir -p "$work/bin"
ln -s "$ATTESTD_BIN" "$work/bin/attestd"
ln -s "$ATTEST_BIN" "$work/bin/attest"
export PATH="$work/bin:$PATH"
export KEYS="$work/keys" STATE="$work/state" BACKUPS="$work/backups" ORIGIN="attestd.test/log-1"
export ATTEST_TOKEN=""
mkdir -p "$STATE/models" "$BACKUPS"

# The fenced ```sh block right after `<!-- ops-test: NAME -->`, run in this shell.
block_text() {
  awk -v tag="<!-- ops-test: $1 -->" '
    $0 == tag { found = 1; next }
    found && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$DOC"
}
run_block() {
  local name=$1 text
  text=$(block_text "$name")
  [[ -n "$text" ]] || fail "docs/operations.md has no ops-test block '$name'"
  echo "== block $name"
  eval "$text" || fail "block '$name' failed"
}

write_config() {  # FILE ORIGIN LEDGER_DIR KEYSTORE LOG_KEY
  cat > "$1" <<EOF
listen: 127.0.0.1:0
metrics_listen: ""
models: [$STATE/models/demo]
ledger_dir: $3
log_origin: $2
digest_cache_dir: $STATE/digest-cache
checkpoint_interval_ms: 200
keys:
  attestor_keystore: $4
  attestor_passphrase_file: $KEYS/attestor-passphrase
  log_key_file: $5
EOF
}

start_server() {  # CONFIG TAG
  local out="$work/server-$2.out" err="$work/server-$2.err"
  attestd --config "$1" > "$out" 2> "$err" &
  server_pid=$!
  for _ in $(seq 1 600); do
    if grep -qs "attestd listening on port" "$out"; then
      ATTESTD_ADDR="127.0.0.1:$(sed -n 's/^attestd listening on port \([0-9]*\).*/\1/p' "$out")"
      export ATTESTD_ADDR
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || fail "attestd ($2) exited: $(tail -3 "$err")"
    sleep 0.1
  done
  fail "attestd ($2) did not start in 60 s"
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" || fail "attestd did not exit 0 on SIGTERM"
  server_pid=""
}

generate() {  # OUT_DIR PROMPT
  attest generate --server "$ATTESTD_ADDR" --prompt "$2" --max-tokens 4 --out "$1" --quiet > /dev/null ||
    fail "attest generate into $1"
}

json_field() {  # FILE FIELD
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

attest model synth "$STATE/models/demo" --family qwen2 --shape tiny --seed 1 > /dev/null

# --- First start.
run_block first-keys
for f in attestor.json attestor-passphrase log-ed25519.key log-vkey.txt; do
  [[ -s "$KEYS/$f" ]] || fail "first-keys did not create $KEYS/$f"
done
[[ $(stat -c %a "$KEYS/log-ed25519.key") == 600 ]] || fail "log key mode $(stat -c %a "$KEYS/log-ed25519.key"), want 600"
write_config "$work/attestd.yaml" "$ORIGIN" "$STATE/ledger" "$KEYS/attestor.json" "$KEYS/log-ed25519.key"
attestd --config "$work/attestd.yaml" --print-config > /dev/null || fail "attestd --print-config refused the config"
start_server "$work/attestd.yaml" first
run_block health
generate "$work/r1" "Hello"
generate "$work/r2" "Second receipt"

# --- Live backup, then its audit (the server keeps running).
t0=$(date +%s%N)
run_block backup
t1=$(date +%s%N)
[[ -d "$BACKUP" ]] || fail "backup did not create $BACKUP"
audit_out=$(run_block verify-restore) || fail "verify-restore failed"
echo "$audit_out"
grep -q "audit OK" <<< "$audit_out" || fail "audit of the backup did not say OK"
backup_size=$(attest ledger info "$BACKUP" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])')
((backup_size >= 2)) || fail "backup holds $backup_size leaves, want >= 2 (two receipts were returned before it)"
echo "figure: live attest backup of a $backup_size-leaf ledger took $(((t1 - t0) / 1000000)) ms"
if attest backup "$STATE/ledger" "$BACKUP" 2> /dev/null; then fail "attest backup overwrote an existing directory"; fi
if attest backup "$work/no-such-ledger" "$BACKUPS/x" 2> /dev/null; then fail "attest backup of a missing ledger succeeded"; fi
[[ ! -e "$BACKUPS/x" ]] || fail "a failed backup left $BACKUPS/x behind"

# --- Anchoring from a copy while attestd runs (needs the hardhat test peer).
repo=$(dirname "$DOC")/..
js="$repo/tests/js"
if [[ -f "$js/node_modules/hardhat/internal/cli/cli.js" ]] && command -v node > /dev/null; then
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$js" && exec node node_modules/hardhat/internal/cli/cli.js node --hostname 127.0.0.1 --port "$port") \
    > "$work/hardhat.log" 2>&1 &
  hardhat_pid=$!
  for _ in $(seq 1 300); do grep -q "Started HTTP" "$work/hardhat.log" && break; sleep 0.1; done
  export RPC_URL="http://127.0.0.1:$port" CHAIN_ID=31337
  node "$repo/deploy/docker/devchain/deploy-registry.mjs" "$RPC_URL" "$work/registry-address" > /dev/null ||
    fail "deploy-registry.mjs"
  REGISTRY=$(cat "$work/registry-address")
  export REGISTRY
  head -c 16 /dev/urandom | base64 > "$KEYS/exporter-passphrase"
  exporter=$(attest keygen --keystore "$KEYS/exporter.json" --passphrase-file "$KEYS/exporter-passphrase" --scrypt-n 1024)
  node -e '
    const { ethers } = require(process.argv[1] + "/node_modules/ethers");
    const p = new ethers.JsonRpcProvider(process.argv[2], undefined, { staticNetwork: true });
    const w = ethers.Wallet.fromPhrase("test test test test test test test test test test test junk").connect(p);
    w.sendTransaction({ to: process.argv[3], value: ethers.parseEther("1") }).then((t) => t.wait()).then(
      () => process.exit(0), (e) => { console.error(e.message); process.exit(1); });' "$js" "$RPC_URL" "$exporter" ||
    fail "funding the exporter account"
  first=$(run_block anchor-from-copy 2>&1) || fail "anchor-from-copy: $first"
  grep -q "anchored size [1-9]" <<< "$first" || fail "anchor-from-copy anchored nothing: $first"
  # A second copy at the same size: the chain already holds it, nothing is sent.
  sleep 1
  second=$(eval "$(block_text anchor-from-copy)" 2>&1) || fail "second copy: export exited non-zero: $second"
  if grep -q "anchored size" <<< "$second"; then fail "second copy anchored again: $second"; fi
  grep -q "nothing new is due" <<< "$second" || fail "second copy did not say nothing new is due: $second"
  echo "anchor-from-copy: anchored once, second copy sent nothing"
  kill "$hardhat_pid"; hardhat_pid=""
else
  echo "SKIP anchor-from-copy: tests/js/node_modules (hardhat) or node not installed (scripts/install-deps.sh --test)"
fi

# --- Restore: stop, move the ledger aside, copy the backup in, start on it.
stop_server
if attest health --server "$ATTESTD_ADDR" --timeout-ms 500 > /dev/null 2>&1; then
  fail "attest health says SERVING with the server stopped"
fi
mv "$STATE/ledger" "$STATE/ledger.before-restore"
cp -a "$BACKUP" "$STATE/ledger"
start_server "$work/attestd.yaml" restored
generate "$work/r3" "After the restore"
stop_server
attest ledger audit "$STATE/ledger" --log-key "$KEYS/log-vkey.txt" > /dev/null || fail "restored ledger does not audit"
restored_size=$(attest ledger info "$STATE/ledger" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])')
((restored_size == backup_size + 1)) || fail "restored ledger has $restored_size leaves, want $((backup_size + 1))"

# --- Key rotation: a new log epoch.
OLD_ATTESTOR=$(attest address --keystore "$KEYS/attestor.json")
OLD_RECEIPT_DIR="$work/r1"
export OLD_ATTESTOR OLD_RECEIPT_DIR
run_block rotate-keys
[[ -n "${NEW_ORIGIN:-}" ]] || fail "rotate-keys did not set NEW_ORIGIN"
# The documented refusal: the old ledger under the new origin.
write_config "$work/wrong.yaml" "$NEW_ORIGIN" "$STATE/ledger" "$KEYS/attestor-2.json" "$KEYS/log-ed25519-2.key"
if attestd --config "$work/wrong.yaml" > /dev/null 2> "$work/wrong.err"; then
  fail "attestd opened the old ledger under a new origin"
fi
grep -q "belongs to another origin" "$work/wrong.err" || fail "refusal did not say why: $(cat "$work/wrong.err")"
write_config "$work/attestd-2.yaml" "$NEW_ORIGIN" "$STATE/ledger-2" "$KEYS/attestor-2.json" "$KEYS/log-ed25519-2.key"
start_server "$work/attestd-2.yaml" rotated
generate "$work/r4" "After the rotation"
stop_server
new_attestor=$(json_field "$work/r4/receipt.json" attestor)
[[ "$new_attestor" == "$(attest address --keystore "$KEYS/attestor-2.json")" ]] ||
  fail "new receipt signed by $new_attestor, want the new key"
[[ "$new_attestor" != "$OLD_ATTESTOR" ]] || fail "rotation kept the old attestor"
attest receipt verify "$work/r4/receipt.json" --attestor "$new_attestor" --log-key "$(cat "$KEYS/log-vkey-2.txt")" \
  > /dev/null || fail "new receipt does not verify with the new keys"
(cd "$work" && run_block after-rotation)
# ...and an old receipt must not pass as the new attestor's.
if attest receipt verify "$OLD_RECEIPT_DIR/receipt.json" --attestor "$new_attestor" > /dev/null 2>&1; then
  fail "old receipt verified as signed by the new attestor"
fi
# The signature in the receipt is the tail of the leaf the old ledger proves.
index=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ledger"]["leaf_index"])' "$OLD_RECEIPT_DIR/receipt.json")
leaf=$(attest ledger get "$STATE/ledger" --index "$index")
signature=$(json_field "$OLD_RECEIPT_DIR/receipt.json" signature)
[[ "${leaf: -130}" == "${signature#0x}" ]] || fail "old ledger leaf $index does not end with the receipt's signature"
echo "operations_test: all blocks passed"
