// The path of a bucket file link (/files/BUCKET/EXPIRES/SIG/OBJECT), as any client may send it.
// What parses has a bucket name within the rules and reads back from its own encoding to the
// same object; the object a signature could cover is checked like every served name (no path
// trick survives to the file system); no forged signature verifies.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "auth/link_signer.h"
#include "http/static_files.h"
#include "ice/buckets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path(reinterpret_cast<const char*>(data), size);
  auto link = floe::ice::ParseFileLink(path);
  if (!link) return 0;
  if (floe::ice::BucketNameProblem(link->bucket)) abort();
  std::string again = std::string(floe::ice::BucketLinks::kPrefix) + link->bucket + "/" +
                      link->expires + "/" + link->sig + "/" +
                      floe::ice::EncodeObjectPath(link->object);
  auto reparsed = floe::ice::ParseFileLink(again);
  if (!reparsed || reparsed->object != link->object || reparsed->bucket != link->bucket) abort();
  if (floe::http::IsSafeName(link->object, floe::http::NameRule::kObject)) {
    if (link->object.find("/../") != std::string::npos || link->object.rfind("../", 0) == 0 ||
        link->object.front() == '/' || link->object.find('\0') != std::string::npos) {
      abort();
    }
  }
  floe::auth::LinkSigner signer("fuzz key", [] { return int64_t{1'800'000'000'000}; });
  if (signer.Verify({link->bucket, link->object}, link->expires, link->sig)) abort();
  return 0;
}
