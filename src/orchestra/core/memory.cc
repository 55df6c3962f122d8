#include "orchestra/core/memory.h"

#include <malloc.h>

// Defined when the program is linked against tcmalloc.
extern "C" void MallocExtension_ReleaseFreeMemory() __attribute__((weak));

namespace orchestra {

void ReleaseFreeMemory() {
  if (MallocExtension_ReleaseFreeMemory) {
    MallocExtension_ReleaseFreeMemory();
  } else {
    malloc_trim(0);
  }
}

}  // namespace orchestra
