#pragma once

#include <map>
#include <string>
#include <vector>

#include "orchestra/core/json.h"
#include "orchestra/plan/architect.h"
#include "orchestra/schema/schema.h"
#include "orchestra/schema/standardize.h"
#include "orchestra/synth/draft.h"

namespace orchestra::synth {

struct Synthesis {
  Json standardized_data;              // the target-schema document, built only from expert output
  std::string final_synthesis;         // a readable paragraph over the same material
  Json provenance;                     // JSON path of each leaf → step numbers it came from
  std::vector<std::string> missing;    // required paths nothing could fill
  std::vector<std::string> coercions;  // what the standardization layer changed, and where
  std::vector<plan::Gap> gaps;         // every field (required or not) nothing supported
};

// Builds the deliverable from the gathered material: MakeDraft maps it onto the target's
// fields, the standardization layer makes it valid, provenance maps each leaf to the steps
// (keys of `outputs`, every expert answer of the pipeline) whose answer holds it, and
// final_synthesis reads the document out and says plainly what could not be found. Nothing
// is invented: material on nothing gives an empty document and says so.
Synthesis Assemble(const schema::Schema& target, const plan::Brief& brief, const Material& material,
                   const std::map<int, Json>& outputs);

}  // namespace orchestra::synth
