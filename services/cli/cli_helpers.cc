#include "services/cli/cli_helpers.h"

#include <filesystem>
#include <system_error>

#include <grpcpp/create_channel.h>

#include "base/file.h"

namespace attestd::cli {

absl::StatusOr<std::string> ReadInputFile(const std::string& path, std::string_view what) {
  return ReadWholeFile(path, what, kMaxInputFileBytes);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(const std::string& tls_ca) {
  if (tls_ca.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  ASSIGN_OR_RETURN(options.pem_root_certs, ReadInputFile(tls_ca, "--tls-ca"));
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const std::string& server, const std::string& tls_ca) {
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> credentials, ChannelCredentials(tls_ca));
  return grpc::CreateChannel(server, credentials);
}

absl::StatusOr<std::string> LogKeyText(const std::string& arg) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(arg, ec)) return arg;
  ASSIGN_OR_RETURN(std::string text, ReadInputFile(arg, "--log-key file"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

absl::StatusOr<NoteVerifierKey> LoadLogKey(const std::string& arg) {
  ASSIGN_OR_RETURN(std::string text, LogKeyText(arg));
  return ParseNoteVerifierKey(text);
}

}  // namespace attestd::cli
