// Independent judge of one anchor, with ethers v6: decodes our raw
// transaction, reads the registry, checks the Anchored event.
// usage: node chain/judge_anchor.mjs RPC_URL ARTIFACT_JSON REGISTRY LOG_ID SIZE ROOT RAW_TX TX_HASH FROM
// Exits 0 printing a JSON line when everything agrees; 1 naming the first disagreement.
import { readFileSync } from 'node:fs';
import { ethers } from 'ethers';

const [rpcUrl, artifactPath, registry, logId, size, root, rawTx, txHash, from] = process.argv.slice(2);
const artifact = JSON.parse(readFileSync(artifactPath, 'utf8'));
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
const contract = new ethers.Contract(registry, artifact.abi, provider);
function check(cond, what) {
  if (!cond) {
    console.error(`judge_anchor: FAILED: ${what}`);
    process.exit(1);
  }
}

const tx = ethers.Transaction.from(rawTx);
check(tx.type === 2, `type ${tx.type}, want 2`);
check(tx.chainId === 31337n, `chainId ${tx.chainId}, want 31337`);
check(tx.hash === txHash, `hash ${tx.hash}, want ${txHash}`);
check(tx.from === ethers.getAddress(from), `recovered sender ${tx.from}, want ${from}`);
check(tx.to === ethers.getAddress(registry), `to ${tx.to}, want ${registry}`);
check(tx.value === 0n, 'value is zero');
check(tx.maxFeePerGas >= tx.maxPriorityFeePerGas, 'maxFee >= tip');
const call = contract.interface.parseTransaction({ data: tx.data });
check(call.name === 'anchor', `calls ${call.name}, want anchor`);
check(call.args[0] === logId && call.args[1] === BigInt(size) && call.args[2] === root, 'anchor(logId, size, root) arguments');

check((await contract.rootAt(logId, BigInt(size))) === root, 'rootAt(logId, size) is the root');
const [latestSize] = await contract.latest(logId);
check(latestSize >= BigInt(size), `latest size ${latestSize} >= ${size}`);

const receipt = await provider.getTransactionReceipt(txHash);
check(receipt && receipt.status === 1, 'receipt status 1');
const events = receipt.logs.map((l) => contract.interface.parseLog(l)).filter((e) => e && e.name === 'Anchored');
check(events.length === 1, `one Anchored event, got ${events.length}`);
check(events[0].args.logId === logId && events[0].args.treeSize === BigInt(size) && events[0].args.root === root,
  'Anchored(logId, size, root)');
const all = await contract.queryFilter(contract.filters.Anchored(logId));
check(all.filter((e) => e.args.treeSize === BigInt(size)).length === 1, `size ${size} anchored exactly once`);
console.log(JSON.stringify({ block: receipt.blockNumber, gasUsed: Number(receipt.gasUsed), events: all.length }));
