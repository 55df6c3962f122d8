#include "orchestra/schema/uri.h"

#include <optional>

namespace orchestra::schema {
namespace {

struct UriParts {
  std::optional<std::string> scheme;
  std::optional<std::string> authority;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

UriParts Parse(std::string_view uri) {
  UriParts parts;
  const size_t hash = uri.find('#');
  if (hash != std::string_view::npos) {
    parts.fragment = std::string(uri.substr(hash + 1));
    uri = uri.substr(0, hash);
  }
  const size_t question = uri.find('?');
  if (question != std::string_view::npos) {
    parts.query = std::string(uri.substr(question + 1));
    uri = uri.substr(0, question);
  }
  const size_t colon = uri.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    bool scheme = true;
    for (size_t i = 0; i < colon; ++i) {
      const char c = uri[i];
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      const bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
      if (!(alpha || (i > 0 && other))) scheme = false;
    }
    if (scheme) {
      parts.scheme = std::string(uri.substr(0, colon));
      uri = uri.substr(colon + 1);
    }
  }
  if (uri.starts_with("//")) {
    uri.remove_prefix(2);
    const size_t slash = uri.find('/');
    parts.authority = std::string(uri.substr(0, slash));
    uri = slash == std::string_view::npos ? std::string_view() : uri.substr(slash);
  }
  parts.path = std::string(uri);
  return parts;
}

std::string RemoveDotSegments(std::string_view in) {
  std::string input(in);
  std::string output;
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.erase(0, 3);
    } else if (input.starts_with("./")) {
      input.erase(0, 2);
    } else if (input.starts_with("/./")) {
      input.erase(0, 2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../") || input == "/..") {
      input = input == "/.." ? "/" : input.substr(3);
      const size_t last = output.rfind('/');
      output.erase(last == std::string::npos ? 0 : last);
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      const size_t next = input.find('/', input[0] == '/' ? 1 : 0);
      output += input.substr(0, next);
      input = next == std::string::npos ? "" : input.substr(next);
    }
  }
  return output;
}

std::string Recompose(const UriParts& p) {
  std::string out;
  if (p.scheme) out += *p.scheme + ":";
  if (p.authority) out += "//" + *p.authority;
  out += p.path;
  if (p.query) out += "?" + *p.query;
  if (p.fragment) out += "#" + *p.fragment;
  return out;
}

}  // namespace

std::string ResolveUri(std::string_view base_text, std::string_view reference) {
  const UriParts r = Parse(reference);
  const UriParts base = Parse(base_text);
  UriParts t;
  if (r.scheme) {
    t = r;
    t.path = RemoveDotSegments(r.path);
  } else {
    if (r.authority) {
      t.authority = r.authority;
      t.path = RemoveDotSegments(r.path);
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        t.path = base.path;
        t.query = r.query ? r.query : base.query;
      } else {
        if (r.path[0] == '/') {
          t.path = RemoveDotSegments(r.path);
        } else {
          std::string merged;
          if (base.authority && base.path.empty()) {
            merged = "/" + r.path;
          } else {
            const size_t slash = base.path.rfind('/');
            merged = slash == std::string::npos ? r.path : base.path.substr(0, slash + 1) + r.path;
          }
          t.path = base.scheme && !base.authority && base.path.find('/') == std::string::npos
                       ? merged
                       : RemoveDotSegments(merged);
        }
        t.query = r.query;
      }
      t.authority = base.authority;
    }
    t.scheme = base.scheme;
  }
  t.fragment = r.fragment;
  return Recompose(t);
}

std::pair<std::string, std::string> SplitFragment(std::string_view uri) {
  const size_t hash = uri.find('#');
  if (hash == std::string_view::npos) return {std::string(uri), ""};
  return {std::string(uri.substr(0, hash)), std::string(uri.substr(hash + 1))};
}

}  // namespace orchestra::schema
