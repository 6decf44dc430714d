#!/usr/bin/python3
"""PyTorch CPU eager peer for bench/engine_cpu: the same Llama / Qwen2 model
(same safetensors weights) with a KV cache, greedy, timed like the engine.

usage: torch_peer.py MODEL_DIR PROMPT_TOKENS DECODE_TOKENS THREADS DTYPE
  DTYPE  float32 (weights widened exactly, the engine's arithmetic) or
         bfloat16 (the stored dtype, what transformers would run)
Prints one JSON line: {"dtype", "prefill_tok_s", "decode_tok_s", "tokens"}.
Exit code 3 when torch is not importable.
"""
import json
import os
import struct
import sys
import time

try:
    import torch
except Exception as e:  # noqa: BLE001
    print(f"torch not importable: {e}", file=sys.stderr)
    sys.exit(3)


def read_safetensors(path, dtype):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        raw = bytearray(data[8 + n + b:8 + n + e])
        if info["dtype"] == "BF16":
            t = torch.frombuffer(raw, dtype=torch.bfloat16)
        elif info["dtype"] == "F16":
            t = torch.frombuffer(raw, dtype=torch.float16)
        else:
            t = torch.frombuffer(raw, dtype=torch.float32)
        out[name] = t.reshape(info["shape"]).to(dtype).clone()
    return out


class Model:
    def __init__(self, model_dir, dtype):
        with open(os.path.join(model_dir, "config.json")) as f:
            self.cfg = cfg = json.load(f)
        self.w = {}
        for fn in sorted(os.listdir(model_dir)):
            if fn.endswith(".safetensors"):
                self.w.update(read_safetensors(os.path.join(model_dir, fn), dtype))
        self.dtype = dtype
        self.h = cfg["hidden_size"]
        self.nh = cfg["num_attention_heads"]
        self.nkv = cfg.get("num_key_value_heads") or self.nh
        self.hd = cfg.get("head_dim") or self.h // self.nh
        self.eps = cfg["rms_norm_eps"]
        self.bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
        theta = cfg.get("rope_theta", 10000.0)
        self.inv_freq = 1.0 / (theta ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd))
        self.head = self.w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else self.w["lm_head.weight"]
        self.layers = cfg["num_hidden_layers"]

    def norm(self, x, weight):
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return weight * xf.to(self.dtype)

    def lin(self, p, name, x):
        y = torch.nn.functional.linear(x, self.w[p + name + ".weight"], self.w.get(p + name + ".bias"))
        return y

    def forward(self, ids, cache, start):
        T = len(ids)
        x = self.w["model.embed_tokens.weight"][torch.tensor(ids)]
        pos = torch.arange(start, start + T, dtype=torch.float32)
        emb = torch.outer(pos, self.inv_freq)
        emb = torch.cat((emb, emb), dim=-1)
        cos, sin = emb.cos().to(self.dtype), emb.sin().to(self.dtype)

        def rope(t):
            half = self.hd // 2
            return t * cos + torch.cat((-t[..., half:], t[..., :half]), dim=-1) * sin
        for l in range(self.layers):
            p = f"model.layers.{l}."
            a = self.norm(x, self.w[p + "input_layernorm.weight"])
            q = rope(self.lin(p, "self_attn.q_proj", a).view(T, self.nh, self.hd).transpose(0, 1))
            k = rope(self.lin(p, "self_attn.k_proj", a).view(T, self.nkv, self.hd).transpose(0, 1))
            v = self.lin(p, "self_attn.v_proj", a).view(T, self.nkv, self.hd).transpose(0, 1)
            if l in cache:
                k = torch.cat((cache[l][0], k), dim=1)
                v = torch.cat((cache[l][1], v), dim=1)
            cache[l] = (k, v)
            rep = self.nh // self.nkv
            kk, vv = k.repeat_interleave(rep, 0), v.repeat_interleave(rep, 0)
            scores = (q @ kk.transpose(1, 2)) * (self.hd ** -0.5)
            if T > 1:
                S = kk.shape[1]
                mask = torch.full((T, S), float("-inf")).triu(S - T + 1)
                scores = scores + mask.to(scores.dtype)
            att = torch.softmax(scores.float(), dim=-1).to(self.dtype) @ vv
            x = x + self.lin(p, "self_attn.o_proj", att.transpose(0, 1).reshape(T, self.nh * self.hd))
            m = self.norm(x, self.w[p + "post_attention_layernorm.weight"])
            x = x + self.lin(p, "mlp.down_proj",
                             torch.nn.functional.silu(self.lin(p, "mlp.gate_proj", m)) * self.lin(p, "mlp.up_proj", m))
        x = self.norm(x[-1:], self.w["model.norm.weight"])
        return (x @ self.head.T)[0]


def main():
    if len(sys.argv) != 6:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    model_dir, prompt_n, decode_n, threads, dtype_name = sys.argv[1:]
    prompt_n, decode_n = int(prompt_n), int(decode_n)
    torch.set_num_threads(int(threads))
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype_name]
    model = Model(model_dir, dtype)
    vocab = model.cfg["vocab_size"]
    prompt = [(i * 7919 + 13) % vocab for i in range(prompt_n)]  # the engine bench's prompt
    with torch.no_grad():
        model.forward(prompt[:4], {}, 0)  # warm-up
        cache = {}
        t0 = time.perf_counter()
        logits = model.forward(prompt, cache, 0)
        t1 = time.perf_counter()
        tokens = [int(torch.argmax(logits))]
        for i in range(decode_n - 1):
            logits = model.forward([tokens[-1]], cache, prompt_n + i)
            tokens.append(int(torch.argmax(logits)))
        t2 = time.perf_counter()
    print(json.dumps({"dtype": dtype_name, "prefill_tok_s": prompt_n / (t1 - t0),
                      "decode_tok_s": (decode_n - 1) / (t2 - t1), "tokens": tokens}))


if __name__ == "__main__":
    main()
