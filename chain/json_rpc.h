// JSON-RPC 2.0 over HTTP POST (libcurl), as Ethereum nodes speak it.
//
// Ownership: a JsonRpcClient owns one curl easy handle (connection reuse).
// Thread safety: not thread safe; use one client per thread.
// Failure behaviour, by what the caller can do about it:
//   Unavailable        transport failure (refused, timed out, HTTP 5xx):
//                      nothing is known to have reached the node; retry later.
//   FailedPrecondition the node answered with a JSON-RPC error object; the
//                      message is "<method>: <node message> (code N)".
//   Internal           the node answered something that is not JSON-RPC.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "base/status.h"

namespace attestd::chain {

struct JsonRpcOptions {
  std::string url;                 // http://host:port[/path]
  long connect_timeout_ms = 2000;  // NOLINT(runtime/int): curl's type
  long request_timeout_ms = 15000;
};

class JsonRpcClient {
 public:
  explicit JsonRpcClient(JsonRpcOptions options);
  ~JsonRpcClient();
  JsonRpcClient(const JsonRpcClient&) = delete;
  JsonRpcClient& operator=(const JsonRpcClient&) = delete;

  // Sends {"jsonrpc":"2.0","id":n,"method":method,"params":params} and
  // returns the "result" member (which may be JSON null).
  [[nodiscard]] absl::StatusOr<nlohmann::json> Call(std::string_view method, const nlohmann::json& params);

  const std::string& url() const { return options_.url; }

 private:
  JsonRpcOptions options_;
  void* curl_ = nullptr;  // CURL*, kept opaque so curl.h stays out of callers
  uint64_t next_id_ = 1;
};

}  // namespace attestd::chain
