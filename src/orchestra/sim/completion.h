#pragma once

#include "orchestra/core/json.h"
#include "orchestra/core/result.h"

namespace orchestra::sim {

// The simulated LLM experts (SN1 Apex, SN64 Chutes, SN19 Nineteen): an OpenAI
// chat-completions-compatible endpoint that answers deterministically and EXTRACTIVELY, i.e.
// only with text and values quoted from the prompt's context, never invented ones.
//
// Request: {"model": str, "messages": [{"role": str, "content": str | [{"type": "text",
// "text": str}] | null}] (non-empty), "temperature"?: number, "max_tokens"?: int >= 1,
// "response_format"?: {"type": "text" | "json_object" | "json_schema", "json_schema"?:
// {"name"?: str, "schema": object}}, "stream"?: false}. temperature is accepted and ignored.
//
// Prompt contract (the miner's side of it): the LAST user message reads
//
//   Objective: <the objective, one line>
//   ...any instructions...
//   Context (JSON):
//   [{"step": 1, "kind": "search_result", "data": {"title": ..., "link": ..., "snippet": ...}},
//    {"step": 2, "kind": "record", "data": {"url": ..., "name": ..., "strengths": [...]}}, ...]
//
// i.e. "Objective: " on the first line and, after a line starting "Context (JSON):", a JSON
// array of context items {"step": int, "kind": "search_result" | "record", "data": {...}}.
// Labelled text in the context ("Gap: X. Opportunity: Y. Difficulty: Medium - Z.") counts as
// a record {Gap, Opportunity, Difficulty}. Without the context line the context is empty.
//
// Only the context items relevant to the objective are quoted (the rule: relevance.h; e.g. for
// "Compare open-source message brokers for IoT telemetry" an item must name two of message,
// broker, IoT, telemetry); the indexes of the others are listed in
// "orchestra"."off_topic_items". Answer, by response_format:
//  - json_schema: content is the compact JSON document FillSchema (schema_filler.h) builds from
//    the relevant items; the required fields it could not fill are left out and their JSONPaths
//    listed in "orchestra"."unfilled" (the miner reports them; nothing is fabricated). A
//    context about something else gives {} with every required field unfilled.
//  - json_object: content is {"answer": <the text answer>}.
//  - text or none: content is up to 3 sentences of relevant items sharing the most words with
//    the objective, most relevant first, joined by spaces ("" when none does: an honest empty
//    answer), cut to max_tokens words (then finish_reason is "length").
//
// Response: {"id": "chatcmpl-sim-<24 hex of the request's hash>", "object": "chat.completion",
// "created": 0, "model": <model>, "choices": [{"index": 0, "message": {"role": "assistant",
// "content": str}, "finish_reason": "stop" | "length"}], "usage": {"prompt_tokens",
// "completion_tokens", "total_tokens"} (counted in words), "system_fingerprint":
// "orchestra-sim", "orchestra": {"simulated": true, "method": "extractive", "off_topic_items":
// [int], "unfilled"?: [...]}}.
// The same request always gives the same bytes ("created" is 0 for that reason).
//
// A malformed request (no messages, no user message, wrong types, context that is not a JSON
// array, a json_schema that schema::Schema does not compile, "stream": true) gives
// kInvalidArgument naming the field. Pure; never throws.
Result<Json> Complete(const Json& request);

}  // namespace orchestra::sim
