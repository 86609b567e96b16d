#include "auth/link_signer.h"

#include <gtest/gtest.h>

namespace floe::auth {
namespace {

class LinkSignerTest : public ::testing::Test {
 protected:
  int64_t now_ms_ = 1'800'000'000'500;
  LinkSigner signer_{"secret", [this] { return now_ms_; }};
};

TEST_F(LinkSignerTest, ALinkHoldsUntilItsSecondAndNotAfter) {
  int64_t expires = signer_.ExpiresIn(60);
  EXPECT_EQ(expires, 1'800'000'060);
  std::string sig = signer_.Sign({"bucket", "a/b.m3u8"}, expires);
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_TRUE(signer_.Verify({"bucket", "a/b.m3u8"}, "1800000060", sig));
  now_ms_ = 1'800'000'060'999;  // within its last second
  EXPECT_TRUE(signer_.Verify({"bucket", "a/b.m3u8"}, "1800000060", sig));
  now_ms_ = 1'800'000'061'000;
  EXPECT_FALSE(signer_.Verify({"bucket", "a/b.m3u8"}, "1800000060", sig));
}

TEST_F(LinkSignerTest, AnyChangeOfFieldsExpiryOrKeyBreaksTheSignature) {
  std::string sig = signer_.Sign({"a", "b\nc"}, 1'900'000'000);
  EXPECT_TRUE(signer_.Verify({"a", "b\nc"}, "1900000000", sig));
  EXPECT_FALSE(signer_.Verify({"a\nb", "c"}, "1900000000", sig));  // fields never run together
  EXPECT_FALSE(signer_.Verify({"a", "b\nc", ""}, "1900000000", sig));
  EXPECT_FALSE(signer_.Verify({"a", "b\nc"}, "1900000001", sig));
  EXPECT_FALSE(signer_.Verify({"a", "b\nc"}, "01900000000", sig));  // the text as signed
  EXPECT_FALSE(
      LinkSigner("other", [this] { return now_ms_; }).Verify({"a", "b\nc"}, "1900000000", sig));
  std::string upper = sig;
  for (auto& c : upper) c = static_cast<char>(std::toupper(c));
  EXPECT_FALSE(signer_.Verify({"a", "b\nc"}, "1900000000", upper));
}

TEST_F(LinkSignerTest, MalformedExpiriesAreRefusedBeforeAnyArithmetic) {
  std::string sig = signer_.Sign({"x"}, 1'900'000'000);
  for (const char* bad :
       {"", "-1", "+1900000000", "1.9e9", "19000000000000000000", " 1900000000"}) {
    EXPECT_FALSE(signer_.Verify({"x"}, bad, sig)) << bad;
  }
}

}  // namespace
}  // namespace floe::auth
