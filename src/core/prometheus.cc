#include "core/prometheus.h"

#include <cmath>
#include <cstdio>

namespace floe::core {

namespace {

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

std::string LabelText(const Labels& labels) {
  if (labels.empty()) return "";
  std::string s = "{";
  for (const auto& [k, v] : labels) {
    if (s.size() > 1) s += ',';
    s += k + "=\"" + EscapeLabelValue(v) + "\"";
  }
  return s + "}";
}

std::string_view TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

PromText::Family& PromText::Of(const std::string& name, MetricType type, std::string_view help) {
  auto it = families_.find(name);
  if (it != families_.end()) return it->second;
  order_.push_back(name);
  Family& f = families_[name];
  f.header = "# HELP " + name + " " + std::string(help) + "\n# TYPE " + name + " " +
             std::string(TypeName(type)) + "\n";
  return f;
}

void PromText::Add(const std::string& name, MetricType type, std::string_view help,
                   const Labels& labels, double value) {
  Of(name, type, help).samples += name + LabelText(labels) + " " + Number(value) + "\n";
}

void PromText::AddHistogram(const std::string& name, std::string_view help, const Labels& labels,
                            const std::vector<double>& bounds,
                            const std::vector<double>& cumulative, double sum, double count) {
  Family& f = Of(name, MetricType::kHistogram, help);
  for (size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
    Labels with = labels;
    with.emplace_back("le", Number(bounds[i]));
    f.samples += name + "_bucket" + LabelText(with) + " " + Number(cumulative[i]) + "\n";
  }
  Labels inf = labels;
  inf.emplace_back("le", "+Inf");
  f.samples += name + "_bucket" + LabelText(inf) + " " + Number(count) + "\n";
  f.samples += name + "_sum" + LabelText(labels) + " " + Number(sum) + "\n";
  f.samples += name + "_count" + LabelText(labels) + " " + Number(count) + "\n";
}

std::string PromText::Text() const {
  std::string out;
  for (const auto& name : order_) {
    const Family& f = families_.at(name);
    out += f.header + f.samples;
  }
  return out;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  std::lock_guard lock(mu_);
  counts_[i] += 1;
  sum_ += value;
}

void Histogram::Write(PromText& out, const std::string& name, std::string_view help,
                      const Labels& labels) const {
  std::vector<double> cumulative;
  double total = 0, sum = 0;
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < bounds_.size(); ++i) {
      total += counts_[i];
      cumulative.push_back(total);
    }
    total += counts_.back();
    sum = sum_;
  }
  out.AddHistogram(name, help, labels, bounds_, cumulative, sum, total);
}

}  // namespace floe::core
