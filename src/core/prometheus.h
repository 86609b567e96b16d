// Prometheus' text exposition format (0.0.4), written by hand: Debian 12 packages no C++ client
// library, and the format is a few rules (one HELP and TYPE per family, its samples together,
// label values escaped). Families are kept in the order they are first named, so callers may
// write job by job.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace floe::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

class PromText {
 public:
  // A sample of family `name`; the family is declared with `type` and `help` when first named.
  void Add(const std::string& name, MetricType type, std::string_view help, const Labels& labels,
           double value);
  // A histogram's _bucket (cumulative counts per upper bound, then +Inf), _sum and _count.
  void AddHistogram(const std::string& name, std::string_view help, const Labels& labels,
                    const std::vector<double>& bounds, const std::vector<double>& cumulative,
                    double sum, double count);
  std::string Text() const;

 private:
  struct Family {
    std::string header;
    std::string samples;
  };
  Family& Of(const std::string& name, MetricType type, std::string_view help);
  std::vector<std::string> order_;
  std::map<std::string, Family> families_;
};

// \, " and newline escaped, as label values need.
std::string EscapeLabelValue(std::string_view v);

// A histogram that many threads observe: fixed bounds, counts kept per bucket.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);
  void Write(PromText& out, const std::string& name, std::string_view help,
             const Labels& labels) const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<double> counts_;  // per bucket, the last above every bound
  double sum_ = 0;
};

}  // namespace floe::core
