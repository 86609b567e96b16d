// Buckets (store/records.h): where the recording and snapshot families write, Floe's stand-in
// for OSS. The operator gives an account a bucket (`floe admin bucket add`), a directory under
// the data directory or on shared storage; a job names it in its RecordOutput/SnapshotOutput.
// Its files are reached through signed, expiring links, like preview links:
//   /files/BUCKET/EXPIRES/SIG/OBJECT   OBJECT percent-encoded segment by segment
// signed by auth::LinkSigner over BUCKET and OBJECT (decoded), or over BUCKET and a folder that
// holds OBJECT (IssueWithin: a playlist and its segments).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "auth/link_signer.h"
#include "core/result.h"
#include "store/store.h"

namespace floe::ice {

// What is wrong with a bucket name, or nullopt. OSS's rules: 3 to 63 lower-case letters,
// digits and '-', starting and ending with a letter or a digit.
std::optional<std::string> BucketNameProblem(const std::string& name);

// A /files/ path's parts, OBJECT decoded; nullopt when the path is not one (no object, a
// bucket name off the rules, a malformed escape). Nothing is verified here.
struct FileLink {
  std::string bucket, expires, sig, object;
};
std::optional<FileLink> ParseFileLink(const std::string& path);
// OBJECT as a link carries it: each segment percent-encoded, the slashes kept.
std::string EncodeObjectPath(const std::string& object);

class BucketLinks {
 public:
  BucketLinks(std::string key, store::Store& store, auth::LinkSigner::Clock clock = nullptr);

  // A path on this server that reads `object` of `bucket` for ttl_s seconds.
  std::string Issue(const std::string& bucket, const std::string& object, int64_t ttl_s) const;
  // The same, and its signature also reads every object under `folder` ("DIR/", or "" for the
  // whole bucket): a playlist's link, whose segments a player reaches by their relative URIs.
  std::string IssueWithin(const std::string& bucket, const std::string& object,
                          const std::string& folder, int64_t ttl_s) const;

  struct Target {
    std::string dir;     // the bucket's directory
    std::string object;  // the file under it, as named (http::ServeFile checks it)
  };
  // What a /files/… path reads: 403 when the link is malformed, forged or expired, or its
  // bucket is gone; the store's error when it cannot say.
  core::Result<Target> Resolve(const std::string& path) const;

  static constexpr char kPrefix[] = "/files/";
  // The key: SecretBox::DeriveKey(kKeyPurpose) of the deployment's master key.
  static constexpr char kKeyPurpose[] = "bucket links";

 private:
  bool Signed(const FileLink& link) const;

  auth::LinkSigner signer_;
  store::Store& store_;
};

}  // namespace floe::ice
