#include "store/store_url.h"

#include <cctype>
#include <vector>

namespace floe::store {

namespace {

constexpr std::string_view kMask = "****";

// Where a URL or a key=value token ends in a message (libpq quotes with "…").
bool EndsToken(char c) {
  return std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '`' ||
         c == '<' || c == '>';
}

// Where a key of a query string or a connection string may begin.
bool StartsKey(std::string_view text, size_t i) {
  if (i == 0) return true;
  char p = text[i - 1];
  return p == '?' || p == '&' || p == ';' || p == '(' || p == ',' || EndsToken(p);
}

bool IsKeyChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '%';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// %XX decoded; a malformed escape is kept as it is.
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool IsPasswordKey(std::string_view key) {
  std::string k = PercentDecode(key);
  for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k == "password";
}

void Remember(std::vector<std::string>* secrets, std::string_view value) {
  if (!secrets || value.empty()) return;
  secrets->emplace_back(value);
  if (auto decoded = PercentDecode(value); decoded != value) secrets->push_back(decoded);
}

// Masks `text`; the values masked go to `secrets` when it is given.
std::string Mask(std::string_view text, std::vector<std::string>* secrets) {
  std::string out;
  out.reserve(text.size());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    if (text.compare(i, 3, "://") == 0) {
      // USER:PASSWORD@ ends at the last '@' before the query: a password may hold '@' or '/'.
      size_t start = i + 3, stop = start;
      while (stop < n && !EndsToken(text[stop]) && text[stop] != '?' && text[stop] != '#') ++stop;
      size_t at = std::string_view::npos;
      for (size_t k = start; k < stop; ++k) {
        if (text[k] == '@') at = k;
      }
      size_t colon = at == std::string_view::npos ? at : text.substr(start, at - start).find(':');
      out += "://";
      if (colon != std::string_view::npos) {
        colon += start;
        out += text.substr(start, colon + 1 - start);
        out += kMask;
        Remember(secrets, text.substr(colon + 1, at - colon - 1));
        i = at;
      } else {
        i = start;
      }
      continue;
    }
    if (StartsKey(text, i) && IsKeyChar(text[i])) {
      size_t k = i;
      while (k < n && IsKeyChar(text[k])) ++k;
      size_t eq = k;
      while (eq < n && text[eq] == ' ') ++eq;
      if (IsPasswordKey(text.substr(i, k - i)) && eq < n && text[eq] == '=') {
        size_t v = eq + 1;
        while (v < n && text[v] == ' ') ++v;
        out += text.substr(i, v - i);
        size_t end = v;
        if (v < n && text[v] == '\'') {  // a connection string's quoted value, \-escapes inside
          std::string value;
          for (end = v + 1; end < n && text[end] != '\''; ++end) {
            if (text[end] == '\\' && end + 1 < n) ++end;
            value.push_back(text[end]);
          }
          if (end < n) ++end;
          Remember(secrets, value);
          out += "'";
          out += kMask;
          out += "'";
        } else {
          while (end < n && !EndsToken(text[end]) && text[end] != '&' && text[end] != '#') ++end;
          Remember(secrets, text.substr(v, end - v));
          out += kMask;
        }
        i = end;
        continue;
      }
      // Another key (or a word): copied whole, so that a key's tail is never taken for a key.
      out += text.substr(i, k - i);
      i = k;
      continue;
    }
    out.push_back(text[i++]);
  }
  return out;
}

}  // namespace

std::string MaskStoreUrl(std::string_view text) {
  return Mask(text, nullptr);
}

std::string MaskStoreMessage(std::string_view message, std::string_view url) {
  std::vector<std::string> secrets;
  Mask(url, &secrets);
  std::string masked = Mask(message, nullptr);
  for (const auto& s : secrets) {
    if (masked.find(s) != std::string::npos) {
      return "libpq's reason is not shown: it quotes part of the password";
    }
  }
  return masked;
}

}  // namespace floe::store
