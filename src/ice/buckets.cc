#include "ice/buckets.h"

#include "core/strings.h"

namespace floe::ice {

std::optional<std::string> BucketNameProblem(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return "must be 3 to 63 characters.";
  if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return "may hold lower-case letters, digits and '-' only.";
  }
  if (name.front() == '-' || name.back() == '-') {
    return "must start and end with a letter or a digit.";
  }
  return std::nullopt;
}

BucketLinks::BucketLinks(std::string key, store::Store& store, auth::LinkSigner::Clock clock)
    : signer_(std::move(key), std::move(clock)), store_(store) {}

std::string EncodeObjectPath(const std::string& object) {
  std::string out;
  size_t start = 0;
  for (;;) {
    size_t slash = object.find('/', start);
    out += core::PercentEncode(object.substr(start, slash - start));
    if (slash == std::string::npos) return out;
    out += '/';
    start = slash + 1;
  }
}

std::optional<FileLink> ParseFileLink(const std::string& path) {
  if (path.rfind(BucketLinks::kPrefix, 0) != 0) return std::nullopt;
  // BUCKET / EXPIRES / SIG / OBJECT…
  FileLink link;
  size_t at = sizeof(BucketLinks::kPrefix) - 1;
  for (std::string* part : {&link.bucket, &link.expires, &link.sig}) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) return std::nullopt;
    *part = path.substr(at, slash - at);
    at = slash + 1;
  }
  if (BucketNameProblem(link.bucket) || at >= path.size() ||
      !core::PercentDecode(path.substr(at), link.object, /*plus_is_space=*/false)) {
    return std::nullopt;
  }
  return link;
}

std::string BucketLinks::Issue(const std::string& bucket, const std::string& object,
                               int64_t ttl_s) const {
  int64_t expires = signer_.ExpiresIn(ttl_s);
  return std::string(kPrefix) + bucket + "/" + std::to_string(expires) + "/" +
         signer_.Sign({bucket, object}, expires) + "/" + EncodeObjectPath(object);
}

namespace {

// A folder's signature signs three fields, an object's two: never alike (LinkSigner prefixes
// each field with its length).
constexpr char kFolderMark[] = "folder";

}  // namespace

std::string BucketLinks::IssueWithin(const std::string& bucket, const std::string& object,
                                     const std::string& folder, int64_t ttl_s) const {
  int64_t expires = signer_.ExpiresIn(ttl_s);
  return std::string(kPrefix) + bucket + "/" + std::to_string(expires) + "/" +
         signer_.Sign({bucket, folder, kFolderMark}, expires) + "/" + EncodeObjectPath(object);
}

bool BucketLinks::Signed(const FileLink& link) const {
  if (signer_.Verify({link.bucket, link.object}, link.expires, link.sig)) return true;
  // Or a folder that holds it: "", "a/", "a/b/", … (an object has at most kMaxDepth of them).
  constexpr int kMaxDepth = 32;
  size_t slash = 0;
  for (int depth = 0; depth <= kMaxDepth; ++depth) {
    std::string folder = link.object.substr(0, slash);
    if (signer_.Verify({link.bucket, folder, kFolderMark}, link.expires, link.sig)) return true;
    slash = link.object.find('/', slash);
    if (slash == std::string::npos) return false;
    ++slash;
  }
  return false;
}

core::Result<BucketLinks::Target> BucketLinks::Resolve(const std::string& path) const {
  const core::Error refused{"Forbidden", 403, "This file link is invalid or has expired.", ""};
  auto link = ParseFileLink(path);
  if (!link || !Signed(*link)) return refused;
  auto bucket = store_.GetBucket(link->bucket);
  if (!bucket) return bucket.error();
  if (!bucket->has_value()) return refused;  // deleted since the link was issued
  return Target{(*bucket)->dir, link->object};
}

}  // namespace floe::ice
