// Structured logs: one JSON object per line on stderr,
//   {"ts":"2026-01-01T00:00:00.000Z","level":"info","msg":"...","<key>":"<value>",...}
// Never pass secrets (keys, passphrases, tokens, prompts) as fields.
// Thread safety: lines from concurrent callers never interleave.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attestd::service {

using LogFields = std::vector<std::pair<std::string, std::string>>;

void LogInfo(std::string_view msg, const LogFields& fields = {});
void LogWarn(std::string_view msg, const LogFields& fields = {});
void LogError(std::string_view msg, const LogFields& fields = {});

}  // namespace attestd::service
