// Local EVM node for attestd's chain tests (tests/chain): started by the test
// itself with `npx hardhat node --hostname 127.0.0.1 --port P` from tests/js.
// chainId 31337 and hardhat's default accounts (derived from its public test
// mnemonic) are what the tests expect. Blocks are mined on every transaction
// and also every 250 ms, so confirmation depths advance without traffic.
// The contract is compiled by deploy/contracts/compile.mjs, not by hardhat.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      mining: { auto: true, interval: 250 },
    },
  },
};
