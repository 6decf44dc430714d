#!/usr/bin/python3
"""Independent RFC 9162 inclusion check, written straight from section 2.1.3.2
with nothing but hashlib: does the leaf at `leaf_index` hash up to the root that
the signed checkpoint states?  Reads the JSON grpc_client.js wrote.
Exit 0 verified, 1 not verified."""
import base64
import hashlib
import json
import sys


def verify_inclusion(index, size, leaf_hash, proof, root):
    if index >= size:
        return False
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            if not fn & 1:
                while (fn & 1) == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main():
    data = json.load(open(sys.argv[1]))
    leaf = bytes.fromhex(data["leaf_hex"])
    if len(leaf) != 321:
        print(f"leaf: got {len(leaf)} bytes, want 321")
        return 1
    if leaf[256:].hex() != data["signature"]:
        print("leaf: the last 65 bytes are not the receipt's signature")
        return 1
    lines = data["checkpoint"].split("\n")
    size, root = int(lines[1]), base64.b64decode(lines[2])
    if size != data["tree_size"]:
        print(f"checkpoint size {size} != proof tree size {data['tree_size']}")
        return 1
    leaf_hash = hashlib.sha256(b"\x00" + leaf).digest()
    proof = [bytes.fromhex(h) for h in data["proof"]]
    if not verify_inclusion(data["leaf_index"], size, leaf_hash, proof, root):
        print("inclusion proof does not reach the checkpoint root")
        return 1
    print(f"inclusion of leaf {data['leaf_index']} in tree {size} verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
