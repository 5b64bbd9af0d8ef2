// CRC-32C (Castagnoli), the check on every protocol line (PROTOCOL.md §1).
#pragma once
#include <stdint.h>

namespace mhil {
// Reflected poly 0x82F63B78, init and xorout 0xFFFFFFFF: "123456789" -> 0xE3069283.
uint32_t crc32c(const void* data, uint16_t n);
}
