// End to end over loopback: the real gRPC server with a synthetic model, dev
// keys and a RocksDB ledger; every receipt checked by the offline verifier
// with its ledger inclusion proof and signed checkpoint.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "verify/receipt_verifier.h"
#include "ledger/merkle_hash.h"
#include "ledger/proof_json.h"
#include "ledger/proof_verify.h"
#include "tests/services/server_fixture.h"

namespace attestd::service {
namespace {

using namespace testing;

class ServerE2ETest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("e2e");
    config_ = new ServerConfig(MakeTestConfig(dir_->path()));
    config_->limits.max_prompt_tokens = 64;
    auto started = AttestdServer::Start(*config_, {});
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete config_;
    delete dir_;
  }

  std::unique_ptr<v1::InferenceService::Stub> Inference() {
    return v1::InferenceService::NewStub(Connect(server_->port()));
  }
  std::unique_ptr<v1::LedgerService::Stub> Ledger() { return v1::LedgerService::NewStub(Connect(server_->port())); }

  grpc::Status Generate(const v1::GenerateRequest& request, v1::GenerateResponse* response,
                        const std::string& token = kInferenceToken) {
    grpc::ClientContext ctx;
    if (!token.empty()) Authorize(ctx, token);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return Inference()->Generate(&ctx, request, response);
  }

  // What the client knows: its request plus the response's prompt fields.
  static CommittedRequest CommittedFrom(const v1::GenerateRequest& req, const v1::GenerateResponse& resp) {
    CommittedRequest c;
    c.model_name = resp.model();
    c.prompt_text = resp.prompt_text();
    c.prompt_token_ids.assign(resp.prompt_token_ids().begin(), resp.prompt_token_ids().end());
    c.sampling.temperature = req.sampling().temperature();
    c.sampling.top_k = static_cast<uint32_t>(req.sampling().top_k());
    c.sampling.top_p = req.sampling().top_p() == 0.0f ? 1.0f : req.sampling().top_p();
    c.sampling.max_tokens = static_cast<uint64_t>(req.max_tokens());
    c.sampling.stop.assign(req.stop().begin(), req.stop().end());
    c.seed = req.seed();
    return c;
  }
  static CommittedResponse CommittedFrom(const v1::GenerateResponse& resp) {
    CommittedResponse c;
    c.output_token_ids.assign(resp.token_ids().begin(), resp.token_ids().end());
    c.text = resp.text();
    c.finish_reason = resp.finish_reason();
    return c;
  }

  // Adds the inclusion proof and checkpoint from the server and runs the
  // offline verifier with the plaintexts; returns its report.
  VerificationReport VerifyWithServer(const v1::GenerateRequest& req, const v1::GenerateResponse& resp) {
    auto cp = server_->IssueCheckpoint();
    EXPECT_TRUE(cp.ok()) << cp.status();
    auto receipt = ParseReceiptJson(resp.receipt().receipt_json());
    EXPECT_TRUE(receipt.ok()) << receipt.status();
    grpc::ClientContext ctx;
    v1::GetInclusionProofRequest preq;
    preq.set_index(resp.receipt().leaf_index());
    v1::GetInclusionProofResponse proof;
    EXPECT_TRUE(Ledger()->GetInclusionProof(&ctx, preq, &proof).ok());
    grpc::ClientContext ctx2;
    v1::GetCheckpointRequest creq;
    creq.set_tree_size(proof.tree_size());
    v1::GetCheckpointResponse checkpoint;
    EXPECT_TRUE(Ledger()->GetCheckpoint(&ctx2, creq, &checkpoint).ok());
    LedgerInclusion inclusion;
    inclusion.tree_size = proof.tree_size();
    for (const auto& h : proof.hashes()) inclusion.inclusion_proof.push_back(*HexDecodeFixed<32>(h));
    inclusion.checkpoint = checkpoint.checkpoint();
    receipt->ledger->inclusion = inclusion;
    CommittedRequest creq_plain = CommittedFrom(req, resp);
    CommittedResponse cresp_plain = CommittedFrom(resp);
    ReceiptVerifyInputs inputs;
    inputs.expected_attestor = server_->service().attestor();
    inputs.request = &creq_plain;
    inputs.response = &cresp_plain;
    inputs.log_verifier_key = checkpoint.verifier_key();
    return VerifyReceipt(*receipt, inputs);
  }

  static TempDir* dir_;
  static ServerConfig* config_;
  static AttestdServer* server_;
};

TempDir* ServerE2ETest::dir_ = nullptr;
ServerConfig* ServerE2ETest::config_ = nullptr;
AttestdServer* ServerE2ETest::server_ = nullptr;

TEST_F(ServerE2ETest, GenerateReturnsAReceiptThatVerifiesWithInclusionInASignedCheckpoint) {
  v1::GenerateRequest req = SimpleRequest("Hello attested world", 6);
  v1::GenerateResponse resp;
  grpc::Status s = Generate(req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.token_ids_size(), resp.usage().completion_tokens());
  EXPECT_GT(resp.usage().completion_tokens(), 0);
  EXPECT_EQ(resp.salt().size(), 64u);
  VerificationReport report = VerifyWithServer(req, resp);
  EXPECT_TRUE(report.verified()) << report.ToText();
  for (const char* name : {"signature", "attestor"}) {
    const CheckResult* c = report.find(name);
    if (c != nullptr) {
      EXPECT_EQ(c->outcome, CheckOutcome::kPass) << report.ToText();
    }
  }
  // The stored leaf is exactly the statement and signature the client got.
  grpc::ClientContext ctx;
  v1::GetEntryRequest ereq;
  ereq.set_index(resp.receipt().leaf_index());
  v1::GetEntryResponse entry;
  ASSERT_TRUE(Ledger()->GetEntry(&ctx, ereq, &entry).ok());
  auto decoded = DecodeLedgerLeaf(AsBytes(entry.leaf()));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(HexEncode(decoded->signature), resp.receipt().signature());
  EXPECT_EQ(HexEncode(decoded->statement.output_commitment), resp.receipt().output_commitment());
}

TEST_F(ServerE2ETest, ATamperedOutputFailsTheCommitmentCheck) {
  v1::GenerateRequest req = SimpleRequest("tamper test", 4);
  v1::GenerateResponse resp;
  ASSERT_TRUE(Generate(req, &resp).ok());
  resp.set_text(resp.text() + "!");
  EXPECT_FALSE(VerifyWithServer(req, resp).verified());
}

TEST_F(ServerE2ETest, StreamChunksConcatenateToTheFinalTextAndReceipt) {
  v1::GenerateRequest req = SimpleRequest("Streaming please", 8);
  grpc::ClientContext ctx;
  Authorize(ctx);
  auto reader = Inference()->GenerateStream(&ctx, req);
  v1::GenerateStreamResponse msg;
  std::string text;
  std::vector<int32_t> ids;
  v1::GenerateResponse final_response;
  int finals = 0;
  while (reader->Read(&msg)) {
    if (msg.has_chunk()) {
      EXPECT_EQ(finals, 0) << "chunk after the final message";
      text += msg.chunk().text();
      ids.insert(ids.end(), msg.chunk().token_ids().begin(), msg.chunk().token_ids().end());
    } else {
      final_response = msg.final();
      ++finals;
    }
  }
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(finals, 1);
  EXPECT_EQ(std::vector<int32_t>(final_response.token_ids().begin(), final_response.token_ids().end()), ids);
  // A stop-string cut or trailing partial character can make the final text
  // shorter than the chunks, never different in its prefix.
  EXPECT_EQ(text.substr(0, final_response.text().size()), final_response.text());
  EXPECT_TRUE(VerifyWithServer(req, final_response).verified());
}

TEST_F(ServerE2ETest, ChatMessagesUseTheFamilyChatFormat) {
  v1::GenerateRequest req;
  req.set_model("tiny-qwen2");
  auto* m = req.add_messages();
  m->set_role("user");
  m->set_content("hi");
  req.set_max_tokens(3);
  v1::GenerateResponse resp;
  ASSERT_TRUE(Generate(req, &resp).ok());
  EXPECT_EQ(resp.prompt_text(), "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_TRUE(VerifyWithServer(req, resp).verified());
}

TEST_F(ServerE2ETest, ListModelsReportsDigestFamilyContextAndBackend) {
  grpc::ClientContext ctx;
  Authorize(ctx);
  v1::ListModelsResponse resp;
  ASSERT_TRUE(Inference()->ListModels(&ctx, {}, &resp).ok());
  ASSERT_EQ(resp.models_size(), 1);
  EXPECT_EQ(resp.models(0).name(), "tiny-qwen2");
  EXPECT_EQ(resp.models(0).family(), "qwen2");
  EXPECT_EQ(resp.models(0).model_digest().size(), 64u);
  EXPECT_GT(resp.models(0).context_length(), 0);
  EXPECT_EQ(resp.models(0).backend(), "cpu");
  EXPECT_EQ(resp.models(0).runs_on().rfind("cpu: 1 thread, ", 0), 0u) << resp.models(0).runs_on();
}

TEST_F(ServerE2ETest, GetReceiptByRequestIdReturnsTheLoggedStatementWithoutSalt) {
  v1::GenerateRequest req = SimpleRequest("by id", 3);
  req.set_request_id("client-chosen-id-1");
  v1::GenerateResponse resp;
  ASSERT_TRUE(Generate(req, &resp).ok());
  grpc::ClientContext ctx;
  v1::GetReceiptRequest rreq;
  rreq.set_request_id("client-chosen-id-1");
  v1::GetReceiptResponse got;
  ASSERT_TRUE(Ledger()->GetReceipt(&ctx, rreq, &got).ok());
  EXPECT_EQ(got.receipt().signature(), resp.receipt().signature());
  EXPECT_EQ(got.receipt().leaf_index(), resp.receipt().leaf_index());
  auto parsed = ParseReceiptJson(got.receipt().receipt_json());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->salt.has_value()) << "the salt goes to the client only";
  // The same request id again is refused and logs nothing.
  uint64_t size = server_->ledger().Size();
  v1::GenerateResponse again;
  EXPECT_EQ(Generate(req, &again).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(server_->ledger().Size(), size);
}

struct BadCase {
  const char* name;
  std::function<void(v1::GenerateRequest&)> mutate;
  grpc::StatusCode want;
  const char* message_part;
  std::string token = kInferenceToken;
};

TEST_F(ServerE2ETest, BadInputGetsThePreciseStatusAndLeavesTheLedgerUnchanged) {
  std::vector<BadCase> cases = {
      {"missing model", [](auto& r) { r.clear_model(); }, grpc::StatusCode::INVALID_ARGUMENT, "model"},
      {"unknown model", [](auto& r) { r.set_model("nope"); }, grpc::StatusCode::NOT_FOUND, "nope"},
      {"missing prompt", [](auto& r) { r.clear_prompt(); }, grpc::StatusCode::INVALID_ARGUMENT, "prompt"},
      {"prompt and messages",
       [](auto& r) {
         auto* m = r.add_messages();
         m->set_role("user");
         m->set_content("x");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "exactly one"},
      {"bad role",
       [](auto& r) {
         r.clear_prompt();
         auto* m = r.add_messages();
         m->set_role("wizard");
         m->set_content("x");
       },
       grpc::StatusCode::INVALID_ARGUMENT, "role"},
      {"max_tokens 0", [](auto& r) { r.set_max_tokens(0); }, grpc::StatusCode::INVALID_ARGUMENT, "max_tokens"},
      {"max_tokens huge", [](auto& r) { r.set_max_tokens(1 << 30); }, grpc::StatusCode::INVALID_ARGUMENT,
       "max_tokens"},
      {"negative temperature", [](auto& r) { r.mutable_sampling()->set_temperature(-1); },
       grpc::StatusCode::INVALID_ARGUMENT, "temperature"},
      {"top_p above 1", [](auto& r) { r.mutable_sampling()->set_top_p(1.5f); }, grpc::StatusCode::INVALID_ARGUMENT,
       "top_p"},
      {"negative top_k", [](auto& r) { r.mutable_sampling()->set_top_k(-3); }, grpc::StatusCode::INVALID_ARGUMENT,
       "top_k"},
      {"empty stop string", [](auto& r) { r.add_stop(""); }, grpc::StatusCode::INVALID_ARGUMENT, "stop[0]"},
      {"request id with a space", [](auto& r) { r.set_request_id("a b"); }, grpc::StatusCode::INVALID_ARGUMENT,
       "request_id"},
      {"oversized prompt",
       [](auto& r) {
         std::string big;
         for (int i = 0; i < 200; ++i) big += "word" + std::to_string(i) + " ";
         r.set_prompt(big);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "tokens, want at most 64"},
      {"missing token", [](auto&) {}, grpc::StatusCode::UNAUTHENTICATED, "authorization", ""},
      {"wrong token", [](auto&) {}, grpc::StatusCode::UNAUTHENTICATED, "not accepted", "wrong-token"},
  };
  for (const auto& c : cases) {
    uint64_t size_before = server_->ledger().Size();
    v1::GenerateRequest req = SimpleRequest("valid prompt", 4);
    c.mutate(req);
    v1::GenerateResponse resp;
    grpc::Status s = Generate(req, &resp, c.token);
    EXPECT_EQ(s.error_code(), c.want) << c.name << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(c.message_part), std::string::npos) << c.name << ": " << s.error_message();
    EXPECT_EQ(server_->ledger().Size(), size_before) << c.name << " changed the ledger";
  }
}

TEST_F(ServerE2ETest, MessageOverTheSizeLimitIsResourceExhausted) {
  uint64_t size_before = server_->ledger().Size();
  v1::GenerateRequest req = SimpleRequest(std::string(config_->limits.max_message_bytes + 10, 'a'), 4);
  v1::GenerateResponse resp;
  grpc::Status s = Generate(req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_EQ(server_->ledger().Size(), size_before);
}

TEST_F(ServerE2ETest, InvalidUtf8PromptIsInvalidArgumentNamingTheFieldAndByte) {
  uint64_t size_before = server_->ledger().Size();
  v1::GenerateRequest req = SimpleRequest(std::string("bad \xff\xfe utf8"), 4);
  v1::GenerateResponse resp;
  grpc::Status s = Generate(req, &resp);
  // protobuf alone refuses to parse this and gRPC would answer INTERNAL with
  // no message; the server parses the body itself (request_parse.h).
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(s.error_message(), "prompt: invalid UTF-8 at byte offset 4 (byte 0xFF)");
  EXPECT_EQ(server_->ledger().Size(), size_before);
}

TEST_F(ServerE2ETest, InvalidUtf8InAStreamedChatMessageIsInvalidArgumentNamingIt) {
  uint64_t size_before = server_->ledger().Size();
  v1::GenerateRequest req = SimpleRequest("", 4);
  req.clear_prompt();
  auto* message = req.add_messages();
  message->set_role("user");
  message->set_content(std::string("caf\xc3"));  // a UTF-8 sequence cut short
  grpc::ClientContext ctx;
  Authorize(ctx);
  auto reader = Inference()->GenerateStream(&ctx, req);
  v1::GenerateStreamResponse msg;
  EXPECT_FALSE(reader->Read(&msg));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(s.error_message().rfind("messages[0].content: invalid UTF-8 at byte offset 3", 0), 0u) << s.error_message();
  EXPECT_EQ(server_->ledger().Size(), size_before);
}

TEST_F(ServerE2ETest, InvalidUtf8RequestIdInGetReceiptIsInvalidArgumentNamingIt) {
  grpc::ClientContext ctx;
  v1::GetReceiptRequest request;
  request.set_request_id(std::string("id-\x80"));
  v1::GetReceiptResponse got;
  grpc::Status s = Ledger()->GetReceipt(&ctx, request, &got);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_code() << " " << s.error_message();
  EXPECT_EQ(s.error_message(), "request_id: invalid UTF-8 at byte offset 3 (byte 0x80)");
}

TEST_F(ServerE2ETest, DeadlineExceededAndCancelWhileQueuedGetTheirStatusAndLogNothing) {
  // Hold every batch slot of the model so the calls below wait in its queue;
  // the tiny model is too fast to cancel reliably mid-generation (the domain
  // test CallbackCancelStopsAndLogsNothing covers that).
  FairQueue* queue = server_->service().FindModel("tiny-qwen2")->queue.get();
  std::vector<FairQueue::Turn> held;
  for (int64_t i = 0; i < server_->service().limits().max_batch; ++i) {
    auto turn = queue->Acquire("test-holder", std::chrono::steady_clock::time_point::max(), {});
    ASSERT_TRUE(turn.ok());
    held.push_back(std::move(*turn));
  }
  uint64_t size_before = server_->ledger().Size();
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    v1::GenerateResponse resp;
    grpc::Status s = Inference()->Generate(&ctx, SimpleRequest("deadline", 8), &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  }
  {
    grpc::ClientContext ctx;
    Authorize(ctx);
    auto reader = Inference()->GenerateStream(&ctx, SimpleRequest("cancel me", 8));
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      ctx.TryCancel();
    });
    v1::GenerateStreamResponse msg;
    EXPECT_FALSE(reader->Read(&msg)) << "nothing may arrive while the call is queued";
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
    canceller.join();
  }
  // The server notices within its 20 ms poll and leaves the queue.
  for (int i = 0; i < 100 && queue->waiting() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(queue->waiting(), 0);
  held.clear();
  EXPECT_EQ(server_->ledger().Size(), size_before);
  v1::GenerateResponse after;
  EXPECT_TRUE(Generate(SimpleRequest("after the queue drained", 2), &after).ok());
}

TEST_F(ServerE2ETest, ConcurrentStreamsGetDenseUniqueIndicesAndOutputsEqualToSequentialRuns) {
  constexpr int kClients = 100;
  auto request_for = [](int i) {
    v1::GenerateRequest r = SimpleRequest("client " + std::to_string(i % 10) + " says hello", 6);
    if (i % 3 == 1) {
      r.mutable_sampling()->set_temperature(0.8f);
      r.set_seed(static_cast<uint64_t>(i));
    }
    return r;
  };
  uint64_t size_before = server_->ledger().Size();
  std::vector<v1::GenerateResponse> concurrent(kClients);
  std::vector<grpc::Status> statuses(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      grpc::ClientContext ctx;
      Authorize(ctx);
      auto reader = Inference()->GenerateStream(&ctx, request_for(i));
      v1::GenerateStreamResponse msg;
      while (reader->Read(&msg)) {
        if (msg.has_final()) concurrent[i] = msg.final();
      }
      statuses[i] = reader->Finish();
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> indices;
  for (int i = 0; i < kClients; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    indices.insert(concurrent[i].receipt().leaf_index());
  }
  ASSERT_EQ(indices.size(), static_cast<size_t>(kClients));
  EXPECT_EQ(*indices.begin(), size_before);
  EXPECT_EQ(*indices.rbegin(), size_before + kClients - 1) << "indices must be dense";
  for (int i = 0; i < kClients; ++i) {
    v1::GenerateResponse alone;
    ASSERT_TRUE(Generate(request_for(i), &alone).ok());
    EXPECT_EQ(alone.text(), concurrent[i].text()) << i;
    EXPECT_EQ(alone.finish_reason(), concurrent[i].finish_reason()) << i;
    ASSERT_EQ(alone.token_ids_size(), concurrent[i].token_ids_size()) << i;
    EXPECT_TRUE(std::equal(alone.token_ids().begin(), alone.token_ids().end(), concurrent[i].token_ids().begin()));
    if (i % 10 == 0) {
      EXPECT_TRUE(VerifyWithServer(request_for(i), concurrent[i]).verified()) << i;
    }
  }
}

TEST_F(ServerE2ETest, ConsistencyProofFromAnOldCheckpointToTheNewHeadVerifies) {
  v1::GenerateResponse resp;
  ASSERT_TRUE(Generate(SimpleRequest("one", 2), &resp).ok());
  auto first = server_->IssueCheckpoint();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Generate(SimpleRequest("two", 2), &resp).ok());
  auto second = server_->IssueCheckpoint();
  ASSERT_TRUE(second.ok());
  grpc::ClientContext ctx;
  v1::GetConsistencyProofRequest req;
  req.set_from_size(first->size);
  v1::GetConsistencyProofResponse proof;
  ASSERT_TRUE(Ledger()->GetConsistencyProof(&ctx, req, &proof).ok());
  EXPECT_EQ(proof.to_size(), second->size);
  std::vector<Digest32> hashes;
  for (const auto& h : proof.hashes()) hashes.push_back(*HexDecodeFixed<32>(h));
  EXPECT_TRUE(ledger::VerifyConsistency(first->size, second->size, hashes, first->root, second->root).ok());
  // The JSON form (docs/ledger.md) carries the same proof with both roots.
  auto record = ledger::ParseConsistencyProofJson(proof.proof_json());
  ASSERT_TRUE(record.ok()) << record.status() << " " << proof.proof_json();
  EXPECT_EQ(record->root_to, second->root);
  EXPECT_TRUE(ledger::VerifyConsistencyRecord(*record).ok());
  grpc::ClientContext ctx2;
  v1::GetInclusionProofRequest ireq;
  ireq.set_index(first->size - 1);
  v1::GetInclusionProofResponse inclusion;
  ASSERT_TRUE(Ledger()->GetInclusionProof(&ctx2, ireq, &inclusion).ok());
  auto irecord = ledger::ParseInclusionProofJson(inclusion.proof_json());
  ASSERT_TRUE(irecord.ok()) << irecord.status() << " " << inclusion.proof_json();
  EXPECT_EQ(irecord->root, second->root);
  EXPECT_TRUE(ledger::VerifyInclusionRecord(*irecord).ok());
}

TEST_F(ServerE2ETest, LedgerQueriesOutOfRangeSayGotAndWant) {
  grpc::ClientContext ctx;
  v1::GetInclusionProofRequest req;
  req.set_index(1u << 30);
  req.set_tree_size(1u << 31);
  v1::GetInclusionProofResponse proof;
  grpc::Status s = Ledger()->GetInclusionProof(&ctx, req, &proof);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE) << s.error_message();
  EXPECT_NE(s.error_message().find("got"), std::string::npos);
  grpc::ClientContext ctx2;
  v1::GetReceiptRequest rreq;
  rreq.set_request_id("never-issued");
  v1::GetReceiptResponse rresp;
  EXPECT_EQ(Ledger()->GetReceipt(&ctx2, rreq, &rresp).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerE2ETest, AdminCallsNeedTheAdminToken) {
  auto admin = v1::AdminService::NewStub(Connect(server_->port()));
  {
    grpc::ClientContext ctx;
    Authorize(ctx, kInferenceToken);
    v1::IssueCheckpointResponse resp;
    EXPECT_EQ(admin->IssueCheckpoint(&ctx, {}, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  v1::GenerateResponse g;
  ASSERT_TRUE(Generate(SimpleRequest("admin", 2), &g).ok());
  grpc::ClientContext ctx;
  Authorize(ctx, kAdminToken);
  v1::IssueCheckpointResponse resp;
  grpc::Status s = admin->IssueCheckpoint(&ctx, {}, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.tree_size(), server_->ledger().Size());
  EXPECT_EQ(resp.checkpoint().rfind(config_->log_origin + "\n", 0), 0u) << resp.checkpoint();
}

TEST_F(ServerE2ETest, HealthServiceReportsServing) {
  auto channel = Connect(server_->port());
  grpc::ClientContext ctx;
  grpc::ByteBuffer request_bytes;  // empty HealthCheckRequest = overall health
  grpc::ByteBuffer response_bytes;
  grpc::GenericStub stub(channel);
  grpc::Status status;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  grpc::Slice empty;
  request_bytes = grpc::ByteBuffer(&empty, 1);
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request_bytes, &response_bytes,
                 [&](grpc::Status s) {
                   std::lock_guard<std::mutex> lock(mu);
                   status = s;
                   done = true;
                   cv.notify_all();
                 });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return done; });
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response_bytes.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2)) << "HealthCheckResponse{status: SERVING}";
}

}  // namespace
}  // namespace attestd::service
