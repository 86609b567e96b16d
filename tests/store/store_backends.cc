#include "store/store_backends.h"

#include <glob.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace floe::store {

namespace {

// The newest /usr/lib/postgresql/N/bin (Debian's layout).
std::string PgBin() {
  glob_t g{};
  std::string best;
  if (glob("/usr/lib/postgresql/*/bin/postgres", 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) {
      std::string p = g.gl_pathv[i];
      if (best.empty() || p > best) best = p;
    }
  }
  globfree(&g);
  if (best.empty()) {
    throw std::runtime_error("PostgreSQL is not installed (scripts/install-deps.sh installs it)");
  }
  return std::filesystem::path(best).parent_path().string();
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// Runs argv as the postgres user when this is root; returns its pid. With `die_with_us`, it
// gets SIGQUIT (immediate shutdown) when this process ends.
pid_t Spawn(const std::vector<std::string>& args, bool die_with_us) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const passwd* pw = geteuid() == 0 ? getpwnam("postgres") : nullptr;
  if (geteuid() == 0 && !pw) throw std::runtime_error("no postgres user to run PostgreSQL as");
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    if (pw && (setgroups(0, nullptr) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)) {
      _exit(126);
    }
    if (die_with_us) {
      prctl(PR_SET_PDEATHSIG, SIGQUIT);  // after setuid, which clears it
      if (getppid() != parent) _exit(0);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

void Run(const std::vector<std::string>& args) {
  int status = 0;
  waitpid(Spawn(args, false), &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(args[0] + " failed");
  }
}

std::string Admin(int port) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=postgres";
}

void Exec(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string why = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error(sql + ": " + why);
}

}  // namespace

PgServer& PgServer::Get() {
  static PgServer server;
  return server;
}

PgServer::PgServer() {
  // Under ctest, one server for the whole run (tests/store/pg-fixture.sh): its port is in
  // $FLOE_TEST_PG_DIR/port.
  if (const char* shared = std::getenv("FLOE_TEST_PG_DIR")) {
    std::ifstream in(std::string(shared) + "/port");
    if (in >> port_) return;
  }
  std::string bin = PgBin();
  std::string tmpl = (std::filesystem::temp_directory_path() / "floe-pg-XXXXXX").string();
  dir_ = mkdtemp(tmpl.data());
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("postgres");
    if (!pw || chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot give " + dir_ + " to the postgres user");
    }
  }
  std::string data = dir_ + "/data";
  Run({bin + "/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
       "--no-sync", "--no-instructions"});
  port_ = FreePort();
  // fsync off: these tests check the store's logic, not the disk (the durability tests do).
  pid_ = Spawn({bin + "/postgres", "-D", data, "-p", std::to_string(port_), "-k", dir_, "-c",
                "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=200"},
               true);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (PQping(Admin(port_).c_str()) != PQPING_OK) {
    if (std::chrono::steady_clock::now() > deadline || waitpid(pid_, nullptr, WNOHANG) != 0) {
      throw std::runtime_error("PostgreSQL did not start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

PgServer::~PgServer() {
  if (dir_.empty()) return;  // the shared one: pg-fixture.sh stops it
  if (pid_ > 0) {
    kill(pid_, SIGINT);  // fast shutdown
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PgServer::NewDatabase() {
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++next_db_);
  Exec(Admin(port_), "CREATE DATABASE " + name);
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

void PgServer::TerminateSessions(const std::string& url) {
  std::string db = url.substr(url.rfind('/') + 1);
  PGconn* c = PQconnectdb(Admin(port_).c_str());
  const char* values[] = {db.c_str()};
  auto count = [&](const char* sql) {
    PGresult* r = PQexecParams(c, sql, 1, nullptr, values, nullptr, nullptr, 0);
    int n = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) ? PQntuples(r) : 0;
    std::string first = n ? PQgetvalue(r, 0, 0) : "0";
    PQclear(r);
    return first;
  };
  count("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1");
  // pg_terminate_backend only signals: wait until the sessions are gone.
  for (int i = 0; i < 500; ++i) {
    if (count("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1") == "0") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  PQfinish(c);
}

BackendStore::BackendStore(Backend backend) : backend_(backend) {
  if (backend_ == Backend::kPostgres) url_ = PgServer::Get().NewDatabase();
  store_ = Open();
}

std::unique_ptr<Store> BackendStore::Open() {
  if (backend_ == Backend::kSqlite)
    return std::make_unique<sqlite::SqliteStore>(dir_.File("floe.db"));
  return std::make_unique<postgres::PostgresStore>(url_);
}

void BackendStore::Reopen() {
  store_.reset();
  store_ = Open();
}

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace floe::store
