// CRC-16/CCITT-FALSE, the check of the EEPROM calibration block (protocol lines use CRC-32C, crc32c.h).
#pragma once
#include <stdint.h>

namespace mhil {
uint16_t crc16(const void* data, uint16_t n, uint16_t crc = 0xFFFF);
}
