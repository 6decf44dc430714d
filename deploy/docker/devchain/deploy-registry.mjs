// Deploys AnchorRegistry on the development chain and writes its address to
// OUT_FILE (docker-compose.yml's `registry` job). Compiles with
// deploy/contracts/compile.mjs first, so the bytecode is the pinned one.
// Deploys from hardhat's account #0 (derived from hardhat's published test
// mnemonic): DEVELOPMENT ONLY. Idempotent: an OUT_FILE naming an address that
// holds code is kept.
//
// usage: node deploy/docker/devchain/deploy-registry.mjs RPC_URL OUT_FILE
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const require = createRequire(join(repo, 'tests', 'js', 'package.json'));
const { ethers } = require('ethers');

const [rpcUrl, outFile] = process.argv.slice(2);
if (!rpcUrl || !outFile) {
  console.error('usage: deploy-registry.mjs RPC_URL OUT_FILE');
  process.exit(2);
}
const HARDHAT_TEST_MNEMONIC = 'test test test test test test test test test test test junk';

// Compile before opening the provider: the synchronous compile would outlast
// the node's keep-alive timeout and the reused socket would be reset.
const artifactDir = mkdtempSync(join(tmpdir(), 'registry-'));
execFileSync('node', [join(repo, 'deploy', 'contracts', 'compile.mjs'), artifactDir], { stdio: 'inherit' });
const artifact = JSON.parse(readFileSync(join(artifactDir, 'AnchorRegistry.json'), 'utf8'));
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
for (let attempt = 0; ; attempt++) {
  try {
    await provider.getBlockNumber();
    break;
  } catch (e) {
    if (attempt >= 60) throw new Error(`no chain at ${rpcUrl}: ${e.message}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
if (existsSync(outFile)) {
  const address = readFileSync(outFile, 'utf8').trim();
  if (ethers.isAddress(address) && (await provider.getCode(address)) !== '0x') {
    console.log(`AnchorRegistry already at ${address}`);
    process.exit(0);
  }
}
const deployer = ethers.Wallet.fromPhrase(HARDHAT_TEST_MNEMONIC).connect(provider);
const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, deployer);
const contract = await factory.deploy();
await contract.waitForDeployment();
const address = await contract.getAddress();
writeFileSync(outFile, address + '\n');
console.log(`AnchorRegistry deployed at ${address} by ${deployer.address}`);
