// Bounded text parsing for protocol fields: every parser checks its whole input and says no rather than guess.
#pragma once
#include <stdint.h>
#include <string.h>

namespace mhil {
bool isUpperHex(char c);
uint8_t hexValue(char c);
// Unsigned / signed decimal (U, I of PROTOCOL.md §2), with overflow checks.
bool parseU(const char* s, uint32_t* out);
bool parseI(const char* s, int32_t* out);
// `digits` uppercase hex digits: a two's-complement signed value of 4*digits bits, or unsigned.
bool parseHexSigned(const char* s, uint8_t digits, int32_t* out);
bool parseHexUnsigned(const char* s, uint8_t digits, uint32_t* out);
inline bool is(const char* a, const char* b) { return !strcmp(a, b); }
}  // namespace mhil
