// PostgresStore: presence. A node that runs jobs keeps a session of its own in which it holds an
// advisory lock keyed by its holder ("Floe" << 32 | hashtext(holder)) for as long as it lives,
// and says so in its heartbeat (nodes.present). PostgreSQL ends the session the moment the node's
// process dies (its socket closes), and the lock with it. One node at a time, the watcher (it
// holds the watch lock in its own session), looks each tick for nodes marked present whose lock
// nobody holds; one gone for kPresenceGraceMs loses its leases (they expire now) and its node
// row, and every node is told to claim (NOTIFY floe_claims, which also follows each submitted
// job, every lease that runs out and every claim that leaves jobs to roomier nodes). A node
// whose own session breaks cuts its outputs at once (supervisor), before the watcher
// can hand its jobs on: a partition that closes the connection never leaves two publishers.
// A frozen node, or a partition that closes nothing, keeps its session: the lease is the bound.
#include <spdlog/spdlog.h>

#include <poll.h>

#include <algorithm>
#include <map>

#include "core/time.h"
#include "store/postgres/postgres_store.h"

namespace floe::store::postgres {

namespace {

constexpr int64_t kPresenceClass = 0x466c6f65;                  // "Floe"
constexpr int64_t kWatchKey = (int64_t{0x466c6f66} << 32) | 1;  // the watcher's lock
constexpr int64_t kWatchTryMs = 500;          // how often a node that is not the watcher asks to be
constexpr int64_t kForgetNodeMs = 3'600'000;  // a node silent this long leaves the list

}  // namespace

struct PostgresStore::PresenceSession {
  explicit PresenceSession(const std::string& url) : conn(url) {}
  Conn conn;
  bool held = false;
  bool watcher = false;
  int64_t next_watch_try_ms = 0;
  int64_t next_forget_ms = 0;
  int64_t lapsed_checked_ms = 0;  // watcher: database ms up to which lapsed leases were looked for
  std::map<std::string, int64_t> gone_since;  // watcher: holder -> steady ms first seen gone
};

Result<Presence> PostgresStore::TendPresence(const std::string& holder) {
  std::lock_guard lock(presence_mu_);
  Presence out;
  const bool had = presence_ && presence_->held;
  try {
    if (!presence_) {
      auto s = std::make_shared<PresenceSession>(url_);
      s->conn.Simple("LISTEN floe_claims");
      s->held = s->conn
                    .Exec(
                        "SELECT pg_try_advisory_lock(($1::bigint << 32) | "
                        "(hashtext($2)::bigint & 4294967295))",
                        Params().Add(kPresenceClass).Add(holder))
                    .Text(0, 0) == "t";
      // Another live holder with the same hash has the lock: this node runs on its leases.
      if (!s->held) spdlog::warn("event=presence_shared holder={}", holder);
      presence_ = std::move(s);
      out.claim_now = true;  // whatever was freed while it was away
    }
    PresenceSession& s = *presence_;
    if (!s.conn.Notifications().empty()) out.claim_now = true;
    const int64_t steady = core::SteadyMillis();
    if (!s.watcher && steady >= s.next_watch_try_ms) {
      s.next_watch_try_ms = steady + kWatchTryMs;
      s.watcher =
          s.conn.Exec("SELECT pg_try_advisory_lock($1)", Params().Add(kWatchKey)).Text(0, 0) == "t";
      if (s.watcher) spdlog::info("event=presence_watcher holder={}", holder);
    }
    bool ran_out = false;
    if (s.watcher) out.expired = Watch(s, ran_out, out.look_in_ms);
    out.claim_now = out.claim_now || out.expired > 0 || ran_out;
    out.held = s.held;
  } catch (const PgError& e) {
    presence_.reset();
    out.lost = had;
    if (had) {
      std::string why = e.what();
      spdlog::warn("event=presence_lost holder={} reason=\"{}\"", holder,
                   why.substr(0, why.find('\n')));
    }
  }
  return out;
}

// The watcher's round: nodes marked present whose presence lock nobody holds (their session
// ended), and of those the ones gone for the grace lose their leases and their node row. And
// leases that ran out since the last round (a paused node's, one cut off without its connection
// closing): every node is told to claim now instead of at its next claim (ran_out). The next
// look is asked for when the next lease runs out or a gone node's grace ends (look_in_ms), so
// that neither waits for a tick.
int PostgresStore::Watch(PresenceSession& s, bool& ran_out, int64_t& look_in_ms) {
  auto lapsed = s.conn.Exec(
      "SELECT t.now, EXISTS (SELECT 1 FROM jobs WHERE status = 1 AND lease_holder != '' AND "
      "lease_expires < t.now AND lease_expires >= $1), (SELECT MIN(lease_expires) FROM jobs "
      "WHERE status = 1 AND lease_holder != '' AND lease_expires >= t.now) FROM (SELECT "
      "(extract(epoch FROM statement_timestamp()) * 1000)::bigint AS now) AS t",
      Params().Add(s.lapsed_checked_ms));
  const int64_t db_now = lapsed.Int(0, 0);
  s.lapsed_checked_ms = db_now;
  ran_out = lapsed.Text(0, 1) == "t";
  if (ran_out) s.conn.Simple("NOTIFY floe_claims");
  auto sooner = [&](int64_t ms) { look_in_ms = look_in_ms < 0 ? ms : std::min(look_in_ms, ms); };
  // A lease is out once its expiry is in the past: look 1 ms after it.
  if (!lapsed.Null(0, 2)) sooner(lapsed.Int(0, 2) - db_now + 1);
  auto gone = s.conn.Exec(
      "SELECT n.holder FROM nodes n WHERE n.present = 1 AND NOT EXISTS (SELECT 1 FROM pg_locks l "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND "
      "l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
      "l.classid = $1::oid AND l.objid = oid(hashtext(n.holder)::bigint & 4294967295))",
      Params().Add(kPresenceClass));
  const int64_t steady = core::SteadyMillis();
  std::map<std::string, int64_t> still;
  int expired = 0;
  for (int i = 0; i < gone.size(); ++i) {
    const std::string h = gone.Text(i, 0);
    auto it = s.gone_since.find(h);
    const int64_t since = it == s.gone_since.end() ? steady : it->second;
    if (steady - since < kPresenceGraceMs) {
      still[h] = since;
      sooner(since + kPresenceGraceMs - steady);
      continue;
    }
    s.conn.Simple("BEGIN");
    try {
      auto freed = s.conn.Exec(
          "UPDATE jobs SET lease_expires = (extract(epoch FROM clock_timestamp()) * 1000)::bigint "
          "- 1 WHERE lease_holder = $1 AND status = 1 AND lease_expires >= "
          "(extract(epoch FROM clock_timestamp()) * 1000)::bigint RETURNING job_id",
          Params().Add(h));
      s.conn.Exec("DELETE FROM nodes WHERE holder = $1", Params().Add(h));
      s.conn.Simple("NOTIFY floe_claims");
      s.conn.Simple("COMMIT");
      expired += freed.size();
      spdlog::warn("event=presence_gone holder={} leases_expired={} gone_ms={}", h, freed.size(),
                   steady - since);
    } catch (const PgError&) {
      if (s.conn.ok()) s.conn.Simple("ROLLBACK");
      throw;
    }
  }
  s.gone_since = std::move(still);
  // Rows of nodes long gone (stopped cleanly they delete their own): once a minute, here.
  if (steady >= s.next_forget_ms) {
    s.next_forget_ms = steady + 60'000;
    s.conn.Exec(
        "DELETE FROM nodes WHERE heartbeat < (extract(epoch FROM clock_timestamp()) * 1000)::"
        "bigint - $1",
        Params().Add(kForgetNodeMs));
  }
  return expired;
}

// Identity changes (auth/identity_cache.h): every write of an AccessKey's state, an account's
// ICE switch or a policy NOTIFYs floe_identity in its transaction; a broken connection says
// "cannot tell" until it listens again.
void PostgresStore::WatchIdentity(std::function<void(bool watching)> changed) {
  Listen(identity_listener_, "floe_identity", std::move(changed));
}

// Claims (the supervisor): floe_claims follows each submitted job, every lease the watcher
// expires or sees run out, and every claim that leaves jobs to roomier nodes.
void PostgresStore::WatchClaims(std::function<void()> claim) {
  std::function<void(bool)> heard;
  if (claim) {
    heard = [claim = std::move(claim)](bool listening) {
      if (listening) claim();
    };
  }
  Listen(claims_listener_, "floe_claims", std::move(heard));
}

void PostgresStore::Listen(Listener& l, const std::string& channel,
                           std::function<void(bool)> heard) {
  if (l.thread.joinable()) {
    l.stop = true;
    l.thread.join();
  }
  if (!heard) return;
  l.stop = false;
  l.thread =
      std::thread([this, &l, channel, heard = std::move(heard)] { ListenLoop(l, channel, heard); });
}

void PostgresStore::ListenLoop(Listener& l, const std::string& channel,
                               const std::function<void(bool)>& heard) {
  std::unique_ptr<Conn> conn;
  while (!l.stop) {
    try {
      if (!conn) {
        conn = std::make_unique<Conn>(url_);
        conn->Simple("LISTEN " + channel);
        heard(true);  // listening: what was read before may have changed meanwhile
      }
      pollfd p{conn->socket(), POLLIN, 0};
      poll(&p, 1, 100);
      if (!conn->Notifications().empty()) heard(true);
    } catch (const PgError& e) {
      if (conn) {
        heard(false);
        spdlog::warn("event=listen_lost channel={} reason=\"{}\"", channel,
                     std::string(e.what()).substr(0, std::string(e.what()).find('\n')));
      }
      conn.reset();
      for (int i = 0; i < 5 && !l.stop; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
}

}  // namespace floe::store::postgres
