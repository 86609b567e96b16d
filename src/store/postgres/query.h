// What the PostgresStore's files share: one page of a list (and store/like.h's LikePattern,
// used with ILIKE: case-insensitive, as SQLite's LIKE is for ASCII).
#pragma once

#include <string>

#include "store/like.h"
#include "store/postgres/pg.h"

namespace floe::store::postgres {

// One page of a list, newest first unless asked otherwise (by `order_by`, ties in insertion
// order), and the count of all matches. `where` uses $1..$n, the n values of `params`; LIMIT
// and OFFSET follow.
template <class Page, class Query, class RowAt>
Page ListPage(Conn& c, const char* columns, const std::string& where, const Query& q, Params params,
              RowAt row_at, const std::string& order_by = "create_time") {
  Page page;
  page.total_count = c.Exec("SELECT COUNT(*)" + where, params).Int(0, 0);
  std::string order = q.ascending ? " ORDER BY " + order_by + " ASC, seq ASC"
                                  : " ORDER BY " + order_by + " DESC, seq DESC";
  // LIMIT and OFFSET follow the WHERE clause's parameters.
  const size_t n = params.values().size();
  params.Add(int64_t{q.page_size}).Add(int64_t{q.page_no - 1} * q.page_size);
  auto r = c.Exec(std::string("SELECT ") + columns + where + order + " LIMIT $" +
                      std::to_string(n + 1) + " OFFSET $" + std::to_string(n + 2),
                  params);
  for (int i = 0; i < r.size(); ++i) page.items.push_back(row_at(r, i));
  return page;
}

}  // namespace floe::store::postgres
