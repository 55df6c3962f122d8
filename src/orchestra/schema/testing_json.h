#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "orchestra/core/json.h"

// Test-only: JSON literals in tests.
namespace orchestra::schema::testing {

// Parses `text`, failing the current test (and returning null) when it is not JSON.
inline Json J(std::string_view text) {
  auto parsed = ParseJson(text, "test literal");
  EXPECT_TRUE(parsed.ok()) << parsed.error().message;
  return parsed.ok() ? std::move(*parsed) : Json(nullptr);
}

}  // namespace orchestra::schema::testing
