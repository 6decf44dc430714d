// Second independent judge for attestd's tokenizer: Hugging Face
// `tokenizers` (the Rust library, Oniguruma regex) through its node build
// @anush008/tokenizers.
//
//   node hf_tokenize.mjs encode TOKENIZER_JSON
//       Reads JSON-string lines from stdin and prints {"ids": [...]} per line.
//       No special tokens are added; special tokens written in the text are
//       matched (as attestd's Encode(text, true)).
import { createInterface } from "node:readline";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Tokenizer } = require("@anush008/tokenizers");

const [mode, path] = process.argv.slice(2);
if (mode !== "encode" || !path) {
  console.error("usage: node hf_tokenize.mjs encode TOKENIZER_JSON < texts.jsonl");
  process.exit(2);
}
const tokenizer = Tokenizer.fromFile(path);
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.length === 0) continue;
  const encoding = await tokenizer.encode(JSON.parse(line), null, { addSpecialTokens: false });
  process.stdout.write(JSON.stringify({ ids: Array.from(encoding.getIds()) }) + "\n");
}
