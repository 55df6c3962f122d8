#pragma once

#include <string_view>
#include <vector>

namespace orchestra {

// A data file compiled into the binary (see orchestra_embed in cmake/Orchestra.cmake).
struct EmbeddedFile {
  std::string_view path;  // relative to the source root, e.g. "data/corpus/gpu_pricing.json"
  std::string_view bytes;
};

}  // namespace orchestra
