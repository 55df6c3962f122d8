#include "orchestra/sim/debian_packages.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr size_t kSnippetChars = 300;
constexpr size_t kMaxPackageListBytes = size_t{1} << 30;
constexpr std::string_view kTopic = "debian_packages";

enum Field : int { kPackage, kVersion, kSection, kHomepage, kDescription, kOther };
constexpr std::array<std::string_view, 5> kFieldNames = {"package", "version", "section",
                                                         "homepage", "description"};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char c = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

Field FieldOf(std::string_view name) {
  for (size_t i = 0; i < kFieldNames.size(); ++i) {
    if (EqualsIgnoringCase(name, kFieldNames[i])) return static_cast<Field>(i);
  }
  return kOther;
}

// deb822 field names: printable ASCII without blanks or ':', not starting with '-' or '#'.
bool IsFieldName(std::string_view name) {
  if (name.empty() || name[0] == '-' || name[0] == '#') return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return c > ' ' && c < 127; });
}

// Length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
  }
  return length;
}

// `text` made safe to index and to store as JSON: invalid UTF-8 becomes U+FFFD, control
// characters other than '\n' are dropped ('\t' becomes a space).
std::string CleanText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const size_t length = Utf8SequenceLength(text);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      text.remove_prefix(1);
      continue;
    }
    const char c = text[0];
    if (length > 1 || c >= ' ' || c == '\n') {
      out.append(text.substr(0, length));
    } else if (c == '\t') {
      out += ' ';
    }
    text.remove_prefix(length);
  }
  return out;
}

// The long description from its continuation lines (each still starting with its blank).
std::string FormatLongDescription(const std::vector<std::string_view>& lines) {
  std::string out;
  bool paragraph_open = false;  // the last line appended may be continued by the next
  bool paragraph_break = false;
  const auto start_line = [&] {
    if (!out.empty()) out += paragraph_break ? "\n\n" : "\n";
    paragraph_break = false;
  };
  for (std::string_view line : lines) {
    const std::string_view body = line.substr(1);
    if (Trim(body) == ".") {
      paragraph_open = false;
      paragraph_break = !out.empty();
    } else if (!body.empty() && IsBlank(body[0])) {
      start_line();
      std::string_view verbatim = body;
      while (!verbatim.empty() && IsBlank(verbatim.back())) verbatim.remove_suffix(1);
      out.append(verbatim);
      paragraph_open = false;
    } else if (const std::string_view words = Trim(body); !words.empty()) {
      if (paragraph_open) {
        out += ' ';
      } else {
        start_line();
      }
      out.append(words);
      paragraph_open = true;
    }
  }
  return out;
}

// Accumulates the lines of one paragraph and turns them into a package.
class RecordReader {
 public:
  void Line(std::string_view line) {
    ++lines_;
    if (broken_) return;
    if (IsBlank(line[0])) {
      Continuation(line);
    } else {
      StartField(line);
    }
  }

  // Appends the package of the paragraph read so far to `out` (unless it is broken) and
  // starts a new paragraph.
  void Finish(std::vector<DebianPackage>* out, DebianPackageStats* stats) {
    if (lines_ > 0) {
      ++stats->records;
      if (broken_ || package_.name.empty() ||
          std::any_of(package_.name.begin(), package_.name.end(), IsBlank)) {
        ++stats->malformed;
      } else {
        package_.long_description = CleanText(FormatLongDescription(description_lines_));
        out->push_back(std::move(package_));
      }
    }
    *this = RecordReader();
  }

 private:
  void StartField(std::string_view line) {
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsFieldName(line.substr(0, colon))) {
      broken_ = true;
      return;
    }
    field_ = FieldOf(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    field_bytes_ = value.size();
    in_field_ = true;
    if (field_ == kOther) return;
    if (seen_[field_] || field_bytes_ > kMaxDebianFieldBytes) {
      broken_ = true;
      return;
    }
    seen_[field_] = true;
    std::string* targets[] = {&package_.name, &package_.version, &package_.section,
                              &package_.homepage, &package_.synopsis};
    *targets[field_] = CleanText(value);
  }

  void Continuation(std::string_view line) {
    if (!in_field_) {
      broken_ = true;
      return;
    }
    if (field_ == kOther) return;
    field_bytes_ += line.size();
    // The simple fields read here are one line; only Description continues.
    if (field_ != kDescription || field_bytes_ > kMaxDebianFieldBytes) {
      broken_ = true;
      return;
    }
    description_lines_.push_back(line);
  }

  DebianPackage package_;
  std::vector<std::string_view> description_lines_;
  std::array<bool, kFieldNames.size()> seen_{};
  Field field_ = kOther;
  size_t field_bytes_ = 0;
  size_t lines_ = 0;
  bool in_field_ = false;
  bool broken_ = false;
};

bool StartsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && EqualsIgnoringCase(text.substr(0, prefix.size()), prefix);
}

bool IsWebUrl(std::string_view url) {
  if (!StartsWithIgnoringCase(url, "http://") && !StartsWithIgnoringCase(url, "https://")) {
    return false;
  }
  const auto is_space_or_control = [](char c) { return static_cast<unsigned char>(c) <= ' '; };
  if (std::any_of(url.begin(), url.end(), is_space_or_control)) return false;
  const std::string normalized = NormalizeUrl(url);
  return !normalized.empty() && normalized[0] != '/';
}

// `text` cut to at most `budget` bytes at a word boundary (or, failing one, at a UTF-8
// character boundary), with "..." appended when cut.
std::string CutAtWord(std::string_view text, size_t budget) {
  if (text.size() <= budget) return std::string(text);
  size_t cut = text.rfind(' ', budget);
  if (cut == std::string_view::npos || cut == 0) {
    cut = budget;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out(Trim(text.substr(0, cut)));
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':')) {
    out.pop_back();
  }
  return out + "...";
}

std::string Snippet(const DebianPackage& package) {
  std::string snippet = package.synopsis;
  if (package.long_description.empty()) return snippet;
  if (!snippet.empty()) {
    const char last = snippet.back();
    snippet += (last == '.' || last == '!' || last == '?') ? " " : ". ";
  }
  if (snippet.size() + 3 >= kSnippetChars) return snippet;
  std::string flat;  // the long description on one line, runs of blanks collapsed
  for (char c : package.long_description) {
    if (c == '\n') c = ' ';
    if (c == ' ' && (flat.empty() || flat.back() == ' ')) continue;
    flat += c;
  }
  return snippet + CutAtWord(flat, kSnippetChars - snippet.size() - 3);
}

bool IsExecutableFile(const std::string& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// Whether the shell would find `program` (a name looked up on PATH, or a path).
bool CanRun(const std::string& program) {
  if (program.find('/') != std::string::npos) return IsExecutableFile(program);
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  while (true) {
    const size_t colon = dirs.find(':');
    std::string dir(dirs.substr(0, colon));
    if (dir.empty()) dir = ".";
    if (IsExecutableFile(dir + "/" + program)) return true;
    if (colon == std::string_view::npos) return false;
    dirs.remove_prefix(colon + 1);
  }
}

std::string FileStampEntry(const std::filesystem::path& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return path.string() + " unreadable";
  return fmt::format("{} {} {}.{:09}", path.string(), info.st_size, info.st_mtim.tv_sec,
                     info.st_mtim.tv_nsec);
}

}  // namespace

DebianPackageList ReadDebianPackageList(const std::string& command) {
  DebianPackageList list;
  const std::string_view trimmed = Trim(command);
  if (trimmed.empty()) {
    list.why_not = "no Debian package command configured";
    return list;
  }
  const std::string program(trimmed.substr(0, trimmed.find_first_of(" \t")));
  if (!CanRun(program)) {
    list.why_not = fmt::format("{} not found", program);
    return list;
  }
  FILE* pipe = ::popen(command.c_str(), "re");
  if (pipe == nullptr) {
    list.why_not = fmt::format("cannot run `{}`: {}", command, std::strerror(errno));
    return list;
  }
  std::vector<char> buffer(size_t{1} << 16);
  bool too_long = false;
  size_t read;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    if (list.bytes.size() + read > kMaxPackageListBytes) {
      too_long = true;
      break;
    }
    list.bytes.append(buffer.data(), read);
  }
  const int status = ::pclose(pipe);
  if (too_long) {
    list.why_not = fmt::format("`{}` printed more than {} bytes", command, kMaxPackageListBytes);
  } else if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    list.why_not =
        fmt::format("`{}` failed ({})", command,
                    status == -1          ? std::string(std::strerror(errno))
                    : WIFEXITED(status)   ? fmt::format("exit status {}", WEXITSTATUS(status))
                    : WIFSIGNALED(status) ? fmt::format("signal {}", WTERMSIG(status))
                                          : fmt::format("wait status {}", status));
  } else {
    list.available = true;
  }
  if (!list.available) list.bytes.clear();
  return list;
}

std::string DebianPackageSourcesStamp(const std::vector<std::filesystem::path>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> entries;
  for (const fs::path& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) continue;
    if (!fs::is_directory(status)) {
      entries.push_back(FileStampEntry(path));
      continue;
    }
    for (fs::recursive_directory_iterator
             it(path, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      std::error_code type_error;
      if (it->is_regular_file(type_error)) entries.push_back(FileStampEntry(it->path()));
    }
  }
  std::sort(entries.begin(), entries.end());
  std::string stamp;
  for (const std::string& entry : entries) stamp += entry + "\n";
  return stamp;
}

std::vector<DebianPackage> ParseDebianPackages(std::string_view text, DebianPackageStats* stats) {
  DebianPackageStats ignored;
  if (stats == nullptr) stats = &ignored;
  std::vector<DebianPackage> packages;
  RecordReader record;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) {
      record.Finish(&packages, stats);
    } else if (line[0] != '#') {
      record.Line(line);
    }
  }
  record.Finish(&packages, stats);
  return packages;
}

std::vector<Document> DebianPackageDocuments(const std::vector<DebianPackage>& packages,
                                             std::string_view source,
                                             std::unordered_set<std::string>* taken_urls,
                                             DebianPackageStats* stats) {
  DebianPackageStats ignored;
  if (stats == nullptr) stats = &ignored;
  std::vector<Document> documents;
  for (const DebianPackage& package : packages) {
    if (!IsWebUrl(package.homepage)) {
      ++stats->without_homepage;
      continue;
    }
    if (!taken_urls->insert(NormalizeUrl(package.homepage)).second) {
      ++stats->duplicate_homepage;
      continue;
    }
    Document doc;
    doc.url = package.homepage;
    doc.title = package.synopsis.empty() ? package.name : package.name + ": " + package.synopsis;
    doc.kind = "homepage";
    doc.snippet = Snippet(package);
    doc.text = package.long_description;
    doc.fields["name"] = package.name;
    for (auto [key, value] : {std::pair{"description", &package.synopsis},
                              {"section", &package.section},
                              {"version", &package.version}}) {
      if (!value->empty()) doc.fields[key] = *value;
    }
    doc.topic = kTopic;
    doc.source = source;
    documents.push_back(std::move(doc));
  }
  return documents;
}

}  // namespace orchestra::sim
