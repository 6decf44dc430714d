#!/usr/bin/env python3
"""Hugging Face transformers peer for bench/engine_gpu and scripts/gpu-check.sh:
the same model folder loaded by AutoModelForCausalLM (eager attention), run
greedily with its KV cache.

usage: hf_peer.py --model DIR [--dtype bfloat16|float32] [--device cuda|cpu]
                  [--prompt-tokens 32] [--decode-tokens 64]
                  [--greedy --prompt-ids 1,2,3]
  timing (default): one JSON line {"dtype", "prefill_tok_s", "decode_tok_s", "tokens"};
      the prompt is bench/engine_gpu's decode prompt of that length.
  --greedy: one JSON line {"tokens": [...]}: --decode-tokens greedy ids after
      --prompt-ids, end-of-sequence ignored (as the engine's comparisons do).
Exit code 3 when torch or transformers cannot be imported, or no CUDA device
is there for --device cuda.
"""
import argparse
import json
import sys
import time

try:
    import torch
    import transformers
except Exception as e:  # noqa: BLE001
    print(f"hf_peer: torch/transformers not importable: {e}", file=sys.stderr)
    sys.exit(3)


def bench_prompt(n, vocab, salt):
    return [(i * 7919 + 13 + salt * 104729) % vocab for i in range(n)]


def load(model_dir, dtype, device):
    kwargs = {"attn_implementation": "eager"}
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype, **kwargs)
    except TypeError:  # transformers before the `dtype` keyword
        model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, torch_dtype=dtype, **kwargs)
    return model.to(device).eval()


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--dtype", default="bfloat16", choices=["bfloat16", "float32"])
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--prompt-tokens", type=int, default=32)
    ap.add_argument("--decode-tokens", type=int, default=64)
    ap.add_argument("--greedy", action="store_true")
    ap.add_argument("--prompt-ids", default="")
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print("hf_peer: no CUDA device", file=sys.stderr)
        return 3
    dtype = getattr(torch, a.dtype)
    model = load(a.model, dtype, a.device)
    vocab = model.config.vocab_size
    if a.greedy:
        prompt = [int(x) for x in a.prompt_ids.split(",") if x]
    else:
        prompt = bench_prompt(a.prompt_tokens, vocab, 2)
    ids = torch.tensor([prompt], device=a.device)
    tokens = []
    with torch.no_grad():
        sync(a.device)
        t0 = time.perf_counter()
        out = model(ids, use_cache=True)
        past = out.past_key_values
        nxt = out.logits[:, -1].argmax(-1, keepdim=True)
        sync(a.device)
        prefill_s = time.perf_counter() - t0
        tokens.append(int(nxt))
        t0 = time.perf_counter()
        for _ in range(a.decode_tokens - 1 if a.greedy else a.decode_tokens):
            out = model(nxt, past_key_values=past, use_cache=True)
            past = out.past_key_values
            nxt = out.logits[:, -1].argmax(-1, keepdim=True)
            tokens.append(int(nxt))
        sync(a.device)
        decode_s = time.perf_counter() - t0
    if a.greedy:
        print(json.dumps({"tokens": tokens}))
    else:
        print(json.dumps({"dtype": a.dtype, "prefill_tok_s": len(prompt) / prefill_s,
                          "decode_tok_s": a.decode_tokens / decode_s, "tokens": len(tokens)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
