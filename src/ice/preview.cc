#include "ice/preview.h"

#include <vector>

#include "core/ids.h"
#include "core/time.h"
#include "runtime/protocol.h"

namespace floe::ice {

using core::Result;

namespace {

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

bool IsInputName(const std::string& s) {
  return s.size() == 33 && s[0] == 'i' &&
         s.find_first_not_of("0123456789abcdef", 1) == std::string::npos;
}

}  // namespace

PreviewLinks::PreviewLinks(std::string key, std::string root, int ttl_s, Clock clock)
    : signer_(std::move(key), std::move(clock)), root_(std::move(root)), ttl_s_(ttl_s) {}

PreviewLinks::Link PreviewLinks::Issue(const std::string& job_id,
                                       const std::string& input_name) const {
  Link l;
  l.expires_s = signer_.ExpiresIn(ttl_s_);
  std::string base = std::string(kPrefix) + job_id + "/" + input_name + "/" +
                     std::to_string(l.expires_s) + "/" +
                     signer_.Sign({job_id, input_name}, l.expires_s);
  l.output_url = base + "/output/master.m3u8";  // media/hls_master.h
  l.input_url = base + "/input/master.m3u8";
  return l;
}

std::optional<PreviewLinks::Target> PreviewLinks::Resolve(const std::string& path) const {
  if (path.rfind(kPrefix, 0) != 0) return std::nullopt;
  auto parts = Split(path.substr(sizeof(kPrefix) - 1), '/');
  // JOB_ID / INPUT_NAME / EXPIRES / SIG / output|input / FILE
  if (parts.size() != 6 || !core::IsResourceId(parts[0]) || !IsInputName(parts[1]) ||
      !signer_.Verify({parts[0], parts[1]}, parts[2], parts[3])) {
    return std::nullopt;
  }
  if (parts[4] == "output") return Target{root_ + "/jobs/" + parts[0], parts[5]};
  if (parts[4] == "input") return Target{root_ + "/inputs/" + parts[1], parts[5]};
  return std::nullopt;
}

void AddPreviewActions(ActionTable& table, JobService& jobs, const PreviewLinks& links) {
  table["GetLiveTranscodeJobPreview"] = [&jobs, &links](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("JobId");
    if (!id) return id.error();
    auto view = jobs.Get(ctx.principal, *id);  // the caller's own job, or ResourceNotFound
    if (!view) return view.error();
    const auto& j = view->job;
    auto link = links.Issue(j.job_id, runtime::InputPreviewName(runtime::InputOf(j)));
    return Json{{"Preview",
                 {{"OutputUrl", link.output_url},
                  {"InputUrl", link.input_url},
                  {"ExpireTime", core::FormatUtc(link.expires_s)}}}};
  };
}

}  // namespace floe::ice
