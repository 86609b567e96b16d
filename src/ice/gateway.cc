#include "ice/gateway.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"
#include "core/strings.h"
#include "core/time.h"
#include "http/client_address.h"
#include "ice/catalog.h"

namespace floe::ice {

using core::Error;
using core::Result;

namespace {

http::Response Render(int status, Json body) {
  http::Response r;
  r.status = status;
  r.body = core::DumpJson(body);
  return r;
}

Json ErrorBody(const std::string& request_id, const std::string& host, const Error& e) {
  return Json{{"RequestId", request_id},
              {"HostId", host},
              {"Code", e.code},
              {"Message", e.message},
              {"Recommend", e.recommend}};
}

// The peer's address without the port ("203.0.113.7:51234" → "203.0.113.7").
std::string PeerAddress(const std::string& remote) {
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

// The client's address: what the server resolved (behind a trusted proxy, from
// X-Forwarded-For), else the peer's.
std::string ClientAddress(const http::Request& req) {
  return req.client.empty() ? PeerAddress(req.remote) : req.client;
}

// A value of parameter `name` is refused. A name the API knows is in the code
// (InvalidParam.<Name>) as the real API puts it; any other only in the message, in an excerpt,
// so that no request can mint a new code (and metrics series) before it is authenticated.
Error InvalidValue(const std::string& name, const std::string& why) {
  if (IsKnownParameter(name)) return Error::InvalidParameter(name, why);
  return Error{"InvalidParameter", 400,
               "The parameter \"" + core::Excerpt(name) + "\" is invalid: " + why,
               "Correct the parameter and retry."};
}

// Every parameter name and value must be UTF-8 without NUL characters, so that nothing stored
// or echoed is malformed (and PostgreSQL's text, which cannot hold NUL, stores what SQLite does).
Result<void> CheckText(const std::map<std::string, std::string>& values) {
  for (const auto& [k, v] : values) {
    if (!core::IsValidUtf8(k) || k.find('\0') != std::string::npos) {
      return Error::InvalidParameter("QueryString", "a parameter name is not valid UTF-8 text.");
    }
    if (!core::IsValidUtf8(v)) {
      return InvalidValue(k, "it is not valid UTF-8.");
    }
    if (v.find('\0') != std::string::npos) {
      return InvalidValue(k, "it contains a NUL character.");
    }
  }
  return {};
}

// The resource an action touches, relative to the account (auth::ResourceArn): the template or
// job its id names, or the whole kind for Create, List and Submit.
std::string ResourceOf(const std::string& action, const Params& params) {
  // A record job's files are the job's (ListLiveRecordFiles, DeleteLiveRecordFiles: job/*), a
  // snapshot job's pictures too (ListLiveSnapshotFiles, DeleteLiveSnapshotFiles: job/JOB_ID).
  bool job = action.find("Job") != std::string::npos ||
             action.find("RecordFiles") != std::string::npos ||
             action.find("SnapshotFiles") != std::string::npos;
  auto id = params.Get(job ? "JobId" : "TemplateId");
  if (job && action.rfind("Submit", 0) == 0) id.reset();  // its TemplateId is not the job's
  return std::string(job ? "job/" : "template/") + (id ? *id : "*");
}

// A Host header fit to put in a link: a name or address and a port, at most 255 characters.
std::string PlainHost(const std::string& host) {
  if (host.empty() || host.size() > 255 ||
      host.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
          std::string::npos) {
    return "";
  }
  return host;
}

bool IsForm(const http::Request& req) {
  const std::string& ct = req.Header("content-type");
  return ct.rfind("application/x-www-form-urlencoded", 0) == 0;
}

}  // namespace

http::Response Gateway::Handle(const http::Request& req) {
  auto start = std::chrono::steady_clock::now();
  std::string request_id = core::NewRequestId();
  if (req.method == "GET" && req.Path() == "/healthz") {
    if (health_) {
      if (auto h = health_(); !h) {
        return Render(503, Json{{"Status", "store unreachable"}, {"Message", h.error().message}});
      }
    }
    return Render(200, Json{{"Status", "ok"}});
  }
  std::string action, access_key_id;
  Result<Json> result = Error::Internal("the request was not handled");
  try {
    result = Dispatch(req, request_id, action, access_key_id);
  } catch (const std::exception& e) {
    spdlog::error("event=handler_exception request_id={} what=\"{}\"", request_id,
                  core::Excerpt(e.what(), 200));
    result = Error::Internal("an unexpected error");
  }
  http::Response resp;
  std::string code = "OK";
  if (result) {
    Json body{{"RequestId", request_id}};
    for (auto& [k, v] : result->items()) body[k] = std::move(v);
    resp = Render(200, std::move(body));
  } else {
    const Error& e = result.error();
    code = e.code;
    resp = Render(e.http_status, ErrorBody(request_id, req.Header("host"), e));
    if (e.http_status >= 500) {
      spdlog::error("event=internal_error request_id={} action={} message=\"{}\"", request_id,
                    core::Excerpt(action), core::Excerpt(e.message, 300));
    }
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  if (metrics_) metrics_->Observe(actions_.count(action) ? action : "", code, us / 1e6);
  // Behind a trusted proxy: the client X-Forwarded-For names, and the proxy it came through.
  std::string client = ClientAddress(req);
  bool forwarded = client != PeerAddress(req.remote);
  core::AccessLog().info(
      "event=request request_id={} action={} status={} code={} latency_ms={:.3f} ak={} "
      "remote={}{}{}",
      request_id, action.empty() ? "-" : core::Excerpt(action), resp.status, core::Excerpt(code),
      us / 1000.0, access_key_id.empty() ? "-" : core::Excerpt(access_key_id),
      forwarded ? client : req.remote, forwarded ? " proxy=" : "", forwarded ? req.remote : "");
  return resp;
}

Result<Json> Gateway::Dispatch(const http::Request& req, const std::string& request_id,
                               std::string& action, std::string& access_key_id) {
  if (req.Path() != "/") {
    return Error{
        "InvalidUri", 404,
        "The path " + core::Excerpt(req.Path()) + " does not exist; the API is served at /.",
        "Send requests to /."};
  }
  if (req.method != "GET" && req.method != "POST") {
    return Error{"UnsupportedHTTPMethod", 405,
                 "The method " + core::Excerpt(req.method) + " is not supported; use GET or POST.",
                 "Use GET or POST."};
  }
  auth::SignedRequest signed_req;
  signed_req.method = req.method;
  signed_req.path = req.Path();
  signed_req.headers = req.headers;
  signed_req.body = req.body;
  if (!http::ParseQuery(req.RawQuery(), signed_req.query)) {
    return Error::InvalidParameter("QueryString", "it has a malformed percent-escape.");
  }
  if (IsForm(req) && !http::ParseQuery(req.body, signed_req.form)) {
    return Error::InvalidParameter("Body", "it has a malformed percent-escape.");
  }
  std::map<std::string, std::string> values;
  for (const auto& [k, v] : signed_req.query) values[k] = v;
  for (const auto& [k, v] : signed_req.form) values[k] = v;
  if (auto r = CheckText(values); !r) return r.error();
  for (const auto& [k, v] : req.headers) {
    if (k.rfind("x-acs-", 0) == 0 && !core::IsValidUtf8(v)) {
      return Error::InvalidParameter("Header",
                                     "the header " + core::Excerpt(k) + " is not valid UTF-8.");
    }
  }
  Params params(values);

  action = params.Get("Action").value_or(req.Header("x-acs-action"));
  std::string version = params.Get("Version").value_or(req.Header("x-acs-version"));
  if (action.empty()) return Error::MissingParameter("Action");
  if (version.empty()) return Error::MissingParameter("Version");
  if (version != kApiVersion) {
    return Error{"InvalidVersion", 400,
                 "Specified parameter Version \"" + core::Excerpt(version) +
                     "\" is not valid; this API is " + kApiVersion + ".",
                 std::string("Use Version ") + kApiVersion + "."};
  }
  auto handler = actions_.find(action);
  if (handler == actions_.end()) {
    return Error{"InvalidAction.NotFound", 404,
                 "Specified api \"" + core::Excerpt(action) +
                     "\" is not found, please check your url and method.",
                 "Check the Action name."};
  }
  // Unauthenticated traffic is throttled per client address before any signature work: each
  // failed authentication takes a token of the address's bucket.
  // Keyed as the connection caps are: an IPv6 client by its /64.
  std::string client = http::ClientKey(ClientAddress(req));
  int64_t now = core::NowMillis();
  if (!auth_failures_.Check(client, now)) {
    return Error{"Throttling", 429,
                 "Request was denied due to request throttling: too many failed "
                 "authentications from this address.",
                 "Sign requests with a valid AccessKey; retry in a few seconds."};
  }
  auto principal = authn_.Authenticate(signed_req);
  if (!principal) {
    (void)auth_failures_.Allow(client, now);
    return principal.error();
  }
  access_key_id = principal->access_key_id;
  if (!limiter_.Allow(access_key_id, core::NowMillis())) {
    return Error{"Throttling.User", 429, "Request was denied due to user flow control.",
                 "Slow down: this AccessKey exceeded its request rate."};
  }
  if (auto r = authz_.Authorize(*principal, action, ResourceOf(action, params)); !r) {
    return r.error();
  }
  return handler->second(
      ActionContext{*principal, std::move(params), request_id, PlainHost(req.Header("host"))});
}

}  // namespace floe::ice
