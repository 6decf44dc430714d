#!/usr/bin/python3
"""Asks a running attestd, over gRPC server reflection, which services it
serves and how attestd.v1.InferenceService is declared; exits 0 only if the
answers match the .proto. Speaks the reflection protocol's wire format by hand
(grpc.reflection.v1alpha; no generated code), so it checks what an
unconfigured tool such as grpcurl would see.

  reflection_check.py PORT
"""
import sys

import grpc
from google.protobuf import descriptor_pb2


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def length_delimited(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def read_varint(message, i):
    """Returns (value, index after it) for the varint at message[i]."""
    value, shift = 0, 0
    while True:
        b = message[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def fields(message):
    """Yields (number, value) for the length-delimited fields of `message`."""
    i = 0
    while i < len(message):
        key, i = read_varint(message, i)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            _, i = read_varint(message, i)
            continue
        if wire_type != 2:
            raise ValueError(f"unexpected wire type {wire_type}")
        length, i = read_varint(message, i)
        yield number, message[i:i + length]
        i += length


def fail(what):
    print(f"reflection_check: {what}", file=sys.stderr)
    sys.exit(1)


def main():
    channel = grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}")
    call = channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
    # ServerReflectionRequest: list_services = 7, file_containing_symbol = 4.
    requests = [length_delimited(7, b""), length_delimited(4, b"attestd.v1.InferenceService")]
    replies = list(call(iter(requests), timeout=10))
    if len(replies) != 2:
        fail(f"got {len(replies)} replies, want 2")

    # ServerReflectionResponse.list_services_response = 6 { repeated ServiceResponse service = 1 { name = 1 } }
    services = set()
    for number, value in fields(replies[0]):
        if number == 6:
            for n, service in fields(value):
                if n == 1:
                    services.update(name.decode() for k, name in fields(service) if k == 1)
    want = {"attestd.v1.InferenceService", "attestd.v1.LedgerService", "attestd.v1.AdminService",
            "grpc.health.v1.Health"}
    if not want <= services:
        fail(f"services {sorted(services)}, missing {sorted(want - services)}")

    # file_descriptor_response = 4 { repeated bytes file_descriptor_proto = 1 }
    methods = {}
    for number, value in fields(replies[1]):
        if number == 4:
            for n, raw in fields(value):
                if n == 1:
                    file = descriptor_pb2.FileDescriptorProto.FromString(raw)
                    for service in file.service:
                        if service.name == "InferenceService":
                            methods = {m.name: (m.input_type, m.output_type, m.server_streaming) for m in service.method}
    want_methods = {
        "Generate": (".attestd.v1.GenerateRequest", ".attestd.v1.GenerateResponse", False),
        "GenerateStream": (".attestd.v1.GenerateRequest", ".attestd.v1.GenerateStreamResponse", True),
        "ListModels": (".attestd.v1.ListModelsRequest", ".attestd.v1.ListModelsResponse", False),
    }
    if methods != want_methods:
        fail(f"InferenceService methods {methods}, want {want_methods}")
    print("reflection: services and InferenceService methods as declared")


if __name__ == "__main__":
    main()
