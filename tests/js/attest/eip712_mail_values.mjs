// Prints the EIP-712 'Mail' example's hashes as ethers computes them; the
// numbers are committed in tests/attest/eip712_test.cc.
import { ethers } from "ethers";
const domain = { name: "Ether Mail", version: "1", chainId: 1,
                 verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" };
const types = {
  Person: [{ name: "name", type: "string" }, { name: "wallet", type: "address" }],
  Mail: [{ name: "from", type: "Person" }, { name: "to", type: "Person" }, { name: "contents", type: "string" }],
};
const value = {
  from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
  to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
  contents: "Hello, Bob!",
};
const enc = ethers.TypedDataEncoder.from(types);
const key = ethers.keccak256(ethers.toUtf8Bytes("cow"));
const wallet = new ethers.Wallet(key);
console.log(JSON.stringify({
  encodeType: enc.encodeType("Mail"),
  typeHash: ethers.keccak256(ethers.toUtf8Bytes(enc.encodeType("Mail"))),
  domainSeparator: ethers.TypedDataEncoder.hashDomain(domain),
  structHash: enc.hashStruct("Mail", value),
  digest: ethers.TypedDataEncoder.hash(domain, types, value),
  key, address: wallet.address,
  signature: await wallet.signTypedData(domain, types, value),
  eip55: ["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed","0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
          "0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb","0xd1220a0cf47c7b9be7a2e6ba89f429762e7b9adb",
          "0x52908400098527886e0f7030069857d2e4169ee7","0x8617e340b3d01fa5f11f306f4090fd50e238070d",
          "0xde709f2102306220921060314715629080e2fb77","0x27b1fdb04752bbc536007a920d24acb045561c26"].map(ethers.getAddress),
}, null, 1));
