#include "orchestra/sim/completion.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>

#include "orchestra/core/hash.h"
#include "orchestra/schema/schema.h"
#include "orchestra/sim/context.h"
#include "orchestra/sim/schema_filler.h"
#include "orchestra/sim/text.h"

namespace orchestra::sim {
namespace {

constexpr size_t kTextAnswerSentences = 3;
constexpr size_t kIdHexDigits = 24;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

enum class Format { kText, kJsonObject, kJsonSchema };

struct Request {
  std::string model;
  std::string user_content;  // the last user message
  size_t prompt_words = 0;
  std::optional<int64_t> max_tokens;
  Format format = Format::kText;
  std::optional<schema::Schema> schema;  // compiled response_format schema (kJsonSchema)
};

// The text of a message's content: a string, or the "text" of each text part of a list.
Result<std::string> ContentText(const Json& content, size_t index) {
  if (content.is_null()) return std::string();
  if (content.is_string()) return std::string(content.get_string());
  if (content.is_array()) {
    std::string text;
    const JsonArray& parts = content.get_array();
    for (size_t p = 0; p < parts.size(); ++p) {
      const Json* part_text = JsonFind(parts[p], "text");
      if (JsonString(parts[p], "type") != "text" || part_text == nullptr ||
          !part_text->is_string()) {
        return Invalid(fmt::format(
            "messages[{}].content[{}]: expected {{\"type\": \"text\", \"text\": str}}", index, p));
      }
      if (!text.empty()) text += '\n';
      text += part_text->get_string();
    }
    return text;
  }
  return Invalid(fmt::format("messages[{}].content: expected a string or a list of parts", index));
}

Status ReadResponseFormat(const JsonObject& request, Request* out) {
  const Json* format = request.if_contains("response_format");
  if (format == nullptr || format->is_null()) return {};
  if (!format->is_object()) return Invalid("response_format: expected an object");
  const Json* type = format->get_object().if_contains("type");
  if (type == nullptr || !type->is_string()) {
    return Invalid("response_format.type: expected \"text\", \"json_object\" or \"json_schema\"");
  }
  const std::string_view name = type->get_string();
  if (name == "text") return {};
  if (name == "json_object") {
    out->format = Format::kJsonObject;
    return {};
  }
  if (name != "json_schema") {
    return Invalid(fmt::format(
        "response_format.type: {:?} is not \"text\", \"json_object\" or \"json_schema\"", name));
  }
  const Json* spec = format->get_object().if_contains("json_schema");
  if (spec == nullptr || !spec->is_object()) {
    return Invalid("response_format.json_schema: expected an object with \"schema\"");
  }
  const Json* name_value = spec->get_object().if_contains("name");
  if (name_value != nullptr && !name_value->is_string()) {
    return Invalid("response_format.json_schema.name: expected a string");
  }
  const Json* schema = spec->get_object().if_contains("schema");
  if (schema == nullptr || !schema->is_object()) {
    return Invalid("response_format.json_schema.schema: expected a JSON Schema object");
  }
  auto compiled = schema::Schema::Compile(*schema);
  if (!compiled.ok()) {
    return Invalid(fmt::format("response_format.json_schema.schema: {}", compiled.error().message));
  }
  out->format = Format::kJsonSchema;
  out->schema = std::move(*compiled);
  return {};
}

Result<Request> ReadRequest(const Json& input) {
  if (!input.is_object()) return Invalid("request: expected a JSON object");
  const JsonObject& request = input.get_object();
  Request out;

  const Json* model = request.if_contains("model");
  if (model == nullptr || model->is_null()) return Invalid("model: required");
  if (!model->is_string()) return Invalid("model: expected a string");
  out.model = std::string(model->get_string());

  const Json* messages = request.if_contains("messages");
  if (messages == nullptr || messages->is_null()) return Invalid("messages: required");
  if (!messages->is_array()) return Invalid("messages: expected a list of messages");
  if (messages->get_array().empty()) return Invalid("messages: must not be empty");
  bool has_user = false;
  const JsonArray& list = messages->get_array();
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) return Invalid(fmt::format("messages[{}]: expected an object", i));
    const Json* role = list[i].get_object().if_contains("role");
    if (role == nullptr || !role->is_string()) {
      return Invalid(fmt::format("messages[{}].role: expected a string", i));
    }
    const Json* content = list[i].get_object().if_contains("content");
    auto text = ContentText(content != nullptr ? *content : Json(nullptr), i);
    if (!text.ok()) return text.error();
    out.prompt_words += Words(*text).size();
    if (role->get_string() == "user") {
      out.user_content = std::move(*text);
      has_user = true;
    }
  }
  if (!has_user) return Invalid("messages: no message with role \"user\"");

  if (const Json* value = request.if_contains("temperature"); value && !value->is_null()) {
    if (!value->is_number()) return Invalid("temperature: expected a number");
  }
  if (const Json* value = request.if_contains("max_tokens"); value && !value->is_null()) {
    double number;
    if (!JsonNumber(*value, &number) || number != std::floor(number) || number < 1) {
      return Invalid("max_tokens: expected a positive integer");
    }
    out.max_tokens = static_cast<int64_t>(std::min(number, 1e9));
  }
  if (const Json* value = request.if_contains("stream"); value && !value->is_null()) {
    if (!value->is_bool()) return Invalid("stream: expected a boolean");
    if (value->get_bool()) return Invalid("stream: streaming is not supported by the simulator");
  }
  if (auto s = ReadResponseFormat(request, &out); !s.ok()) return s.error();
  return out;
}

std::string JoinSentences(const std::vector<std::string>& sentences) {
  std::string out;
  for (const auto& sentence : sentences) {
    if (!out.empty()) out += ' ';
    out += sentence;
  }
  return out;
}

// The first `max_words` words of `text` (words as whitespace-separated runs).
std::string FirstWords(std::string_view text, int64_t max_words) {
  int64_t words = 0;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool space = text[i] == ' ' || text[i] == '\n' || text[i] == '\t';
    if (!space && !in_word && ++words > max_words) return std::string(Trim(text.substr(0, i)));
    in_word = !space;
  }
  return std::string(text);
}

}  // namespace

Result<Json> Complete(const Json& input) {
  auto request = ReadRequest(input);
  if (!request.ok()) return request.error();
  auto prompt = ParsePrompt(request->user_content);
  if (!prompt.ok()) return prompt.error();
  const ContextIndex context = IndexContext(prompt->context);

  std::string content;
  std::string finish_reason = "stop";
  JsonObject metadata{{"simulated", true}, {"method", "extractive"}};
  const std::vector<bool> relevant = RelevantItems(context, prompt->objective);
  JsonArray off_topic;
  for (size_t i = 0; i < relevant.size(); ++i) {
    if (!relevant[i]) off_topic.emplace_back(static_cast<int64_t>(i));
  }
  metadata["off_topic_items"] = std::move(off_topic);
  if (request->format == Format::kJsonSchema) {
    FilledDocument filled = FillSchema(*request->schema, context, prompt->objective);
    content = CompactJson(filled.value);
    JsonArray unfilled;
    for (auto& path : filled.unfilled) unfilled.emplace_back(path);
    metadata["unfilled"] = std::move(unfilled);
  } else {
    content = JoinSentences(RelevantSentences(context, ContentWords(prompt->objective),
                                              kTextAnswerSentences, &relevant));
    if (request->max_tokens) {
      std::string cut = FirstWords(content, *request->max_tokens);
      if (cut.size() < content.size()) {
        content = std::move(cut);
        finish_reason = "length";
      }
    }
    if (request->format == Format::kJsonObject) {
      content = CompactJson(JsonObject{{"answer", content}});
    }
  }

  const auto prompt_tokens = static_cast<int64_t>(request->prompt_words);
  const auto completion_tokens = static_cast<int64_t>(Words(content).size());
  const std::string id =
      "chatcmpl-sim-" + Hex(Blake2b256(CanonicalJson(input))).substr(0, kIdHexDigits);
  JsonObject message{{"role", "assistant"}, {"content", std::move(content)}};
  JsonObject choice{
      {"index", 0}, {"message", std::move(message)}, {"finish_reason", finish_reason}};
  JsonObject response;
  response["id"] = id;
  response["object"] = "chat.completion";
  response["created"] = 0;
  response["model"] = request->model;
  response["choices"] = JsonArray{std::move(choice)};
  response["usage"] = JsonObject{{"prompt_tokens", prompt_tokens},
                                 {"completion_tokens", completion_tokens},
                                 {"total_tokens", prompt_tokens + completion_tokens}};
  response["system_fingerprint"] = "orchestra-sim";
  response["orchestra"] = std::move(metadata);
  return Json(std::move(response));
}

}  // namespace orchestra::sim
