// engineDigest: the documented known answers and the mode/device-class rules.
#include "attest/engine_digest.h"

#include <gtest/gtest.h>

namespace attestd {
namespace {

EngineDescription CanonicalCpu() {
  return {"attestd-engine-cpu-0.1", EngineNumericMode::kCanonical, "attestd-reduce-v1", ""};
}

TEST(EngineDigestTest, CanonicalDescriptionMatchesDocumentedText) {
  auto text = CanonicalEngineDescription(CanonicalCpu());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(*text,
            "attestd-engine-description/v1\nengine_version=attestd-engine-cpu-0.1\nnumeric_mode=canonical\n"
            "reduce_spec=attestd-reduce-v1\ndevice_class=\n");
}

TEST(EngineDigestTest, CanonicalDigestMatchesDocumentedVector) {
  auto digest = EngineDigest(CanonicalCpu());
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(HexEncode(*digest), "f25f3d26ba87549f237d3af57534e528d0278febe07e0e688f5a2ed7eea41e0d");
}

TEST(EngineDigestTest, DeviceDigestMatchesDocumentedVector) {
  auto digest = EngineDigest({"attestd-engine-cuda-0.1", EngineNumericMode::kDevice, "attestd-reduce-v1", "nvidia-sm90"});
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(HexEncode(*digest), "912c2606e8008b8de9ce21a60edf467c2318599cb61dc383d61a7cf9f3a85fb6");
}

TEST(EngineDigestTest, EveryFieldChangesTheDigest) {
  Digest32 base = *EngineDigest(CanonicalCpu());
  EngineDescription d = CanonicalCpu();
  d.engine_version = "attestd-engine-cpu-0.2";
  EXPECT_NE(*EngineDigest(d), base);
  d = CanonicalCpu();
  d.reduce_spec_version = "attestd-reduce-v2";
  EXPECT_NE(*EngineDigest(d), base);
  d = CanonicalCpu();
  d.numeric_mode = EngineNumericMode::kDevice;
  d.device_class = "cpu-x86_64";
  EXPECT_NE(*EngineDigest(d), base);
}

TEST(EngineDigestTest, DeviceModeWithoutDeviceClassIsRejected) {
  EngineDescription d = CanonicalCpu();
  d.numeric_mode = EngineNumericMode::kDevice;
  auto digest = EngineDigest(d);
  ASSERT_FALSE(digest.ok());
  EXPECT_NE(digest.status().message().find("device_class: empty"), std::string::npos) << digest.status();
}

TEST(EngineDigestTest, CanonicalModeWithDeviceClassIsRejected) {
  EngineDescription d = CanonicalCpu();
  d.device_class = "nvidia-sm90";
  EXPECT_FALSE(EngineDigest(d).ok());
}

TEST(EngineDigestTest, NewlineInAValueIsRejectedSoLinesStayUnambiguous) {
  EngineDescription d = CanonicalCpu();
  d.engine_version = "v1\nnumeric_mode=device";
  auto digest = EngineDigest(d);
  ASSERT_FALSE(digest.ok());
  EXPECT_NE(digest.status().message().find("byte 0x0a at offset 2"), std::string::npos) << digest.status();
}

}  // namespace
}  // namespace attestd
