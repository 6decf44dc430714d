// Independent check of an attestd statement with ethers, as an auditor would.
// Usage: node verify_typed_data.mjs '<json>' where json is
//   {"logId": "0x..", ..., "issuedAtMs": "123", "signature": "0x.."}
// Prints {"recovered": "0x..", "digest": "0x..", "structHash": "0x..",
//         "domainSeparator": "0x..", "typeHash": "0x.."} on one line.
import { ethers } from "ethers";

const domain = { name: "attestd", version: "1" };
const types = {
  Attestation: [
    { name: "logId", type: "bytes32" },
    { name: "modelDigest", type: "bytes32" },
    { name: "engineDigest", type: "bytes32" },
    { name: "inputCommitment", type: "bytes32" },
    { name: "outputCommitment", type: "bytes32" },
    { name: "requestId", type: "bytes32" },
    { name: "issuedAtMs", type: "uint64" },
  ],
};
const input = JSON.parse(process.argv[2]);
const value = { ...input, issuedAtMs: BigInt(input.issuedAtMs) };
delete value.signature;
const enc = ethers.TypedDataEncoder.from(types);
const out = {
  typeHash: ethers.keccak256(ethers.toUtf8Bytes(enc.encodeType("Attestation"))),
  domainSeparator: ethers.TypedDataEncoder.hashDomain(domain),
  structHash: enc.hashStruct("Attestation", value),
  digest: ethers.TypedDataEncoder.hash(domain, types, value),
};
if (input.signature) out.recovered = ethers.verifyTypedData(domain, types, value, input.signature);
if (input.signerKey) out.signature = await new ethers.Wallet(input.signerKey).signTypedData(domain, types, value);
console.log(JSON.stringify(out));
