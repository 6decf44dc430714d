#include "chain/json_rpc.h"

#include <curl/curl.h>

#include <mutex>

namespace attestd::chain {
namespace {

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

}  // namespace

JsonRpcClient::JsonRpcClient(JsonRpcOptions options) : options_(std::move(options)) {
  GlobalInitOnce();
  curl_ = curl_easy_init();
}

JsonRpcClient::~JsonRpcClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

absl::StatusOr<nlohmann::json> JsonRpcClient::Call(std::string_view method, const nlohmann::json& params) {
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return absl::InternalError("json-rpc: curl_easy_init failed");
  const uint64_t id = next_id_++;
  nlohmann::json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  const std::string body = request.dump();
  std::string response;
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options_.request_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl);
  long http_status = 0;  // NOLINT(runtime/int)
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(headers);
  const std::string where = std::string(method) + " at " + options_.url;
  if (rc != CURLE_OK) {
    return absl::UnavailableError(where + ": " + curl_easy_strerror(rc));
  }
  if (http_status >= 500) {
    return absl::UnavailableError(where + ": HTTP " + std::to_string(http_status));
  }
  nlohmann::json reply = nlohmann::json::parse(response, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object()) {
    return absl::InternalError(where + ": HTTP " + std::to_string(http_status) + ", response is not JSON");
  }
  if (reply.contains("error") && !reply["error"].is_null()) {
    const nlohmann::json& error = reply["error"];
    std::string message = error.value("message", std::string("(no message)"));
    long long code = error.contains("code") && error["code"].is_number_integer() ? error["code"].get<long long>() : 0;
    return absl::FailedPreconditionError(std::string(method) + ": " + message + " (code " + std::to_string(code) + ")");
  }
  if (!reply.contains("result")) {
    return absl::InternalError(where + ": response has neither result nor error");
  }
  if (!reply.contains("id") || reply["id"] != id) {
    return absl::InternalError(where + ": response id " + reply.value("id", nlohmann::json()).dump() +
                               ", want " + std::to_string(id));
  }
  return reply["result"];
}

}  // namespace attestd::chain
