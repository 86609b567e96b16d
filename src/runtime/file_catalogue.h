// What a record job's closed file or a snapshot job's picture becomes once its media process
// reports it (a kFile report, runtime/protocol.h): a row of the store's catalogue (what
// ListLiveRecordFiles and ListLiveSnapshotFiles read), an event of the job (each recording; a
// snapshot job's first picture of a process, the others would crowd its history out), and the
// job's callback (runtime/callbacks.h), if it has one and the node sends them.
//
// The supervisor hands every report to Add from its reader threads, without its lock, and counts
// what Add says was catalogued. Thread-safe as far as the store and the two functions are.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace floe::runtime {

class FileCatalogue {
 public:
  // A job event into the store (job id, event, detail).
  using EventFn = std::function<void(const std::string&, const std::string&, const std::string&)>;
  // A callback to send (job id, its URL, the JSON body); empty: the node sends none.
  using CallbackFn = std::function<void(const std::string&, const std::string&, std::string)>;

  FileCatalogue(store::Store& store, std::function<int64_t()> clock, EventFn event,
                CallbackFn callback)
      : store_(store),
        clock_(std::move(clock)),
        event_(std::move(event)),
        callback_(std::move(callback)) {}

  // The job's file (record) or picture (snapshot) as its process reported it. `first`: the
  // first since the job was added to its process. Its size in bytes once it is in the store;
  // nullopt when the report could not be read or stored (both logged: the file itself is in
  // the bucket all the same).
  std::optional<int64_t> Add(const store::JobRecord& job, const std::string& file_json, bool first);
  // The job's callback for `event` with `data` (CallbackBody), when it has a URL.
  void Notify(const store::JobRecord& job, const std::string& event, const nlohmann::json& data);

 private:
  std::optional<int64_t> AddRecording(const store::JobRecord& job, const std::string& file_json);
  std::optional<int64_t> AddPicture(const store::JobRecord& job, const std::string& shot_json,
                                    bool first);

  store::Store& store_;
  std::function<int64_t()> clock_;
  EventFn event_;
  CallbackFn callback_;
};

}  // namespace floe::runtime
