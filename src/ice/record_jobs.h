// Live recording jobs (the "record" family of the API): SubmitLiveRecordJob records an input by
// copy into a bucket the operator gave the account (ice/buckets.h), in the containers of a
// recording template whose copy the job keeps; GetLiveRecordJob, ListLiveRecordJobs; the files
// it closed, catalogued by the runtime, in ListLiveRecordFiles and DeleteLiveRecordFiles; and
// GetLiveRecordTemplate with JobId (the job's copy of its template). There is no stop action in
// the API: a record job ends when its input has been away 3 minutes (runtime/supervisor.h).
// No HTTP, no SQL.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "core/result.h"
#include "ice/action.h"
#include "ice/bucket_jobs.h"
#include "ice/buckets.h"
#include "runtime/job_runtime.h"
#include "store/store.h"

namespace floe::ice {

struct RecordJobSubmit {
  std::string name;
  std::string template_id;
  std::string stream_input;   // JSON {Type: rtmp, Url}
  std::string record_output;  // JSON {Type: oss, Bucket, Endpoint}
  std::optional<std::string> notify_url;
};

// One answer of DeleteLiveRecordFiles per RecordId asked.
struct RecordFileDeletion {
  std::string record_id;
  std::string code;  // OK | FileNotFound | the error's code
  std::string message;
};

class RecordJobService {
 public:
  using Clock = std::function<int64_t()>;
  RecordJobService(store::Store& store, runtime::JobRuntime* runtime, store::JobLimits limits,
                   Clock clock = nullptr, const core::NetPolicy* callback_policy = nullptr);

  core::Result<std::string> Submit(const auth::Principal& who, const RecordJobSubmit& s);
  core::Result<store::JobRecord> Get(const auth::Principal& who, const std::string& id);
  core::Result<store::JobPage> List(const auth::Principal& who, store::JobQuery q);
  core::Result<store::RecordFilePage> ListFiles(const auth::Principal& who,
                                                store::RecordFileQuery q);
  // Out of the catalogue; with remove_file, the file too (an m3u8's segments with it).
  core::Result<std::vector<RecordFileDeletion>> DeleteFiles(const auth::Principal& who,
                                                            const std::vector<std::string>& ids,
                                                            bool remove_file);
  core::Result<std::vector<store::JobEvent>> Events(const std::string& job_id);
  std::optional<runtime::JobProcessView> Process(const std::string& job_id);
  // What each file's link may reach: nothing when its bucket is gone or is no longer this
  // account's (no link then); for a playlist, also the folder holding it and its segments. One
  // bucket lookup per bucket of the page.
  struct LinkScope {
    bool linkable = false;
    std::optional<std::string> folder;
  };
  core::Result<std::vector<LinkScope>> LinkScopes(
      const std::vector<store::RecordFileRecord>& files);

  static constexpr int kEventsShown = BucketJobs::kEventsShown;

 private:
  store::Store& store_;
  BucketJobs jobs_;
  const core::NetPolicy* callback_policy_;  // nullptr: the URL's form is checked only
};

// The record job actions, and GetLiveRecordTemplate's JobId (wrapping the template action that
// AddRecordTemplateActions put in `table` first). RecordUrl links last link_ttl_s.
void AddRecordJobActions(ActionTable& table, RecordJobService& service, const BucketLinks& links,
                         int64_t link_ttl_s = 3600);

}  // namespace floe::ice
