#include "ice/templates.h"

#include "core/time.h"

namespace floe::ice {

using core::Result;

Json TemplateContent(const store::TemplateRecord& rec) {
  Json content;
  content["TemplateId"] = rec.template_id;
  content["Name"] = rec.name;
  content["Type"] = rec.type;
  content["Category"] = rec.category;
  content["CreateTime"] = core::FormatUtc(rec.create_time_ms / 1000);
  content["TemplateConfig"] = Json::parse(rec.config_json);
  return content;
}

void AddTemplateActions(ActionTable& table, TemplateService& service) {
  table["CreateLiveTranscodeTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto type = ctx.params.Required("Type");
    if (!type) return type.error();
    auto name = ctx.params.Required("Name");
    if (!name) return name.error();
    auto id = service.Create(ctx.principal, {*name, *type, ctx.params.Get("TemplateConfig")});
    if (!id) return id.error();
    return Json{{"TemplateId", *id}};
  };

  table["GetLiveTranscodeTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    auto rec = service.Get(ctx.principal, *id);
    if (!rec) return rec.error();
    return Json{{"TemplateContent", TemplateContent(*rec)}};
  };

  table["ListLiveTranscodeTemplates"] = [&service](const ActionContext& ctx) -> Result<Json> {
    const auto& p = ctx.params;
    store::TemplateQuery q;
    auto type = p.OneOf("Type", {"normal", "narrow-band", "audio-only", "origin"});
    if (!type) return type.error();
    auto codec = p.OneOf("VideoCodec", {"H.264", "H.265", "264", "265"});
    if (!codec) return codec.error();
    if (*codec && (*codec)->size() == 3) *codec = "H." + **codec;  // the cloud's own spelling
    auto category = p.OneOf("Category", {"system", "customized"});
    if (!category) return category.error();
    auto paging = ParsePaging(p);
    if (!paging) return paging.error();
    q.type = *type;
    q.video_codec = *codec;
    q.category = *category;
    q.keyword = p.Get("KeyWord");
    q.ascending = paging->ascending;
    q.page_no = paging->page_no;
    q.page_size = paging->page_size;
    auto page = service.List(ctx.principal, q);
    if (!page) return page.error();
    Json list = Json::array();
    for (const auto& rec : page->items) list.push_back(TemplateContent(rec));
    return Json{{"TotalCount", page->total_count}, {"TemplateContentList", std::move(list)}};
  };

  table["UpdateLiveTranscodeTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    auto r = service.Update(ctx.principal, *id,
                            {ctx.params.Get("Name"), ctx.params.Get("TemplateConfig")});
    if (!r) return r.error();
    return Json::object();
  };

  table["DeleteLiveTranscodeTemplate"] = [&service](const ActionContext& ctx) -> Result<Json> {
    auto id = ctx.params.Required("TemplateId");
    if (!id) return id.error();
    auto r = service.Delete(ctx.principal, *id);
    if (!r) return r.error();
    return Json::object();
  };
}

}  // namespace floe::ice
