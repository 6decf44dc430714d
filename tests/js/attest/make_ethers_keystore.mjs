// Writes the ethers-made V3 keystore fixture used by tests/attest/keystore_test.cc.
// Usage: node make_ethers_keystore.mjs > ../attest/testdata/ethers_keystore.json
// Key = keccak256("attestd keystore fixture"), passphrase as below; both are
// also in the test. ethers 6 writes scrypt n=131072, r=8, p=1.
import { ethers } from "ethers";
const key = ethers.keccak256(ethers.toUtf8Bytes("attestd keystore fixture"));
const wallet = new ethers.Wallet(key);
console.error(key, wallet.address);
console.log(await wallet.encrypt("correct horse battery staple"));
