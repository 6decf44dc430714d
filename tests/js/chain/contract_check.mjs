// Contract tests for AnchorRegistry, judged by ethers v6 against a live node.
// usage: node chain/contract_check.mjs RPC_URL ARTIFACT_JSON
// Exits 0 and prints one JSON line of gas figures when every check passes;
// exits 1 naming the first failed check otherwise.
import { readFileSync } from 'node:fs';
import { ethers } from 'ethers';

const [rpcUrl, artifactPath] = process.argv.slice(2);
const artifact = JSON.parse(readFileSync(artifactPath, 'utf8'));
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
// hardhat's public test mnemonic accounts #5 and #6: nobody else in the tests uses them.
const mnemonic = 'test test test test test test test test test test test junk';
const owner = ethers.HDNodeWallet.fromPhrase(mnemonic, undefined, "m/44'/60'/0'/0/5").connect(provider);
const stranger = ethers.HDNodeWallet.fromPhrase(mnemonic, undefined, "m/44'/60'/0'/0/6").connect(provider);

function check(cond, what) {
  if (!cond) {
    console.error(`contract_check: FAILED: ${what}`);
    process.exit(1);
  }
}
async function expectRevert(promise, errorName, what) {
  try {
    await (await promise).wait();
  } catch (e) {
    // estimateGas reverts before the contract wrapper sees it; decode the data ourselves.
    let name = e?.revert?.name;
    if (!name && typeof e?.data === 'string') name = registryInterface.parseError(e.data)?.name;
    check(name === errorName, `${what}: reverted with ${name ?? e.shortMessage}, want ${errorName}`);
    return;
  }
  check(false, `${what}: was accepted, want revert ${errorName}`);
}

const registryInterface = new ethers.Interface(artifact.abi);
const factory = new ethers.ContractFactory(artifact.abi, artifact.bytecode, owner);
const registry = await factory.deploy();
const deployReceipt = await registry.deploymentTransaction().wait();
const asOwner = registry.connect(owner);
const asStranger = registry.connect(stranger);

const logId = ethers.sha256(ethers.toUtf8Bytes('contract-check.example/log'));
const root1 = ethers.sha256(ethers.toUtf8Bytes('root 1'));
const root2 = ethers.sha256(ethers.toUtf8Bytes('root 2'));

// Fresh log: nothing anchored.
check((await registry.anchorerOf(logId)) === ethers.ZeroAddress, 'fresh log has no anchorer');
const [size0, root0] = await registry.latest(logId);
check(size0 === 0n && root0 === ethers.ZeroHash, 'fresh log latest is (0, 0)');

// First anchor registers the sender and emits Anchored with the right fields.
const r1 = await (await asOwner.anchor(logId, 10, root1)).wait();
const anchored = r1.logs.map((l) => registry.interface.parseLog(l)).filter((l) => l?.name === 'Anchored');
check(anchored.length === 1, `one Anchored event, got ${anchored.length}`);
check(anchored[0].args.logId === logId && anchored[0].args.treeSize === 10n && anchored[0].args.root === root1,
  'Anchored carries logId, treeSize, root');
check(r1.logs.find((l) => l.topics[0] === registry.interface.getEvent('Anchored').topicHash).topics[1] === logId,
  'logId is the indexed topic');
check((await registry.anchorerOf(logId)) === owner.address, 'first anchorer registered');
check((await registry.rootAt(logId, 10)) === root1, 'rootAt(10) is root1');
check((await registry.rootAt(logId, 9)) === ethers.ZeroHash, 'rootAt of an unanchored size is zero');

// Only the anchorer may anchor; sizes must strictly increase; zero root rejected.
await expectRevert(asStranger.anchor(logId, 11, root2), 'NotAnchorer', 'stranger anchors');
await expectRevert(asOwner.anchor(logId, 10, root2), 'TreeSizeNotIncreasing', 'same size again');
await expectRevert(asOwner.anchor(logId, 9, root2), 'TreeSizeNotIncreasing', 'smaller size');
await expectRevert(asOwner.anchor(logId, 11, ethers.ZeroHash), 'ZeroRoot', 'zero root');
check((await registry.rootAt(logId, 10)) === root1, 'rejected anchors changed nothing');

const r2 = await (await asOwner.anchor(logId, 20, root2)).wait();
const [sizeL, rootL] = await registry.latest(logId);
check(sizeL === 20n && rootL === root2, 'latest is (20, root2)');
check((await registry.rootAt(logId, 10)) === root1, 'older root kept');

// Transfer: only the anchorer, never to zero; the new anchorer takes over.
await expectRevert(asStranger.transferAnchorer(logId, stranger.address), 'NotAnchorer', 'stranger transfers');
await expectRevert(asOwner.transferAnchorer(logId, ethers.ZeroAddress), 'ZeroAnchorer', 'transfer to zero');
await (await asOwner.transferAnchorer(logId, stranger.address)).wait();
await expectRevert(asOwner.anchor(logId, 30, root1), 'NotAnchorer', 'old anchorer after transfer');
await (await asStranger.anchor(logId, 30, root1)).wait();
check((await registry.rootAt(logId, 30)) === root1, 'new anchorer anchors');

// A second log is independent: anyone can register it.
const logId2 = ethers.sha256(ethers.toUtf8Bytes('other.example/log'));
await (await asStranger.anchor(logId2, 1, root1)).wait();
check((await registry.anchorerOf(logId2)) === stranger.address, 'second log registered separately');

console.log(JSON.stringify({
  registry: await registry.getAddress(),
  deployGas: Number(deployReceipt.gasUsed),
  firstAnchorGas: Number(r1.gasUsed),
  nextAnchorGas: Number(r2.gasUsed),
}));
