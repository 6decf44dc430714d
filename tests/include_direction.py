#!/usr/bin/env python3
"""Checks that every project #include points down the dependency order.

    base <- kernels <- model
    base <- attest <- ledger <- chain
    verify: all of the above
    services (and services/cli): everything, the generated protos included

A folder may include itself and the folders it depends on, nothing else
(README.md, "Layout"). Tests follow the folder they mirror (tests/ledger/ as
ledger/), plus their own folder and tests/testing/; bench/, tests/testing/ and
the other test folders (fuzz, deploy) sit on top.

Usage: include_direction.py REPO_ROOT     exit 0 clean, 1 with one line per
                                          violation naming file, line, include
       include_direction.py --self-test   plants violations in a scratch tree
                                          and checks that each is reported
"""
import os
import re
import sys
import tempfile

# Folder -> the folders its files may include (itself always included).
ALLOWED = {
    "base": set(),
    "kernels": {"base"},
    "model": {"base", "kernels"},
    "attest": {"base"},
    "ledger": {"base", "attest"},
    "chain": {"base", "attest", "ledger"},
    "verify": {"base", "kernels", "model", "attest", "ledger", "chain"},
    "proto": set(),
    "services": {"base", "kernels", "model", "attest", "ledger", "chain", "verify", "proto"},
}
LAYERS = set(ALLOWED)
# Generated gRPC code is included by its proto package path.
PROTO_PREFIX = "attestd/v1/"
# Folders above every layer: they may include anything in the tree.
TOP = {"bench"}
SOURCE_SUFFIXES = (".h", ".hpp", ".cc", ".cpp", ".cu", ".cuh")
SKIP_DIRS = {".git", "node_modules", "__pycache__"}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def layer_of_include(path):
    """The layer an include names, or None for a header outside the project."""
    if path.startswith(PROTO_PREFIX):
        return "proto"
    head = path.split("/", 1)[0]
    if head in LAYERS:
        return head
    if head == "tests":
        return "tests"
    if head in TOP:
        return head
    return None


def rule_for(rel):
    """(layer the file is held to, extra allowed include prefixes), or None if unrestricted."""
    parts = rel.split("/")
    if parts[0] in LAYERS:
        return parts[0], ()
    if parts[0] == "tests" and len(parts) > 2 and parts[1] in LAYERS:
        return parts[1], ("tests/" + parts[1] + "/", "tests/testing/")
    return None


def check_file(root, rel):
    rule = rule_for(rel)
    if rule is None:
        return []
    layer, extra = rule
    allowed = ALLOWED[layer] | {layer}
    problems = []
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            inc = m.group(1)
            target = layer_of_include(inc)
            if target is None:
                continue
            if target in allowed or any(inc.startswith(p) for p in extra):
                continue
            why = ("%s/ may include only %s" % (layer, ", ".join(sorted(allowed))))
            if extra:
                why += " and " + ", ".join(extra)
            problems.append('%s:%d: #include "%s": %s' % (rel, number, inc, why))
    return problems


def check_tree(root):
    problems = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("build"))
        for name in sorted(filenames):
            if name.endswith(SOURCE_SUFFIXES):
                rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
                problems.extend(check_file(root, rel))
    return problems


def self_test():
    """Each planted include must be reported; each allowed one must not."""
    planted = {
        "attest/bad.cc": ('#include "ledger/log_store.h"', True),
        "ledger/bad.cc": ('#include "chain/exporter.h"', True),
        "model/bad.h": ('#include "attest/bytes.h"', True),
        "kernels/bad.cc": ('#include "model/engine.h"', True),
        "chain/bad.cc": ('#include "verify/receipt_verifier.h"', True),
        "verify/bad.cc": ('#include "services/config.h"', True),
        "ledger/proto.cc": ('#include "attestd/v1/ledger.pb.h"', True),
        "tests/attest/bad_test.cc": ('#include "ledger/merkle_hash.h"', True),
        "tests/ledger/bad_test.cc": ('#include "tests/chain/harness.h"', True),
        "ledger/good.cc": ('#include "attest/bytes.h"', False),
        "verify/good.cc": ('#include "chain/onchain_verify.h"', False),
        "services/good.cc": ('#include "attestd/v1/ledger.grpc.pb.h"', False),
        "tests/ledger/good_test.cc": ('#include "tests/testing/temp_dir.h"', False),
        "bench/good.cc": ('#include "services/server.h"', False),
        "kernels/system.cc": ('#include "absl/status/status.h"', False),
    }
    failures = []
    with tempfile.TemporaryDirectory() as root:
        for rel, (line, _) in planted.items():
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write("// planted\n" + line + "\n")
        reported = {p.split(":", 1)[0] for p in check_tree(root)}
        for rel, (line, bad) in planted.items():
            if bad and rel not in reported:
                failures.append("not reported: %s: %s" % (rel, line))
            if not bad and rel in reported:
                failures.append("reported but allowed: %s: %s" % (rel, line))
    for f in failures:
        print("include_direction self-test: " + f)
    if not failures:
        print("include_direction self-test: %d planted includes judged right" % len(planted))
    return 1 if failures else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--self-test":
        return self_test()
    if len(argv) != 2:
        print(__doc__)
        return 2
    problems = check_tree(argv[1])
    for p in problems:
        print(p)
    if problems:
        print("%d include(s) point against the dependency order (README.md, Layout)" % len(problems))
        return 1
    print("include direction: every project include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
