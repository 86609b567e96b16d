// What the SqliteStore's files share: one page of a list (and store/like.h's LikePattern).
#pragma once

#include <functional>
#include <string>

#include "store/like.h"
#include "store/sqlite/db.h"

namespace floe::store::sqlite {

// One page of a list, newest first unless asked otherwise (by `order_by`, then insertion), and
// the count of all matches. `bind` binds the WHERE clause's parameters ?1..?19; ?20 and ?21
// are LIMIT and OFFSET.
template <class Page, class Query, class FromRow>
Page ListPage(Db& db, const char* columns, const std::string& where, const Query& q,
              const std::function<void(Stmt&)>& bind, FromRow from_row,
              const std::string& order_by = "create_time") {
  Page page;
  {
    auto s = db.Prepare("SELECT COUNT(*)" + where);
    bind(s);
    s.Step();
    page.total_count = s.Int(0);
  }
  std::string order = q.ascending ? " ORDER BY " + order_by + " ASC, rowid ASC"
                                  : " ORDER BY " + order_by + " DESC, rowid DESC";
  auto s = db.Prepare(std::string("SELECT ") + columns + where + order + " LIMIT ?20 OFFSET ?21");
  bind(s);
  s.Bind(20, int64_t{q.page_size}).Bind(21, int64_t{q.page_no - 1} * q.page_size);
  while (s.Step()) page.items.push_back(from_row(s));
  return page;
}

}  // namespace floe::store::sqlite
