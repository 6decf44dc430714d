// Internal: the built-in training text for model/synth_tokenizer.h. Fixed
// forever: changing it changes every synthesized tokenizer (and thus every
// synthetic model's digest).
#pragma once

#include <string_view>

namespace attestd::model {

// Valid UTF-8, several scripts, code, digits, emoji and whitespace runs.
std::string_view SynthTrainingCorpus();

}  // namespace attestd::model
