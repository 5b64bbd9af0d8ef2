// The operations on the array: reads, products and programming pulses, each measuring its own
// energy from the board's line-voltage and line-current samples and enforcing current compliance.
// Callers check the request limits first (dispatcher); the engine never leaves a line driven.
#pragma once
#include <stdint.h>
#include "../hal/board.h"
#include "calibration.h"

#ifndef MHIL_MAX_LINES
#define MHIL_MAX_LINES 16
#endif

namespace mhil {

const uint8_t MAX_LINES = MHIL_MAX_LINES;

// Energy and time of one command, from samples.
struct Tally {
  float cellJoules;
  float halfSelectedJoules;
  float peripheralJoules;
  uint32_t micros;
};

enum Scheme : uint8_t { HALF = 2, THIRD = 3 };  // V/2 or V/3 half-select

struct PulseResult {
  uint16_t applied;  // complete pulses on selected cells
  uint16_t trips;    // pulses cut short by compliance
};

class Engine {
 public:
  Engine(Board& board, const Calibration& cal) : board_(board), cal_(cal), railWatts_(0.2f), stopAtMillis_(0), hasStop_(false) {}

  // A pulse train stops before any repetition that would start at or after this time
  // (the link-silence deadline, PROTOCOL.md §6).
  void setStopAt(uint32_t millis) { stopAtMillis_ = millis; hasStop_ = true; }
  void clearStop() { hasStop_ = false; }

  // One cell at read code `vcode` on its row; returns the column current, LOW-range ADC code.
  int16_t readCell(uint8_t row, uint8_t col, int16_t vcode, Tally& t);
  // One row at `vcode`; out[c] = column currents, LOW-range ADC codes.
  void readRow(uint8_t row, int16_t vcode, int16_t* out, Tally& t);
  // Product: drive every line of `driven` (ROW: forward, COL: transposed) with vcodes, sense the others.
  void product(LineKind driven, const int16_t* vcodes, int16_t* out, Tally& t);
  // Programming: `line` of kind `driven` pulsed against the selected crossing lines; counts[k]
  // repetitions for sel[k]. vcode is the full signed amplitude a selected cell sees.
  PulseResult pulse(LineKind driven, uint8_t line, const uint8_t* sel, const uint16_t* counts, uint8_t nsel,
                    int16_t vcode, uint32_t widthMicros, Scheme scheme, Tally& t);
  // Every line to ground.
  void ground() { board_.groundAll(); }

  // The analog rail's own draw, measured by the power monitor while the lines are grounded.
  void setRailWatts(float w) { railWatts_ = w; }
  float railWatts() const { return railWatts_; }

 private:
  float amps(int16_t code, uint8_t range) const;
  float volts(int16_t code) const { return (float)code * (float)cal_.dacNanovoltsPerCode * 1e-9f; }
  int16_t sense(LineKind kind, uint8_t index, uint8_t range);
  void finish(Tally& t, uint32_t startMicros);

  Board& board_;
  const Calibration& cal_;
  float railWatts_;
  uint32_t stopAtMillis_;
  bool hasStop_;
};

}  // namespace mhil
