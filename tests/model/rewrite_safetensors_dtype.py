#!/usr/bin/python3
"""Rewrites MODEL_DIR/model.safetensors with every tensor converted by PyTorch
to DTYPE (F16 or F32), keeping names, shapes and the metadata. For the tests
that check the engine loads f16 and f32 checkpoints, not just bf16.

usage: rewrite_safetensors_dtype.py MODEL_DIR DTYPE
Exit code 3 (and a message) when torch is not importable, so callers skip.
"""
import json
import os
import struct
import sys

try:
    import torch
except Exception as e:  # noqa: BLE001 - any import failure means "skip"
    print(f"torch not importable: {e}", file=sys.stderr)
    sys.exit(3)

TORCH_DTYPES = {"F16": torch.float16, "F32": torch.float32}


def main():
    model_dir, dtype = sys.argv[1], sys.argv[2]
    path = os.path.join(model_dir, "model.safetensors")
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out_header = {"__metadata__": header.get("__metadata__", {"format": "pt"})}
    blobs = []
    offset = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        if info["dtype"] != "BF16":
            raise ValueError(f"{name}: want BF16 input, got {info['dtype']}")
        t = (torch.frombuffer(raw, dtype=torch.int16).to(torch.int32) & 0xFFFF) << 16
        blob = t.view(torch.float32).to(TORCH_DTYPES[dtype]).numpy().tobytes()
        out_header[name] = {"dtype": dtype, "shape": info["shape"], "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(out_header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


if __name__ == "__main__":
    main()
