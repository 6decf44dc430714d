#include "services/log.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace attestd::service {
namespace {

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

void Log(const char* level, std::string_view msg, const LogFields& fields) {
  nlohmann::ordered_json line;
  line["ts"] = Timestamp();
  line["level"] = level;
  line["msg"] = std::string(msg);
  for (const auto& [k, v] : fields) line[k] = v;
  // Replace invalid UTF-8 rather than throw: a log line must never fail.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace

void LogInfo(std::string_view msg, const LogFields& fields) { Log("info", msg, fields); }
void LogWarn(std::string_view msg, const LogFields& fields) { Log("warn", msg, fields); }
void LogError(std::string_view msg, const LogFields& fields) { Log("error", msg, fields); }

}  // namespace attestd::service
