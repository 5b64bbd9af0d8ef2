// Reference analog front end (BOARD.md): the nominal conversion factors that calibration starts from.
#pragma once
#include <stdint.h>

namespace mhil {
namespace frontend {
// Line drivers: 16-bit bipolar DACs, 150 uV per code, signed codes +-32767 (+-4.915 V).
const int16_t DAC_MAX_CODE = 32767;
const uint32_t DAC_NANOVOLTS_PER_CODE = 150000;
// Current sense: TIA into a 16-bit bipolar ADC, signed codes +-32767, two feedback ranges.
const int16_t ADC_MAX_CODE = 32767;
const uint32_t SENSE_LOW_PICOAMPS_PER_CODE = 10000;    // +-327.67 uA full scale (reads, products)
const uint32_t SENSE_HIGH_PICOAMPS_PER_CODE = 100000;  // +-3.2767 mA full scale (programming pulses)
// Time for one sense conversion (mux settle + TIA settle + ADC), microseconds.
const uint16_t SENSE_MICROS = 8;
}  // namespace frontend
}  // namespace mhil
