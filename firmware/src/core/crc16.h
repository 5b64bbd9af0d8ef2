// CRC-16 used on every protocol line and on the EEPROM calibration block.
#pragma once
#include <stdint.h>

namespace mhil {
uint16_t crc16(const void* data, uint16_t n, uint16_t crc = 0xFFFF);
}
