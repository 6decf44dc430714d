// Second independent judge for attestd's tokenizer: Hugging Face
// `tokenizers` (the Rust library, Oniguruma regex) through its node build
// @anush008/tokenizers.
//
//   node hf_tokenize.mjs encode TOKENIZER_JSON
//       Reads JSON-string lines from stdin and prints {"ids": [...]} per line.
//       No special tokens are added; special tokens written in the text are
//       matched (as attestd's Encode(text, true)).
//   node hf_tokenize.mjs time TOKENIZER_JSON TEXTS_JSONL
//       For bench/tokenizer.cc: encodes every JSON-string line of TEXTS_JSONL
//       and prints {"ms": encode time, "tokens": total ids}.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Tokenizer } = require("@anush008/tokenizers");

const [mode, path, textsPath] = process.argv.slice(2);
if ((mode !== "encode" && mode !== "time") || !path || (mode === "time" && !textsPath)) {
  console.error("usage: node hf_tokenize.mjs encode TOKENIZER_JSON < texts.jsonl | time TOKENIZER_JSON TEXTS_JSONL");
  process.exit(2);
}
const tokenizer = Tokenizer.fromFile(path);
if (mode === "time") {
  const texts = readFileSync(textsPath, "utf8").split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l));
  const start = process.hrtime.bigint();
  let tokens = 0;
  for (const t of texts) tokens += (await tokenizer.encode(t, null, { addSpecialTokens: false })).getIds().length;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ ms, tokens }));
  process.exit(0);
}
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.length === 0) continue;
  const encoding = await tokenizer.encode(JSON.parse(line), null, { addSpecialTokens: false });
  process.stdout.write(JSON.stringify({ ids: Array.from(encoding.getIds()) }) + "\n");
}
