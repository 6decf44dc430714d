#include "model/config.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace attestd::model {
namespace {

const char* kQwen = R"({"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":1536,
  "intermediate_size":8960,"num_hidden_layers":28,"num_attention_heads":12,"num_key_value_heads":2,
  "vocab_size":151936,"max_position_embeddings":131072,"rms_norm_eps":1e-06,"rope_theta":10000,
  "tie_word_embeddings":false,"hidden_act":"silu","use_sliding_window":false,"sliding_window":4096,
  "bos_token_id":151643,"eos_token_id":151643,"torch_dtype":"bfloat16","rope_scaling":null})";

// kQwen with its "rope_scaling" value replaced by `scaling` (JSON text).
std::string QwenWithRopeScaling(const std::string& scaling) {
  std::string s = kQwen;
  const std::string from = R"("rope_scaling":null)";
  s.replace(s.find(from), from.size(), "\"rope_scaling\":" + scaling);
  return s;
}

TEST(ConfigTest, DeepSeekDistillQwenConfigIsReadAsQwen2WithBothEosIds) {
  auto c = ParseModelConfig(kQwen, R"({"eos_token_id":[151645,151643]})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->family, ModelFamily::kQwen2);
  EXPECT_EQ(c->head_dim, 128);
  EXPECT_EQ(c->num_kv_heads, 2);
  EXPECT_TRUE(c->qkv_bias);
  EXPECT_FALSE(c->tie_word_embeddings);
  EXPECT_EQ(c->rope_theta, 10000.0);
  EXPECT_EQ(c->eos_token_ids, (std::vector<int64_t>{151643, 151645}));
}

TEST(ConfigTest, LlamaDefaultsFillMissingKvHeadsAndHeadDim) {
  auto c = ParseModelConfig(R"({"model_type":"llama","hidden_size":64,"intermediate_size":128,
    "num_hidden_layers":2,"num_attention_heads":4,"vocab_size":300,"max_position_embeddings":64})",
                            "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_kv_heads, 4);
  EXPECT_EQ(c->head_dim, 16);
  EXPECT_FALSE(c->qkv_bias);
  EXPECT_EQ(c->rope_theta, 10000.0);
}

TEST(ConfigTest, UnsupportedMathIsRefused) {
  std::string base = kQwen;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = base;
    s.replace(s.find(from), from.size(), to);
    return ParseModelConfig(s, "").status();
  };
  EXPECT_FALSE(with(R"("rope_scaling":null)", R"("rope_scaling":{"type":"yarn","factor":4})").ok());
  EXPECT_FALSE(with(R"("hidden_act":"silu")", R"("hidden_act":"gelu")").ok());
  EXPECT_FALSE(with(R"("use_sliding_window":false)", R"("use_sliding_window":true)").ok());
  EXPECT_FALSE(with(R"("num_key_value_heads":2)", R"("num_key_value_heads":5)").ok());
  EXPECT_FALSE(with(R"("model_type":"qwen2")", R"("model_type":"mistral")").ok());
  EXPECT_FALSE(with(R"("hidden_size":1536)", R"("hidden_size":-3)").ok());
  EXPECT_FALSE(with(R"("eos_token_id":151643)", R"("eos_token_id":999999)").ok());
  EXPECT_FALSE(ParseModelConfig("{", "").ok());
  EXPECT_FALSE(ParseModelConfig(kQwen, "[]").ok());
}

// Llama 3.1 / 3.2 configs carry llama3 rope_scaling; refusing them, or
// reading them without it, would lose every real Llama 3 checkpoint.
TEST(ConfigTest, Llama3RopeScalingIsReadAndRoundTrips) {
  const char* llama32 = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":2048,
    "intermediate_size":8192,"num_hidden_layers":16,"num_attention_heads":32,"num_key_value_heads":8,
    "head_dim":64,"vocab_size":128256,"max_position_embeddings":131072,"rms_norm_eps":1e-05,
    "rope_theta":500000.0,"tie_word_embeddings":true,"hidden_act":"silu","attention_bias":false,
    "mlp_bias":false,"rope_scaling":{"factor":32.0,"high_freq_factor":4.0,"low_freq_factor":1.0,
    "original_max_position_embeddings":8192,"rope_type":"llama3"}})";
  auto c = ParseModelConfig(llama32, "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rope_scaling.kind, kernels::RopeScaling::Kind::kLlama3);
  EXPECT_EQ(c->rope_scaling.factor, 32.0);
  EXPECT_EQ(c->rope_scaling.low_freq_factor, 1.0);
  EXPECT_EQ(c->rope_scaling.high_freq_factor, 4.0);
  EXPECT_EQ(c->rope_scaling.original_max_position_embeddings, 8192.0);

  auto again = ParseModelConfig(ModelConfigToJson(*c), "");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rope_scaling.kind, kernels::RopeScaling::Kind::kLlama3);
  EXPECT_EQ(again->rope_scaling.factor, 32.0);
  EXPECT_EQ(again->rope_scaling.original_max_position_embeddings, 8192.0);

  auto linear = ParseModelConfig(QwenWithRopeScaling(R"({"type":"linear","factor":2})"), "");
  ASSERT_TRUE(linear.ok()) << linear.status();
  EXPECT_EQ(linear->rope_scaling.kind, kernels::RopeScaling::Kind::kLinear);
  EXPECT_EQ(linear->rope_scaling.factor, 2.0);
}

TEST(ConfigTest, BadRopeScalingIsRefusedSayingWhy) {
  auto status_with = [](const std::string& scaling) {
    return ParseModelConfig(QwenWithRopeScaling(scaling), "").status();
  };
  const std::string llama3_rest = R"("factor":8,"low_freq_factor":1,"high_freq_factor":4)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"rope_type":"yarn","factor":4,"original_max_position_embeddings":32768})", "want \"linear\" or \"llama3\""},
      {R"({"type":"dynamic","factor":2})", "want \"linear\" or \"llama3\""},
      {R"({"factor":2})", "rope_type"},
      {R"("llama3")", "want null or an object"},
      {R"({"rope_type":"linear"})", "rope_scaling.factor: missing"},
      {R"({"rope_type":"linear","factor":0.5})", "want >= 1"},
      {R"({"rope_type":"linear","factor":"2"})", "want a number"},
      {R"({"rope_type":"llama3",)" + llama3_rest + "}", "original_max_position_embeddings"},
      {R"({"rope_type":"llama3",)" + llama3_rest + R"(,"original_max_position_embeddings":8192.5})",
       "original_max_position_embeddings"},
      {R"({"rope_type":"llama3","factor":8,"low_freq_factor":4,"high_freq_factor":1,)"
       R"("original_max_position_embeddings":8192})",
       "want more than low_freq_factor"},
      {R"({"rope_type":"llama3","factor":8,"high_freq_factor":4,"original_max_position_embeddings":8192})",
       "rope_scaling.low_freq_factor: missing"},
  };
  for (const auto& [scaling, want] : cases) {
    absl::Status st = status_with(scaling);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << scaling;
    EXPECT_NE(st.message().find(want), std::string::npos) << scaling << " -> " << st;
  }
  EXPECT_TRUE(status_with(R"({"rope_type":"default"})").ok());
}

}  // namespace
}  // namespace attestd::model
