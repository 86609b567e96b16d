#include "http/message.h"

#include "core/strings.h"

namespace floe::http {

std::string Request::Path() const {
  return target.substr(0, target.find('?'));
}

std::string Request::RawQuery() const {
  auto q = target.find('?');
  return q == std::string::npos ? std::string() : target.substr(q + 1);
}

const std::string& Request::Header(const std::string& name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return kEmpty;
}

bool Request::HasHeader(const std::string& name) const {
  for (const auto& h : headers) {
    if (h.first == name) return true;
  }
  return false;
}

bool ParseQuery(const std::string& q, std::vector<std::pair<std::string, std::string>>& out) {
  size_t pos = 0;
  while (pos <= q.size()) {
    size_t amp = q.find('&', pos);
    if (amp == std::string::npos) amp = q.size();
    std::string part = q.substr(pos, amp - pos);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string k, v;
      if (!core::PercentDecode(part.substr(0, eq), k)) return false;
      if (eq != std::string::npos && !core::PercentDecode(part.substr(eq + 1), v)) return false;
      out.emplace_back(std::move(k), std::move(v));
    }
    pos = amp + 1;
  }
  return true;
}

Response PlainText(int status, const std::string& text) {
  Response r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = text + "\n";
  return r;
}

}  // namespace floe::http
