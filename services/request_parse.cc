#include "services/request_parse.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <map>
#include <string>
#include <vector>

#include "model/utf8.h"

namespace attestd::service {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// Walks the wire encoding of a `type` message (no UTF-8 checks happen at the
// wire level) and returns the first string field that is not valid UTF-8,
// recursing into message fields. OK if none is found.
absl::Status FindInvalidUtf8(std::string_view bytes, const Descriptor& type, const std::string& path) {
  UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError((path.empty() ? std::string("request") : path) + ": not a valid " +
                                      type.full_name() + " encoding");
  }
  std::map<int, int> occurrences;  // field number -> how many seen so far (repeated fields)
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& field = fields.field(i);
    const FieldDescriptor* descriptor = type.FindFieldByNumber(field.number());
    if (descriptor == nullptr || field.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    std::string name = path + descriptor->name();
    if (descriptor->is_repeated()) name += "[" + std::to_string(occurrences[field.number()]++) + "]";
    const std::string& value = field.length_delimited();
    if (descriptor->type() == FieldDescriptor::TYPE_STRING) {
      absl::Status utf8 = model::ValidateUtf8(value);
      if (!utf8.ok()) return absl::InvalidArgumentError(name + ": " + std::string(utf8.message()));
    } else if (descriptor->type() == FieldDescriptor::TYPE_MESSAGE) {
      RETURN_IF_ERROR(FindInvalidUtf8(value, *descriptor->message_type(), name + "."));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseRequestBytes(std::string_view body, google::protobuf::Message* out) {
  out->Clear();
  if (out->ParseFromArray(body.data(), static_cast<int>(body.size()))) return absl::OkStatus();
  RETURN_IF_ERROR(FindInvalidUtf8(body, *out->GetDescriptor(), ""));
  return absl::InvalidArgumentError("request: not a valid " + out->GetDescriptor()->full_name() + " encoding");
}

absl::Status ParseGrpcRequest(const grpc::ByteBuffer& body, google::protobuf::Message* out) {
  std::vector<grpc::Slice> slices;
  if (!body.Dump(&slices).ok()) return absl::InvalidArgumentError("request: unreadable message body");
  std::string bytes;
  bytes.reserve(body.Length());
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  return ParseRequestBytes(bytes, out);
}

}  // namespace attestd::service
