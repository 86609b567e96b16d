#include "ice/family_template_actions.h"

#include <memory>

#include "core/strings.h"

namespace floe::ice {

using core::Result;

void AddFamilyTemplateActions(ActionTable& table, FamilyTemplateService& service,
                              FamilyTemplateActions family) {
  auto f = std::make_shared<const FamilyTemplateActions>(std::move(family));
  const std::string suffix = "Live" + f->family + "Template";

  table["Create" + suffix] = [&service, f](const ActionContext& ctx) -> Result<Json> {
    auto settings = f->settings(ctx.params);
    if (!settings) return settings.error();
    auto id = service.Create(ctx.principal, *ctx.params.Get(f->name_field), *settings);
    if (!id) return id.error();
    return Json{{"TemplateId", *id}};
  };

  table["Get" + suffix] = [&service, f](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    return f->get(ctx, service, *id);
  };

  table["List" + suffix + "s"] = [&service, f](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    auto paging = ParsePaging(p);
    if (!paging) return paging.error();
    auto type = p.OneOf("Type", {"custom", "system"});
    if (!type) return type.error();
    auto keyword = p.Get(f->keyword_field);
    if (keyword && core::Utf8Length(*keyword) > 128) {
      return core::Error::InvalidParameter(f->keyword_field, "at most 128 characters.");
    }
    auto ids = p.Repeated("TemplateIds", f->max_template_ids);
    if (!ids) return ids.error();
    FamilyTemplateListQuery q;
    q.keyword = keyword;
    if (!keyword || !f->ids_ignored_with_keyword) q.template_ids = *ids;
    q.ascending = paging->ascending;
    q.page_no = paging->page_no;
    q.page_size = paging->page_size;
    Json list = Json::array();
    int64_t total = 0;
    if (type->value_or("custom") == "custom") {  // Floe has no system templates of these families
      auto page = service.List(ctx.principal, q);
      if (!page) return page.error();
      total = page->total_count;
      for (const auto& rec : page->items) list.push_back(f->list_item(rec));
    }
    return Json{{"PageNo", paging->page_no},
                {"PageSize", paging->page_size},
                {"SortBy", paging->ascending ? "asc" : "desc"},
                {"TotalCount", total},
                {f->list_key, std::move(list)}};
  };

  table["Update" + suffix] = [&service, f](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    auto settings = f->settings(ctx.params);
    if (!settings) return settings.error();
    if (auto r = service.Update(ctx.principal, *id, *ctx.params.Get(f->name_field), *settings);
        !r) {
      return r.error();
    }
    return Json::object();
  };

  table["Delete" + suffix] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    if (auto r = service.Delete(ctx.principal, *id); !r) return r.error();
    return Json::object();
  };
}

}  // namespace floe::ice
