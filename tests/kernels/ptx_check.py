#!/usr/bin/env python3
"""Checks the PTX that nvcc emits for the canonical CUDA kernels.

docs/determinism.md promises that every floating-point operation of a
canonical kernel is one correctly rounded IEEE operation, that nothing is
fused into a multiply-add and that no reduction uses atomics. In PTX that
means:
  - no fma instruction, and every f32/f64 add, sub and mul carries an explicit
    rounding mode (.rn): ptxas may contract a plain mul.f32 + add.f32 into an
    FFMA, never a mul.rn + add.rn;
  - no approximate or special-function instructions (.approx, div.full, ex2,
    lg2, sin, cos, rsqrt, tanh): the transcendentals are ours;
  - no atom./red. instructions and no tensor-core (mma, wmma) instructions.

usage: ptx_check.py FILE.ptx...   exit 0 when every file holds, 1 otherwise
       ptx_check.py --self-test    shows that each rule rejects what it should
"""
import re
import sys

RULES = [
    ("fused multiply-add", re.compile(r"^\s*(@!?%p\d+\s+)?fma\.")),
    ("f32/f64 arithmetic without an explicit rounding mode (may be contracted into an FMA)",
     re.compile(r"^\s*(@!?%p\d+\s+)?(add|sub|mul)(\.sat)?\.f(32|64)\b")),
    ("approximate or special-function instruction",
     re.compile(r"\.approx\b|\bdiv\.full\b|^\s*(@!?%p\d+\s+)?(ex2|lg2|sin|cos|rsqrt|tanh)\.")),
    ("atomic or reduction instruction", re.compile(r"^\s*(@!?%p\d+\s+)?(atom|red)\.")),
    ("tensor-core instruction", re.compile(r"^\s*(@!?%p\d+\s+)?(w?mma|wgmma)\.")),
]


def problems(text):
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("//", 1)[0]
        for name, rule in RULES:
            if rule.search(code):
                found.append((number, name, line.strip()))
    return found


def self_test():
    bad = {
        "fused multiply-add": "\tfma.rn.f32 \t%f3, %f1, %f2, %f0;",
        "f32/f64 arithmetic without an explicit rounding mode (may be contracted into an FMA)":
            "\tmul.f32 \t%f3, %f1, %f2;",
        "approximate or special-function instruction": "\tex2.approx.ftz.f32 \t%f2, %f1;",
        "atomic or reduction instruction": "\tatom.global.add.f32 \t%f1, [%rd1], %f2;",
        "tensor-core instruction": "\tmma.sync.aligned.m16n8k8.row.col.f32.bf16.bf16.f32 {%f1}, {%r1}, {%r2}, {%f2};",
    }
    good = "\tadd.rn.f32 \t%f3, %f1, %f2;\n\tmul.rn.f64 \t%fd2, %fd1, %fd0;\n\tadd.s64 \t%rd2, %rd1, 4;\n"
    ok = not problems(good)
    for name, line in bad.items():
        hits = [p[1] for p in problems(line)]
        if name not in hits:
            print(f"self-test: rule '{name}' missed: {line.strip()}")
            ok = False
    print("self-test:", "every rule rejects its example" if ok else "FAILED")
    return 0 if ok else 1


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    if not argv:
        print(__doc__)
        return 2
    status = 0
    for path in argv:
        with open(path) as f:
            text = f.read()
        if ".entry" not in text:
            print(f"{path}: no kernel entry; not a kernel's PTX?")
            status = 1
        for number, name, line in problems(text):
            print(f"{path}:{number}: {name}: {line}")
            status = 1
    if status == 0:
        print(f"ptx_check: {len(argv)} files, no FMA, no unrounded arithmetic, no approximate math, no atomics")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
