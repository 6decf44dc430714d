// Compiles AnchorRegistry.sol with the pinned npm solc (tests/js/package.json)
// and writes <out>/AnchorRegistry.json = { abi, bytecode, deployedBytecode,
// solcVersion, settings, sourceSha256 }. Artifacts are build outputs, never
// committed: rerunning this script on the same source gives the same bytes
// (metadata hash disabled, settings pinned below).
//
// usage: node deploy/contracts/compile.mjs [OUT_DIR]   (default: build-contracts)
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
// solc lives with the other JS test peers; resolve it from there.
const require = createRequire(join(repo, 'tests', 'js', 'package.json'));
const solc = require('solc');

const WANT_SOLC = '0.8.30';
const version = solc.version();
if (!version.startsWith(WANT_SOLC + '+')) {
  console.error(`compile.mjs: solc ${version}, want ${WANT_SOLC}`);
  process.exit(2);
}

const sourcePath = join(here, 'AnchorRegistry.sol');
const source = readFileSync(sourcePath, 'utf8');
const settings = {
  evmVersion: 'shanghai',
  optimizer: { enabled: true, runs: 200 },
  // No IPFS/Swarm hash appended: the bytecode depends on the source only.
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};
const input = { language: 'Solidity', sources: { 'AnchorRegistry.sol': { content: source } }, settings };
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);

const c = output.contracts['AnchorRegistry.sol'].AnchorRegistry;
const artifact = {
  contractName: 'AnchorRegistry',
  solcVersion: version,
  settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer, metadata: settings.metadata },
  sourceSha256: createHash('sha256').update(source).digest('hex'),
  abi: c.abi,
  bytecode: '0x' + c.evm.bytecode.object,
  deployedBytecode: '0x' + c.evm.deployedBytecode.object,
};
const outDir = resolve(process.argv[2] || join(repo, 'build-contracts'));
mkdirSync(outDir, { recursive: true });
const outPath = join(outDir, 'AnchorRegistry.json');
writeFileSync(outPath, JSON.stringify(artifact, null, 2) + '\n');
console.log(`${outPath} bytecode ${(artifact.bytecode.length - 2) / 2} bytes, sha256 ` +
  createHash('sha256').update(artifact.bytecode).digest('hex'));
