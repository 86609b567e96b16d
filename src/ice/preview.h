// Live previews of a job (a Floe extension): the HLS its media process writes under the
// preview root (floe run-job --preview-dir), reached through short-lived signed links, since a
// <video> element cannot sign its requests:
//   /preview/JOB_ID/INPUT_NAME/EXPIRES/SIG/output/FILE   the job's output
//   /preview/JOB_ID/INPUT_NAME/EXPIRES/SIG/input/FILE    the job's input
// signed by auth::LinkSigner over JOB_ID and INPUT_NAME. The
// action GetLiveTranscodeJobPreview issues them to whoever may read the job (RAM: the action
// ice:GetLiveTranscodeJobPreview on the job).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "auth/link_signer.h"
#include "ice/action.h"
#include "ice/job_service.h"

namespace floe::ice {

class PreviewLinks {
 public:
  using Clock = std::function<int64_t()>;  // Unix ms
  // key: secret (derived from the master key); root: the preview directory; ttl_s: how long a
  // link lasts.
  PreviewLinks(std::string key, std::string root, int ttl_s = 600, Clock clock = nullptr);

  struct Link {
    std::string output_url, input_url;  // paths on this server
    int64_t expires_s = 0;
  };
  Link Issue(const std::string& job_id, const std::string& input_name) const;

  struct Target {
    std::string dir;   // the directory under the root
    std::string file;  // the file name in it, as asked (http::ServeFile checks it)
  };
  // What a /preview/… path names, when its signature holds and it has not expired.
  std::optional<Target> Resolve(const std::string& path) const;

  static constexpr char kPrefix[] = "/preview/";

 private:
  auth::LinkSigner signer_;
  std::string root_;
  int ttl_s_;
};

// GetLiveTranscodeJobPreview(JobId) → {Preview: {OutputUrl, InputUrl, ExpireTime}}.
void AddPreviewActions(ActionTable& table, JobService& jobs, const PreviewLinks& links);

}  // namespace floe::ice
