// Reads, products and pulses with sampled energy and compliance (see engine.h).
#include "engine.h"
#include "../hal/front_end.h"

namespace mhil {

static const uint8_t SETTLE_MICROS = 2;
static const uint8_t GAP_MICROS = 5;  // ground between repetitions of a pulse

float Engine::amps(int16_t code, uint8_t range) const {
  return (float)code * (float)cal_.sensePicoampsPerCode[range] * 1e-12f;
}

int16_t Engine::sense(LineKind kind, uint8_t index, uint8_t range) {
  int32_t c = (int32_t)board_.senseLine(kind, index) - cal_.senseOffsetCode[range];
  if (c > frontend::ADC_MAX_CODE) c = frontend::ADC_MAX_CODE;
  if (c < -frontend::ADC_MAX_CODE) c = -frontend::ADC_MAX_CODE;
  return (int16_t)c;
}

// Peripheral energy: the measured rail draw over the command's duration.
void Engine::finish(Tally& t, uint32_t startMicros) {
  board_.groundAll();
  uint32_t us = board_.nowMicros() - startMicros;
  t.micros += us;
  t.peripheralJoules += railWatts_ * (float)us * 1e-6f;
}

int16_t Engine::readCell(uint8_t row, uint8_t col, int16_t vcode, Tally& t) {
  uint32_t start = board_.nowMicros();
  board_.setSenseRange(Board::SENSE_LOW);
  board_.setLine(ROW, row, vcode);
  board_.waitMicros(SETTLE_MICROS);
  int16_t ic = sense(COL, col, 0);
  int16_t ir = sense(ROW, row, 0);
  float v = volts(vcode);
  float seconds = (float)(board_.nowMicros() - start) * 1e-6f;
  // Column current flows out of the array into the TIA: the cell current is its negative.
  float cellA = -amps(ic, 0);
  float rowA = amps(ir, 0);
  float cellJ = v * cellA * seconds;
  float totalJ = v * rowA * seconds;
  t.cellJoules += cellJ;
  if (totalJ > cellJ) t.halfSelectedJoules += totalJ - cellJ;
  finish(t, start);
  return (int16_t)(-ic);
}

void Engine::readRow(uint8_t row, int16_t vcode, int16_t* out, Tally& t) {
  uint32_t start = board_.nowMicros();
  uint8_t cols = board_.shape().cols;
  board_.setSenseRange(Board::SENSE_LOW);
  board_.setLine(ROW, row, vcode);
  board_.waitMicros(SETTLE_MICROS);
  for (uint8_t c = 0; c < cols; c++) out[c] = (int16_t)(-sense(COL, c, 0));
  int16_t ir = sense(ROW, row, 0);
  float seconds = (float)(board_.nowMicros() - start) * 1e-6f;
  t.cellJoules += volts(vcode) * amps(ir, 0) * seconds;
  finish(t, start);
}

void Engine::product(LineKind driven, const int16_t* vcodes, int16_t* out, Tally& t) {
  uint32_t start = board_.nowMicros();
  BoardShape s = board_.shape();
  uint8_t nIn = driven == ROW ? s.rows : s.cols;
  uint8_t nOut = driven == ROW ? s.cols : s.rows;
  LineKind sensed = driven == ROW ? COL : ROW;
  board_.setSenseRange(Board::SENSE_HIGH);  // a whole line of cells: the larger range
  for (uint8_t i = 0; i < nIn; i++) board_.setLine(driven, i, vcodes[i]);
  board_.waitMicros(SETTLE_MICROS);
  for (uint8_t j = 0; j < nOut; j++) out[j] = (int16_t)(-sense(sensed, j, 1));
  float watts = 0;
  for (uint8_t i = 0; i < nIn; i++) {
    if (vcodes[i] != 0) watts += volts(vcodes[i]) * amps(sense(driven, i, 1), 1);
  }
  float seconds = (float)(board_.nowMicros() - start) * 1e-6f;
  if (watts > 0) t.cellJoules += watts * seconds;
  finish(t, start);
}

// Programming. The driven line sits at +V/2 (V/2) or +2V/3 (V/3), the active selected lines at
// -V/2 or -V/3, and for V/3 the unselected crossing lines at +V/3, so no unselected cell sees
// more than V/2 or V/3. A selected line's current carries its half-selected neighbours' leakage
// too; a sub-threshold pre-measurement (driven line at ground, so the selected cell sees only
// V - drive) separates it: I_cell = (I_pulse - I_pre) * V / drive, exact for a linear device.
// Compliance acts on that cell current (or on a saturated sense), per selected line.
PulseResult Engine::pulse(LineKind driven, uint8_t line, const uint8_t* sel, const uint16_t* counts, uint8_t nsel,
                          int16_t vcode, uint32_t widthMicros, Scheme scheme, Tally& t) {
  PulseResult res = {0, 0};
  uint32_t start = board_.nowMicros();
  BoardShape s = board_.shape();
  LineKind crossing = driven == ROW ? COL : ROW;
  uint8_t nCross = driven == ROW ? s.cols : s.rows;
  // A cell sees V(row) - V(col): for a driven column the line levels are those of -vcode.
  int16_t lineAmp = driven == ROW ? vcode : (int16_t)-vcode;
  int16_t driveCode = scheme == HALF ? (int16_t)(lineAmp / 2) : (int16_t)((2 * (int32_t)lineAmp) / 3);
  int16_t selCode = (int16_t)(driveCode - lineAmp);  // the selected cell sees exactly vcode
  int16_t unselCode = scheme == HALF ? 0 : (int16_t)(lineAmp / 3);
  float vCell = volts(lineAmp);
  float cellPerDelta = driveCode != 0 ? (float)lineAmp / (float)driveCode : 0.0f;
  float complianceAmps = (float)cal_.limits.complianceNanoamps * 1e-9f;
  bool tripped[MAX_LINES] = {false};
  int16_t pre[MAX_LINES] = {0};
  uint16_t maxCount = 0;
  for (uint8_t k = 0; k < nsel; k++) if (counts[k] > maxCount) maxCount = counts[k];

  board_.setSenseRange(Board::SENSE_HIGH);
  if (maxCount > 0 && vcode != 0) {
    // Pre-measurement: bias as in the pulse, driven line grounded.
    uint32_t t0 = board_.nowMicros();
    if (unselCode != 0) for (uint8_t j = 0; j < nCross; j++) board_.setLine(crossing, j, unselCode);
    for (uint8_t k = 0; k < nsel; k++) if (counts[k] > 0) board_.setLine(crossing, sel[k], selCode);
    board_.waitMicros(SETTLE_MICROS);
    float watts = 0;
    for (uint8_t k = 0; k < nsel; k++) {
      if (counts[k] == 0) continue;
      pre[k] = sense(crossing, sel[k], 1);
      watts += volts(selCode) * amps(pre[k], 1);
    }
    board_.groundAll();
    if (watts < 0) watts = -watts;
    t.halfSelectedJoules += watts * (float)(board_.nowMicros() - t0) * 1e-6f;
  }
  for (uint16_t rep = 0; rep < maxCount; rep++) {
    bool active[MAX_LINES] = {false};
    uint8_t nActive = 0;
    for (uint8_t k = 0; k < nsel; k++) {
      if (counts[k] > rep && !tripped[k]) { active[k] = true; nActive++; }
    }
    if (nActive == 0) break;
    if (hasStop_ && (int32_t)(board_.nowMillis() - stopAtMillis_) >= 0) break;  // link went silent
    board_.watchdogKick();
    // Half-select bias first, then the selected lines, then the driven line: no cell ever sees
    // more than its final voltage while the lines come up.
    if (unselCode != 0) {
      for (uint8_t j = 0; j < nCross; j++) board_.setLine(crossing, j, unselCode);
    }
    for (uint8_t k = 0; k < nsel; k++) board_.setLine(crossing, sel[k], active[k] ? selCode : unselCode);
    board_.setLine(driven, line, driveCode);
    uint32_t pulseStart = board_.nowMicros();
    uint32_t last = pulseStart;
    bool aborted = false;
    while (true) {
      float totalW = 0, cellW = 0;
      int16_t id = sense(driven, line, 1);
      totalW += volts(driveCode) * amps(id, 1);
      if (id >= frontend::ADC_MAX_CODE || id <= -frontend::ADC_MAX_CODE) aborted = true;  // driven line saturated
      for (uint8_t k = 0; k < nsel; k++) {
        if (!active[k]) continue;
        int16_t ik = sense(crossing, sel[k], 1);
        totalW += volts(selCode) * amps(ik, 1);
        // Current leaves the array into a selected line: the cell current is minus the change.
        float cellA = -amps((int16_t)(ik - pre[k]), 1) * cellPerDelta;
        cellW += vCell * cellA;
        float mag = cellA < 0 ? -cellA : cellA;
        bool saturated = ik >= frontend::ADC_MAX_CODE || ik <= -frontend::ADC_MAX_CODE;
        if (mag > complianceAmps || saturated) {
          // Compliance: this selected line goes back to its unselected level at once.
          board_.setLine(crossing, sel[k], unselCode);
          active[k] = false;
          tripped[k] = true;
          res.trips++;
        }
      }
      if (unselCode != 0) {
        bool atSelCode[MAX_LINES] = {false};
        for (uint8_t k = 0; k < nsel; k++) if (active[k]) atSelCode[sel[k]] = true;
        for (uint8_t j = 0; j < nCross; j++) {
          if (!atSelCode[j]) totalW += volts(unselCode) * amps(sense(crossing, j, 1), 1);
        }
      }
      uint32_t now = board_.nowMicros();
      float dt = (float)(now - last) * 1e-6f;
      last = now;
      if (cellW < 0) cellW = 0;
      if (totalW < 0) totalW = -totalW;
      t.cellJoules += cellW * dt;
      if (totalW > cellW) t.halfSelectedJoules += (totalW - cellW) * dt;
      bool anyActive = false;
      for (uint8_t k = 0; k < nsel; k++) anyActive |= active[k];
      if (aborted || !anyActive) break;
      if (now - pulseStart >= widthMicros) break;
    }
    board_.groundAll();
    for (uint8_t k = 0; k < nsel; k++) if (active[k]) res.applied++;
    if (aborted) {
      for (uint8_t k = 0; k < nsel; k++) if (active[k]) { res.applied--; res.trips++; tripped[k] = true; }
      break;
    }
    board_.waitMicros(GAP_MICROS);
  }
  finish(t, start);
  return res;
}

}  // namespace mhil
