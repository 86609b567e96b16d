#include "cli/admin.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/identity.h"
#include "cli/bootstrap.h"
#include "core/strings.h"
#include "core/time.h"
#include "core/writable_dir.h"
#include "http/static_files.h"
#include "ice/buckets.h"
#include "ice/live_center.h"
#include "store/store_url.h"

namespace floe::cli {

using Json = nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

struct AdminArgs {
  std::string data_dir = "var";
  std::string store_url;  // "": SQLite in data_dir
  std::string name, account, user, document, key, push_base;
  std::string dir, endpoint, object;
  int64_t ttl_s = 3600;
};

using Command = std::function<core::Result<Json>(auth::Identity&, store::Store&)>;

// Runs one command against the data directory's store and prints its result.
int RunAdmin(const AdminArgs& a, const Command& command) {
  try {
    EnsureDataDir(a.data_dir);
    auto opened = OpenStore(a.store_url, a.data_dir);
    store::Store& store = *opened;
    auto box = auth::SecretBox::LoadOrCreate(MasterKeyPath(a.data_dir));
    auth::Identity identity(store, box);
    // The same first-start rule as serve: an empty data dir gets its root account first.
    BootstrapRootAccount(store, identity, a.data_dir);
    auto r = command(identity, store);
    if (!r) {
      std::cerr << Json{{"Code", r.error().code}, {"Message", r.error().message}}.dump() << "\n";
      return 1;
    }
    std::cout << r->dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << Json{{"Code", "InternalError"}, {"Message", store::MaskStoreUrl(e.what())}}.dump()
              << "\n";
    return 1;
  }
}

core::Result<Json> Done(core::Result<void> r, Json ok) {
  if (!r) return r.error();
  return ok;
}

Json DomainJson(const store::Domain& d) {
  return Json{{"DomainName", d.name},
              {"AccountId", d.account_id},
              {"PushBase", d.push_base},
              {"CreateTime", core::FormatUtc(d.create_time_ms / 1000)}};
}

core::Result<Json> AddDomain(const AdminArgs& a, store::Store& store) {
  auto name = ice::LiveCenter::NormalizeDomain(a.name, "DomainName");
  if (!name) return name.error();
  if (!ice::LiveCenter::IsPushBase(a.push_base)) {
    return core::Error::InvalidParameter("PushBase", "it must be rtmp://HOST:PORT.");
  }
  auto account = store.GetAccount(a.account);
  if (!account) return account.error();
  if (!account->has_value()) {
    return core::Error{"InvalidParam.AccountId", 404, "no account " + a.account, ""};
  }
  std::string base =
      a.push_base.back() == '/' ? a.push_base.substr(0, a.push_base.size() - 1) : a.push_base;
  if (auto free = ice::LiveCenter(store).CheckPushBaseFree(base, a.account); !free) {
    return free.error();
  }
  store::Domain d{*name, a.account, base, core::NowMillis()};
  auto added = store.AddDomain(d);
  if (!added) return added.error();
  if (!*added) {
    return core::Error{"DomainAlreadyExists", 409,
                       "the domain " + *name + " already belongs to an account", ""};
  }
  return DomainJson(d);
}

Json BucketJson(const store::Bucket& b) {
  return Json{{"BucketName", b.name},
              {"AccountId", b.account_id},
              {"Endpoint", b.endpoint},
              {"Directory", b.dir},
              {"CreateTime", core::FormatUtc(b.create_time_ms / 1000)}};
}

bool Within(const fs::path& inner, const fs::path& outer) {
  auto [end, _] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return end == outer.end();
}

// The bucket's directory, absolute: a bucket never shares files with another, nor reaches the
// data directory's own files (its links would serve the store or the master key).
core::Result<std::string> BucketDir(const AdminArgs& a, store::Store& store) {
  const fs::path data = fs::weakly_canonical(fs::absolute(a.data_dir));
  fs::path dir = a.dir.empty() ? data / "buckets" / a.name : fs::absolute(a.dir);
  dir = fs::weakly_canonical(dir);
  auto bad = [&](const std::string& why) {
    return core::Error::InvalidParameter("Directory", dir.string() + " " + why);
  };
  const std::string own = " (the default is " + (data / "buckets" / a.name).string() + ").";
  if (Within(data, dir)) return bad("holds Floe's data directory: use one of its own" + own);
  if (Within(dir, data) && !Within(dir, data / "buckets")) {
    return bad("lies among Floe's own files: use one of its own" + own);
  }
  auto all = store.ListBuckets(std::nullopt);
  if (!all) return all.error();
  for (const auto& b : *all) {
    if (Within(dir, b.dir) || Within(b.dir, dir)) {
      return bad("overlaps the directory of bucket " + b.name + ".");
    }
  }
  if (auto w = core::EnsureWritableDir(dir.string()); !w) return w.error();
  return dir.string();
}

core::Error BucketTaken(const std::string& name) {
  return core::Error{"BucketAlreadyExists", 409, "the bucket " + name + " already exists", ""};
}

core::Result<Json> AddBucket(const AdminArgs& a, store::Store& store) {
  if (auto why = ice::BucketNameProblem(a.name)) {
    return core::Error::InvalidParameter("BucketName", "\"" + core::Excerpt(a.name) + "\" " + *why);
  }
  if (a.endpoint.size() > 128 ||
      a.endpoint.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-:") !=
          std::string::npos) {
    return core::Error::InvalidParameter(
        "Endpoint", "a host name (lower case, at most 128 characters) or nothing.");
  }
  auto account = store.GetAccount(a.account);
  if (!account) return account.error();
  if (!account->has_value()) {
    return core::Error{"InvalidParam.AccountId", 404, "no account " + a.account, ""};
  }
  if (auto taken = store.GetBucket(a.name); !taken || taken->has_value()) {
    if (!taken) return taken.error();
    return BucketTaken(a.name);
  }
  auto dir = BucketDir(a, store);
  if (!dir) return dir.error();
  store::Bucket b{a.name, a.account, a.endpoint, *dir, core::NowMillis()};
  auto added = store.AddBucket(b);
  if (!added) return added.error();
  if (!*added) {
    return BucketTaken(a.name);
  }
  return BucketJson(b);
}

core::Result<Json> SignBucketLink(const AdminArgs& a, const auth::SecretBox& box,
                                  store::Store& store) {
  auto bucket = store.GetBucket(a.name);
  if (!bucket) return bucket.error();
  if (!bucket->has_value()) return core::Error{"NoSuchBucket", 404, "no bucket " + a.name, ""};
  if (!http::IsSafeName(a.object, http::NameRule::kObject)) {
    return core::Error::InvalidParameter("Object", "a relative path of real segments.");
  }
  if (a.ttl_s < 1 || a.ttl_s > 7 * 86400) {
    return core::Error::InvalidParameter("Ttl", "1 to 604800 seconds.");
  }
  ice::BucketLinks links(box.DeriveKey(ice::BucketLinks::kKeyPurpose), store);
  return Json{{"BucketName", a.name},
              {"Object", a.object},
              {"Path", links.Issue(a.name, a.object, a.ttl_s)},
              {"ExpireTime", core::FormatUtc(core::NowMillis() / 1000 + a.ttl_s)}};
}

}  // namespace

std::function<int()> AddAdminCommands(CLI::App& app) {
  auto args = std::make_shared<AdminArgs>();
  auto run = std::make_shared<std::function<int()>>();
  auto* admin = app.add_subcommand(
      "admin", "Manage accounts, RAM users, policies, AccessKeys, domains and buckets");
  admin->add_option("--data-dir", args->data_dir, "Data directory (master.key; SQLite store)")
      ->capture_default_str();
  admin->add_option("--store", args->store_url,
                    "postgres://USER@HOST:PORT/DB: the cluster's shared store (default: SQLite "
                    "in the data directory)");
  admin->require_subcommand(1);
  using Fn = std::function<core::Result<Json>(auth::Identity&)>;
  auto on_store = [args, run](CLI::App* cmd, Command fn) {
    cmd->callback([args, run, fn] { *run = [args, fn] { return RunAdmin(*args, fn); }; });
  };
  auto on = [on_store](CLI::App* cmd, Fn fn) {
    on_store(cmd, [fn](auth::Identity& id, store::Store&) { return fn(id); });
  };

  auto* account = admin->add_subcommand("account", "Accounts and ICE enablement");
  account->require_subcommand(1);
  on(account->add_subcommand("show-root", "Print the root account"),
     [](auth::Identity& id) -> core::Result<Json> {
       auto root = id.RootAccountId();
       if (!root) return root.error();
       return Json{{"AccountId", *root}};
     });
  auto* create = account->add_subcommand("create", "Create an account (ICE not enabled)");
  create->add_option("--name", args->name, "Account name")->required();
  on(create, [args](auth::Identity& id) -> core::Result<Json> {
    auto acc = id.CreateAccount(args->name, /*ice_enabled=*/false);
    if (!acc) return acc.error();
    return Json{{"AccountId", *acc}};
  });
  for (bool enable : {true, false}) {
    auto* cmd = account->add_subcommand(
        enable ? "enable-ice" : "disable-ice",
        enable ? "Enable ICE for an account" : "Disable ICE for an account");
    cmd->add_option("--account", args->account, "Account id")->required();
    on(cmd, [args, enable](auth::Identity& id) {
      return Done(id.SetIceEnabled(args->account, enable),
                  {{"AccountId", args->account}, {"IceEnabled", enable}});
    });
  }

  auto* user = admin->add_subcommand("user", "RAM users");
  user->require_subcommand(1);
  auto* user_create = user->add_subcommand("create", "Create a RAM user");
  user_create->add_option("--account", args->account, "Account id")->required();
  user_create->add_option("--name", args->name, "User name")->required();
  on(user_create, [args](auth::Identity& id) {
    return Done(id.CreateUser(args->account, args->name),
                {{"AccountId", args->account}, {"UserName", args->name}});
  });

  auto* policy = admin->add_subcommand("policy", "RAM policies");
  policy->require_subcommand(1);
  auto* attach = policy->add_subcommand("attach", "Attach a policy document to a RAM user");
  attach->add_option("--account", args->account, "Account id")->required();
  attach->add_option("--user", args->user, "User name")->required();
  attach->add_option("--document", args->document, "Policy document (JSON)")->required();
  on(attach, [args](auth::Identity& id) {
    return Done(id.AttachPolicy(args->account, args->user, args->document),
                {{"AccountId", args->account}, {"UserName", args->user}, {"Attached", true}});
  });

  auto* key = admin->add_subcommand("key", "AccessKeys");
  key->require_subcommand(1);
  auto* key_create =
      key->add_subcommand("create", "Create an AccessKey for an account's root or a RAM user");
  key_create->add_option("--account", args->account, "Account id")->required();
  auto* user_opt = key_create->add_option("--user", args->user, "RAM user name (omit for root)");
  on(key_create, [args, user_opt](auth::Identity& id) -> core::Result<Json> {
    auto k = id.CreateKey(
        args->account, user_opt->count() ? std::optional<std::string>(args->user) : std::nullopt);
    if (!k) return k.error();
    return Json{{"AccessKeyId", k->access_key_id}, {"AccessKeySecret", k->secret}};
  });
  auto* key_disable = key->add_subcommand("disable", "Disable an AccessKey");
  key_disable->add_option("--key", args->key, "AccessKeyId")->required();
  on(key_disable, [args](auth::Identity& id) {
    return Done(id.DisableKey(args->key), {{"AccessKeyId", args->key}, {"Status", "Inactive"}});
  });
  auto* key_delete = key->add_subcommand("delete", "Delete an AccessKey");
  key_delete->add_option("--key", args->key, "AccessKeyId")->required();
  on(key_delete, [args](auth::Identity& id) {
    return Done(id.DeleteKey(args->key), {{"AccessKeyId", args->key}, {"Deleted", true}});
  });

  auto* domain = admin->add_subcommand("domain", "LiveCenter domains, each owned by one account");
  domain->require_subcommand(1);
  auto* domain_add = domain->add_subcommand("add", "Give an account a LiveCenter domain");
  domain_add->add_option("--account", args->account, "Account id")->required();
  domain_add->add_option("--name", args->name, "DomainName")->required();
  domain_add->add_option("--push-base", args->push_base, "rtmp://HOST:PORT its jobs push to")
      ->required();
  on_store(domain_add,
           [args](auth::Identity&, store::Store& store) { return AddDomain(*args, store); });
  auto* domain_list = domain->add_subcommand("list", "List the domains (of one account)");
  auto* list_account = domain_list->add_option("--account", args->account, "Account id");
  on_store(domain_list,
           [args, list_account](auth::Identity&, store::Store& store) -> core::Result<Json> {
             auto all = store.ListDomains(
                 list_account->count() ? std::optional<std::string>(args->account) : std::nullopt);
             if (!all) return all.error();
             Json list = Json::array();
             for (const auto& d : *all) list.push_back(DomainJson(d));
             return Json{{"Domains", std::move(list)}};
           });
  auto* domain_delete = domain->add_subcommand("delete", "Delete a domain");
  domain_delete->add_option("--name", args->name, "DomainName")->required();
  on_store(domain_delete, [args](auth::Identity&, store::Store& store) -> core::Result<Json> {
    auto name = ice::LiveCenter::NormalizeDomain(args->name, "DomainName");
    if (!name) return name.error();
    auto gone = store.DeleteDomain(*name);
    if (!gone) return gone.error();
    if (!*gone) return core::Error{"InvalidParam.DomainName", 404, "no domain " + *name, ""};
    return Json{{"DomainName", *name}, {"Deleted", true}};
  });

  auto* bucket = admin->add_subcommand(
      "bucket", "Buckets: where an account's record and snapshot jobs write their files");
  bucket->require_subcommand(1);
  auto* bucket_add = bucket->add_subcommand("add", "Give an account a bucket");
  bucket_add->add_option("--account", args->account, "Account id")->required();
  bucket_add->add_option("--name", args->name, "BucketName (3-63 of a-z 0-9 -)")->required();
  bucket_add->add_option("--dir", args->dir,
                         "Its directory (default: DATA_DIR/buckets/NAME; in a cluster, shared "
                         "storage every node mounts)");
  bucket_add->add_option("--endpoint", args->endpoint,
                         "The Endpoint jobs name with it (default: any)");
  on_store(bucket_add,
           [args](auth::Identity&, store::Store& store) { return AddBucket(*args, store); });
  auto* bucket_list = bucket->add_subcommand("list", "List the buckets (of one account)");
  auto* bucket_account = bucket_list->add_option("--account", args->account, "Account id");
  on_store(bucket_list,
           [args, bucket_account](auth::Identity&, store::Store& store) -> core::Result<Json> {
             auto all = store.ListBuckets(bucket_account->count()
                                              ? std::optional<std::string>(args->account)
                                              : std::nullopt);
             if (!all) return all.error();
             Json list = Json::array();
             for (const auto& b : *all) list.push_back(BucketJson(b));
             return Json{{"Buckets", std::move(list)}};
           });
  auto* bucket_delete =
      bucket->add_subcommand("delete", "Delete a bucket (its directory and files stay)");
  bucket_delete->add_option("--name", args->name, "BucketName")->required();
  on_store(bucket_delete, [args](auth::Identity&, store::Store& store) -> core::Result<Json> {
    auto gone = store.DeleteBucket(args->name);
    if (!gone) return gone.error();
    if (!*gone) return core::Error{"NoSuchBucket", 404, "no bucket " + args->name, ""};
    return Json{{"BucketName", args->name}, {"Deleted", true}};
  });
  auto* bucket_sign =
      bucket->add_subcommand("sign", "A signed, expiring link to one file of a bucket");
  bucket_sign->add_option("--name", args->name, "BucketName")->required();
  bucket_sign->add_option("--object", args->object, "The file's object name")->required();
  bucket_sign->add_option("--ttl", args->ttl_s, "Seconds the link lasts")->capture_default_str();
  on_store(bucket_sign, [args](auth::Identity& id, store::Store& store) {
    return SignBucketLink(*args, id.box(), store);
  });

  return [run] { return *run ? (*run)() : 2; };
}

}  // namespace floe::cli
