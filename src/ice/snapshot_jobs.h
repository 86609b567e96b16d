// Live snapshot jobs (the "snapshot" family of the API): SubmitLiveSnapshotJob takes a picture
// of an input every TimeInterval seconds into a bucket the operator gave the account
// (ice/buckets.h), named by a snapshot template whose settings the job keeps;
// GetLiveSnapshotJob, ListLiveSnapshotJobs, SendLiveSnapshotJobCommand (start, stop, restart);
// the pictures, catalogued by the runtime, in ListLiveSnapshotFiles and DeleteLiveSnapshotFiles.
// A snapshot job decodes in the account's input group (one pull and one decode with the
// transcodes of the same input). No HTTP, no SQL.
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

struct SnapshotJobSubmit {
  std::string job_name;
  std::string template_id;
  std::string stream_input;     // JSON {Type: rtmp, Url}
  std::string snapshot_output;  // JSON {StorageType: oss, Bucket, Endpoint}
  std::optional<std::string> callback_url;
};

// A page of ListLiveSnapshotFiles: the pictures, and where the next page starts (its
// CreateTimestamp; nullopt: none after these).
struct SnapshotFilePage {
  std::vector<store::SnapshotFileRecord> items;
  std::optional<int64_t> next_ms;
  bool linkable = false;  // the job's bucket is still this account's: links may be given
};

// One answer of DeleteLiveSnapshotFiles per CreateTimestamp asked.
struct SnapshotFileDeletion {
  int64_t create_time_ms = 0;
  std::string result;  // OK | NotFound
};

class SnapshotJobService {
 public:
  using Clock = std::function<int64_t()>;
  SnapshotJobService(store::Store& store, runtime::JobRuntime* runtime, store::JobLimits limits,
                     Clock clock = nullptr, const core::NetPolicy* callback_policy = nullptr);

  core::Result<std::string> Submit(const auth::Principal& who, const SnapshotJobSubmit& s);
  core::Result<store::JobRecord> Get(const auth::Principal& who, const std::string& id);
  core::Result<store::JobPage> List(const auth::Principal& who, store::JobQuery q);
  // start (409 JobAlreadyStarted when it runs), stop (returns once its process is gone; a
  // stopped job stays stopped), restart (stop, then start).
  core::Result<void> Command(const auth::Principal& who, const std::string& id,
                             const std::string& command);
  // Up to q.limit pictures of the account's job q.job_id; two of the same moment (a shot's
  // overwrite and sequence pictures) never split across pages.
  core::Result<SnapshotFilePage> ListFiles(const auth::Principal& who, store::SnapshotFileQuery q);
  // Sequence pictures out of the catalogue (and with delete_original, out of the bucket). 400
  // OverlayNotSupported when a time names an overwrite picture only, 404 NoValidSnapshot when
  // none names anything; nothing is deleted then.
  core::Result<std::vector<SnapshotFileDeletion>> DeleteFiles(const auth::Principal& who,
                                                              const std::string& job_id,
                                                              const std::vector<int64_t>& times,
                                                              bool delete_original);
  core::Result<std::vector<store::JobEvent>> Events(const std::string& job_id);
  std::optional<runtime::JobProcessView> Process(const std::string& job_id);

  static constexpr int kEventsShown = BucketJobs::kEventsShown;

 private:
  core::Result<void> Start(const auth::Principal& who, const std::string& id);
  core::Result<void> Stop(const auth::Principal& who, const std::string& id);

  store::Store& store_;
  BucketJobs jobs_;
  const core::NetPolicy* callback_policy_;  // nullptr: the URL's form is checked only
};

// The snapshot job actions. A picture's Url (a Floe extension) lasts link_ttl_s.
void AddSnapshotJobActions(ActionTable& table, SnapshotJobService& service,
                           const BucketLinks& links, int64_t link_ttl_s = 3600);

}  // namespace floe::ice
