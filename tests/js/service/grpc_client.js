// A client of attestd not written in C++: @grpc/grpc-js loading the .proto
// files at run time, ethers.verifyTypedData for the receipt signature.
//
//   node grpc_client.js PORT OUT.json
// Environment: ATTEST_TOKEN (inference), ATTEST_ADMIN_TOKEN (to issue a
// checkpoint so that an inclusion proof exists).
// Writes OUT.json with what it saw; exits non-zero on any failure.
'use strict';
const path = require('path');
const fs = require('fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { ethers } = require('ethers');

const [port, outPath] = process.argv.slice(2);
const protoRoot = path.join(__dirname, '..', '..', '..', 'proto');
const definition = protoLoader.loadSync(
  ['attestd/v1/inference.proto', 'attestd/v1/ledger.proto', 'attestd/v1/admin.proto'],
  { includeDirs: [protoRoot], keepCase: true, longs: String, defaults: true });
const v1 = grpc.loadPackageDefinition(definition).attestd.v1;
const address = `127.0.0.1:${port}`;
const creds = grpc.credentials.createInsecure();
const inference = new v1.InferenceService(address, creds);
const ledger = new v1.LedgerService(address, creds);
const admin = new v1.AdminService(address, creds);

function metadata(token) {
  const md = new grpc.Metadata();
  if (token) md.add('authorization', `Bearer ${token}`);
  return md;
}
function unary(client, method, request, md) {
  return new Promise((resolve, reject) => {
    client[method](request, md || new grpc.Metadata(), (err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

async function main() {
  const token = process.env.ATTEST_TOKEN;
  const models = await unary(inference, 'ListModels', {}, metadata(token));
  const model = models.models[0].name;

  // Streaming generation: chunks then one final message.
  const chunks = [];
  const final = await new Promise((resolve, reject) => {
    let last = null;
    const call = inference.GenerateStream(
      { model, prompt: 'Hello from node', max_tokens: 6, request_id: `node-${Date.now()}` }, metadata(token));
    call.on('data', (msg) => {
      if (msg.chunk) chunks.push(msg.chunk.text);
      if (msg.final) last = msg.final;
    });
    call.on('error', reject);
    call.on('end', () => (last ? resolve(last) : reject(new Error('no final message'))));
  });
  const r = final.receipt;

  // The EIP-712 statement, checked by ethers (SPEC "The signed statement").
  const domain = { name: 'attestd', version: '1' };
  const types = {
    Attestation: [
      { name: 'logId', type: 'bytes32' }, { name: 'modelDigest', type: 'bytes32' },
      { name: 'engineDigest', type: 'bytes32' }, { name: 'inputCommitment', type: 'bytes32' },
      { name: 'outputCommitment', type: 'bytes32' }, { name: 'requestId', type: 'bytes32' },
      { name: 'issuedAtMs', type: 'uint64' },
    ],
  };
  const value = {
    logId: '0x' + r.log_id, modelDigest: '0x' + r.model_digest, engineDigest: '0x' + r.engine_digest,
    inputCommitment: '0x' + r.input_commitment, outputCommitment: '0x' + r.output_commitment,
    requestId: '0x' + r.request_id_hash, issuedAtMs: r.issued_at_ms,
  };
  const recovered = ethers.verifyTypedData(domain, types, value, '0x' + r.signature);
  const requestIdHash = ethers.sha256(ethers.toUtf8Bytes(final.request_id)).slice(2);
  const logIdFromOrigin = ethers.sha256(ethers.toUtf8Bytes(r.log_origin)).slice(2);

  // Ledger evidence for the independent (Python) proof check.
  await unary(admin, 'IssueCheckpoint', {}, metadata(process.env.ATTEST_ADMIN_TOKEN));
  const checkpoint = await unary(ledger, 'GetCheckpoint', { tree_size: 0 });
  const entry = await unary(ledger, 'GetEntry', { index: r.leaf_index });
  const proof = await unary(ledger, 'GetInclusionProof', { index: r.leaf_index, tree_size: 0 });
  let unauthenticatedCode = null;
  try {
    await unary(inference, 'Generate', { model, prompt: 'x', max_tokens: 1 }, metadata('wrong-token'));
  } catch (e) {
    unauthenticatedCode = e.code;
  }

  const out = {
    model, text: final.text, chunks_text: chunks.join(''), finish_reason: final.finish_reason,
    attestor: r.attestor, recovered, request_id_hash_ok: requestIdHash === r.request_id_hash,
    log_id_ok: logIdFromOrigin === r.log_id, leaf_index: Number(r.leaf_index),
    leaf_hex: Buffer.from(entry.leaf).toString('hex'), signature: r.signature,
    tree_size: Number(proof.tree_size), proof: proof.hashes, checkpoint: checkpoint.checkpoint,
    unauthenticated_code: unauthenticatedCode,
  };
  fs.writeFileSync(outPath, JSON.stringify(out, null, 1));
  [inference, ledger, admin].forEach((c) => c.close());
}

main().catch((e) => {
  console.error(`grpc_client.js: ${e.stack || e}`);
  process.exit(1);
});
