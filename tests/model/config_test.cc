#include "model/config.h"

#include <gtest/gtest.h>

namespace attestd::model {
namespace {

const char* kQwen = R"({"architectures":["Qwen2ForCausalLM"],"model_type":"qwen2","hidden_size":1536,
  "intermediate_size":8960,"num_hidden_layers":28,"num_attention_heads":12,"num_key_value_heads":2,
  "vocab_size":151936,"max_position_embeddings":131072,"rms_norm_eps":1e-06,"rope_theta":10000,
  "tie_word_embeddings":false,"hidden_act":"silu","use_sliding_window":false,"sliding_window":4096,
  "bos_token_id":151643,"eos_token_id":151643,"torch_dtype":"bfloat16","rope_scaling":null})";

TEST(ConfigTest, DeepSeekDistillQwenConfigMisread) {
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

TEST(ConfigTest, LlamaDefaultsMisread) {
  auto c = ParseModelConfig(R"({"model_type":"llama","hidden_size":64,"intermediate_size":128,
    "num_hidden_layers":2,"num_attention_heads":4,"vocab_size":300,"max_position_embeddings":64})",
                            "");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->num_kv_heads, 4);
  EXPECT_EQ(c->head_dim, 16);
  EXPECT_FALSE(c->qkv_bias);
  EXPECT_EQ(c->rope_theta, 10000.0);
}

TEST(ConfigTest, UnsupportedMathSilentlyAccepted) {
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

}  // namespace
}  // namespace attestd::model
