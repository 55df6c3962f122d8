#pragma once

#include <string>
#include <string_view>

namespace orchestra {

// A logfmt value: bare when it is a plain token (printable ASCII or UTF-8, no space, '"', '='
// or '\'), else double-quoted with '"' and '\' escaped, \n \r \t as such, any other control
// byte (ESC included) and every byte that is not part of well-formed UTF-8 as \xNN. A value
// from a peer can then neither forge a field or a line nor drive the reader's terminal.
std::string LogfmtValue(std::string_view value);

}  // namespace orchestra
