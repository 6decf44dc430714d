#include "model/tokenizer.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_format.h"
#include "model/byte_level.h"
#include "model/nfc.h"
#include "model/tokenizer_impl.h"
#include "model/utf8.h"

namespace attestd::model {

// ---- TokenizerImpl -------------------------------------------------------

absl::StatusOr<std::unique_ptr<TokenizerImpl>> TokenizerImpl::Create(TokenizerSpec spec) {
  std::unique_ptr<TokenizerImpl> impl(new TokenizerImpl());
  impl->nfc_ = spec.nfc;
  for (const std::string& pattern : spec.split_patterns) {
    ASSIGN_OR_RETURN(auto splitter, RegexSplitter::Create(pattern));
    impl->splitters_.push_back(std::move(splitter));
  }
  ASSIGN_OR_RETURN(impl->bpe_, BpeModel::Create(spec.vocab, spec.merges, spec.ignore_merges));

  uint32_t max_id = 0;
  for (const auto& [token, id] : spec.vocab) max_id = std::max(max_id, id);
  for (const AddedTokenSpec& added : spec.added_tokens) max_id = std::max(max_id, added.id);
  impl->tokens_.resize(size_t{max_id} + 1);
  impl->id_of_token_.reserve(spec.vocab.size() + spec.added_tokens.size());
  // The ByteLevel decoder maps each character back to its byte; a token
  // with a character outside the alphabet is emitted as its own UTF-8, as
  // `tokenizers` does.
  auto decoded_bytes = [](const std::string& token) {
    std::optional<std::string> raw = DecodeByteLevel(token);
    return raw.has_value() ? *std::move(raw) : token;
  };
  for (const auto& [token, id] : spec.vocab) {
    TokenEntry& e = impl->tokens_[id];
    e.present = true;
    e.text = token;
    e.bytes = decoded_bytes(token);
    impl->id_of_token_.emplace(token, id);
  }
  impl->added_by_first_byte_.resize(256);
  for (size_t i = 0; i < spec.added_tokens.size(); ++i) {
    const AddedTokenSpec& added = spec.added_tokens[i];
    TokenEntry& e = impl->tokens_[added.id];
    if (e.present && e.text != added.content) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "tokenizer.json added_tokens[%d]: id %d is \"%s\" but model.vocab gives it to \"%s\"", i, added.id,
          added.content, e.text));
    }
    auto known = impl->id_of_token_.find(added.content);
    if (known != impl->id_of_token_.end() && known->second != added.id) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "tokenizer.json added_tokens[%d]: \"%s\" has id %d but already has id %d", i, added.content, added.id,
          known->second));
    }
    e.present = true;
    e.added = true;
    e.special = added.special;
    e.text = added.content;
    e.bytes = decoded_bytes(added.content);
    impl->id_of_token_.emplace(added.content, added.id);
    impl->added_by_first_byte_[static_cast<uint8_t>(added.content[0])].push_back(
        AddedMatcher{added.content, added.id, added.special});
  }
  for (auto& group : impl->added_by_first_byte_) {
    std::stable_sort(group.begin(), group.end(),
                     [](const AddedMatcher& a, const AddedMatcher& b) { return a.content.size() > b.content.size(); });
  }
  return impl;
}

const TokenizerImpl::AddedMatcher* TokenizerImpl::MatchAddedAt(std::string_view text, size_t pos,
                                                               bool allow_special) const {
  for (const AddedMatcher& m : added_by_first_byte_[static_cast<uint8_t>(text[pos])]) {
    if (m.special && !allow_special) continue;
    if (text.substr(pos, m.content.size()) == m.content) return &m;
  }
  return nullptr;
}

absl::Status TokenizerImpl::EncodeOrdinaryText(std::string_view text, std::vector<uint32_t>& out) const {
  if (text.empty()) return absl::OkStatus();
  std::string normalized;
  if (nfc_) {
    ASSIGN_OR_RETURN(normalized, NormalizeNfc(text));
    text = normalized;
  }
  std::vector<std::string_view> pieces{text};
  std::vector<std::string_view> next;
  for (const auto& splitter : splitters_) {
    next.clear();
    for (std::string_view piece : pieces) RETURN_IF_ERROR(splitter->Split(piece, next));
    pieces.swap(next);
  }
  for (std::string_view piece : pieces) bpe_->EncodeWord(piece, out);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> TokenizerImpl::Encode(std::string_view text, bool allow_special) const {
  RETURN_IF_ERROR(ValidateUtf8(text));
  std::vector<uint32_t> out;
  out.reserve(text.size() / 3 + 1);
  size_t segment_start = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    const AddedMatcher* m = MatchAddedAt(text, pos, allow_special);
    if (m == nullptr) {
      ++pos;
      continue;
    }
    RETURN_IF_ERROR(EncodeOrdinaryText(text.substr(segment_start, pos - segment_start), out));
    out.push_back(m->id);
    pos += m->content.size();
    segment_start = pos;
  }
  RETURN_IF_ERROR(EncodeOrdinaryText(text.substr(segment_start), out));
  return out;
}

absl::Status TokenizerImpl::AppendTokenBytes(uint32_t id, bool skip_special, std::string& out) const {
  if (id >= tokens_.size() || !tokens_[id].present) {
    return absl::OutOfRangeError(
        absl::StrFormat("token id %d names no token (vocab_size %d)", id, tokens_.size()));
  }
  const TokenEntry& e = tokens_[id];
  if (!(skip_special && e.special)) out.append(e.bytes);
  return absl::OkStatus();
}

std::optional<uint32_t> TokenizerImpl::TokenId(std::string_view token) const {
  auto it = id_of_token_.find(absl::string_view(token.data(), token.size()));
  if (it == id_of_token_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> TokenizerImpl::TokenString(uint32_t id) const {
  if (id >= tokens_.size() || !tokens_[id].present) return std::nullopt;
  return tokens_[id].text;
}

// ---- Tokenizer -----------------------------------------------------------

Tokenizer::Tokenizer(std::unique_ptr<TokenizerImpl> impl) : impl_(std::move(impl)) {}
Tokenizer::~Tokenizer() = default;

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromJson(std::string_view json) {
  ASSIGN_OR_RETURN(TokenizerSpec spec, ParseTokenizerJson(json));
  ASSIGN_OR_RETURN(std::unique_ptr<TokenizerImpl> impl, TokenizerImpl::Create(std::move(spec)));
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<Tokenizer>> Tokenizer::FromFile(const std::filesystem::path& tokenizer_json) {
  std::ifstream in(tokenizer_json, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrFormat("cannot open tokenizer file %s", tokenizer_json.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrFormat("error reading %s", tokenizer_json.string()));
  absl::StatusOr<std::unique_ptr<Tokenizer>> tokenizer = FromJson(buffer.str());
  if (!tokenizer.ok()) {
    return absl::Status(tokenizer.status().code(),
                        absl::StrFormat("%s: %s", tokenizer_json.string(), tokenizer.status().message()));
  }
  return tokenizer;
}

absl::StatusOr<std::vector<uint32_t>> Tokenizer::Encode(std::string_view text, bool allow_special) const {
  return impl_->Encode(text, allow_special);
}

absl::StatusOr<std::string> Tokenizer::DecodeBytes(std::span<const uint32_t> ids, bool skip_special) const {
  std::string out;
  for (uint32_t id : ids) RETURN_IF_ERROR(impl_->AppendTokenBytes(id, skip_special, out));
  return out;
}

absl::StatusOr<std::string> Tokenizer::Decode(std::span<const uint32_t> ids, bool skip_special) const {
  ASSIGN_OR_RETURN(std::string bytes, DecodeBytes(ids, skip_special));
  std::string out;
  out.reserve(bytes.size());
  AppendUtf8Lossy(bytes, out);
  return out;
}

std::optional<uint32_t> Tokenizer::TokenId(std::string_view token) const { return impl_->TokenId(token); }
std::optional<std::string> Tokenizer::TokenString(uint32_t id) const { return impl_->TokenString(id); }
size_t Tokenizer::vocab_size() const { return impl_->vocab_size(); }
bool Tokenizer::IsSpecial(uint32_t id) const { return impl_->IsSpecial(id); }

}  // namespace attestd::model
