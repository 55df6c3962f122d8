#pragma once

#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/exec/executor.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/standardize.h"

namespace orchestra::synth {

struct Synthesis {
  Json standardized_data;              // the target-schema document, built only from expert output
  std::string final_synthesis;         // a readable paragraph over the same material
  Json provenance;                     // JSON path of each leaf → step numbers it came from
  std::vector<std::string> missing;    // required paths nothing could fill
  std::vector<std::string> coercions;  // what the standardization layer changed, and where
};

// Builds the deliverable from an execution. The synthesis step's answer (an OpenAI chat reply
// whose content is JSON) is mapped onto `target` through the standardization layer; when that
// step failed, the records of the other steps are mapped instead, so a partial pipeline still
// yields what it found. Nothing is invented: a field no expert supplied stays missing and is
// listed in `missing`. `synthesis_step` is the step number of the synthesis task (0: none).
Synthesis Assemble(const schema::Schema& target, const exec::Execution& execution,
                   int synthesis_step);

// The JSON carried in an OpenAI chat completion's first choice, or an error saying why not.
Result<Json> ChatContentJson(const Json& completion);

}  // namespace orchestra::synth
