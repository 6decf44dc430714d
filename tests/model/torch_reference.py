#!/usr/bin/python3
"""Reference forward pass of Llama / Qwen2 in PyTorch (CPU, float32), written
from the published architecture (Hugging Face modeling_llama.py /
modeling_qwen2.py), used to check the C++ engine.

usage: torch_reference.py MODEL_DIR PROMPT_IDS STEPS OUT_JSON
  PROMPT_IDS  comma-separated token ids
  STEPS       greedy steps; logits are recorded at every step
Writes {"tokens": [...], "logits": [[vocab floats] * STEPS]} to OUT_JSON.
Exit code 3 (and a message) when torch is not importable, so callers skip.
"""
import json
import math
import os
import struct
import sys

try:
    import torch
except Exception as e:  # noqa: BLE001 - any import failure means "skip"
    print(f"torch not importable: {e}", file=sys.stderr)
    sys.exit(3)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        shape = info["shape"]
        dtype = info["dtype"]
        if dtype == "BF16":
            # bf16 is the top half of an f32: widen exactly.
            t = (torch.frombuffer(raw, dtype=torch.int16).to(torch.int32) & 0xFFFF) << 16
            t = t.view(torch.float32)
        elif dtype == "F16":
            t = torch.frombuffer(raw, dtype=torch.float16).to(torch.float32)
        elif dtype == "F32":
            t = torch.frombuffer(raw, dtype=torch.float32).clone()
        else:
            raise ValueError(f"dtype {dtype}")
        out[name] = t.reshape(shape)
    return out


def load(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    w = {}
    for fn in sorted(os.listdir(model_dir)):
        if fn.endswith(".safetensors"):
            w.update(read_safetensors(os.path.join(model_dir, fn)))
    return cfg, w


def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def scaled_inv_freq(scaling, inv_freq):
    """rope_scaling as Hugging Face's modeling_rope_utils computes it (f32)."""
    if not scaling:
        return inv_freq
    kind = scaling.get("rope_type", scaling.get("type"))
    if kind == "default":
        return inv_freq
    if kind == "linear":
        return inv_freq / scaling["factor"]
    if kind != "llama3":
        raise ValueError(f"rope_scaling type {kind}")
    factor = scaling["factor"]
    low_freq_factor = scaling["low_freq_factor"]
    high_freq_factor = scaling["high_freq_factor"]
    old_context_len = scaling["original_max_position_embeddings"]
    low_freq_wavelen = old_context_len / low_freq_factor
    high_freq_wavelen = old_context_len / high_freq_factor
    wavelen = 2 * math.pi / inv_freq
    inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
    smoothed_inv_freq = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
    is_medium_freq = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
    return torch.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)


def forward(cfg, w, ids):
    h = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or h // nh
    eps = cfg["rms_norm_eps"]
    theta = cfg.get("rope_theta", 10000.0)
    qwen = cfg["model_type"] == "qwen2"
    bias = qwen or cfg.get("attention_bias", False)
    T = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    inv_freq = scaled_inv_freq(cfg.get("rope_scaling"),
                               1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd)))
    pos = torch.arange(T, dtype=torch.float32)
    freqs = torch.outer(pos, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.full((T, T), float("-inf")).triu(1)
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        a = rms_norm(x, w[p + "input_layernorm.weight"], eps)

        def lin(name, inp):
            y = inp @ w[p + name + ".weight"].T
            if bias and (p + name + ".bias") in w:
                y = y + w[p + name + ".bias"]
            return y
        q = lin("self_attn.q_proj", a).view(T, nh, hd).transpose(0, 1)
        k = lin("self_attn.k_proj", a).view(T, nkv, hd).transpose(0, 1)
        v = lin("self_attn.v_proj", a).view(T, nkv, hd).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=0)
        v = v.repeat_interleave(nh // nkv, dim=0)
        scores = (q @ k.transpose(1, 2)) * (hd ** -0.5) + mask
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32)
        att = (probs @ v).transpose(0, 1).reshape(T, nh * hd)
        x = x + att @ w[p + "self_attn.o_proj.weight"].T
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = m @ w[p + "mlp.gate_proj.weight"].T
        up = m @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return x[-1] @ head.T


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(1)
    model_dir, prompt, steps, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    cfg, w = load(model_dir)
    ids = [int(t) for t in prompt.split(",")]
    tokens, logits = [], []
    with torch.no_grad():
        for _ in range(steps):
            lg = forward(cfg, w, ids)
            logits.append([float(v) for v in lg])
            nxt = int(torch.argmax(lg))  # first index of the max, as the engine
            tokens.append(nxt)
            ids.append(nxt)
    with open(out, "w") as f:
        json.dump({"tokens": tokens, "logits": logits}, f)


if __name__ == "__main__":
    main()
