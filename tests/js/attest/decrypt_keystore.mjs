// Opens a V3 keystore with ethers, as a wallet user would.
// Usage: KEYSTORE_PASSPHRASE=... node decrypt_keystore.mjs <keystore.json>
// Prints the checksummed address on one line; exits 1 if ethers refuses it.
import { readFileSync } from "node:fs";
import { ethers } from "ethers";

const json = readFileSync(process.argv[2], "utf8");
try {
  const wallet = await ethers.Wallet.fromEncryptedJson(json, process.env.KEYSTORE_PASSPHRASE);
  console.log(wallet.address);
} catch (e) {
  console.error("ethers refused the keystore: " + e.message);
  process.exit(1);
}
