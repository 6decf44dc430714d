#include "model/synth_corpus.h"

namespace attestd::model {

std::string_view SynthTrainingCorpus() {
  static constexpr std::string_view kCorpus = R"CORPUS(
The auditor holds a receipt and checks it offline: the signature, the ledger inclusion proof,
the checkpoint and the anchor on the chain. Then she runs the same request on her own CPU and
gets the same tokens, bit for bit, because every kernel fixes the order of its additions.
It's a simple idea, isn't it? We'll see whether they've read the spec; I'd guess they haven't.
The quick brown fox jumps over the lazy dog. THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG!
Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 256 1024 65536 3.14159 2.71828 1,000,000 2026-11-23 12:34:56.
Der Prüfer hält eine Quittung in der Hand und überprüft sie ohne Netzverbindung. Größe, Straße, Übung.
L'auditeur vérifie la signature, la preuve d'inclusion et l'ancrage. Ça marche très bien, déjà vu.
El auditor comprueba la firma y la prueba de inclusión. ¿Dónde está la cigüeña? ¡Mañana será!
O auditor verifica a assinatura e a prova de inclusão; não há coração sem razão.
Аудитор проверяет подпись и доказательство включения. Съешь же ещё этих мягких французских булок.
Ο ελεγκτής ελέγχει την υπογραφή. Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.
审计员离线检查收据：签名、账本包含证明、检查点和链上锚定。然后在自己的电脑上重新运行同样的请求。
監査人は領収書を持ち、署名と台帳の包含証明を確認します。ひらがな、カタカナ、漢字を使います。
감사인은 영수증을 가지고 서명과 포함 증명을 확인합니다. 한국어 문장입니다.
المدقق يتحقق من التوقيع ودليل الإدراج والمرساة على السلسلة.
लेखा परीक्षक हस्ताक्षर और समावेशन प्रमाण की जाँच करता है।
ผู้ตรวจสอบตรวจลายเซ็นและหลักฐานการรวม
Emoji: 😀 😃 😄 👍🏽 👩‍💻 🇩🇪 🇯🇵 ❤️ 🔥 🚀 ✅ 🎉 🤖
def encode(text: str) -> list[int]:
    ids = []
    for piece in split(text):
        ids.extend(bpe(piece))
    return ids

int main(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    printf("%d: %s\n", i, argv[i]);
  }
  return 0;
}

{"name": "attestd", "version": "1", "tokens": [1, 2, 3], "ok": true, "value": null}
SELECT id, name FROM receipts WHERE tree_size >= 1024 ORDER BY id DESC LIMIT 10;
    indented line with    several   spaces		and tabs
line one
line two

line four after a blank line
<|im_start|>user
What is the capital of France?<|im_end|>
<|im_start|>assistant
The capital of France is Paris.<|im_end|>
the the the the and and and of of of to to to in in in is is is that that that for for for
token tokens tokenizer tokenizers tokenization merge merges merged merging model models
receipt receipts ledger ledgers proof proofs anchor anchors checkpoint checkpoints signature signatures
)CORPUS";
  return kCorpus;
}

}  // namespace attestd::model
