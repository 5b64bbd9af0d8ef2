// Reply lines (PROTOCOL.md §4–5): ERR and OK headers, the four measurement fields, the ID and LIM payloads.
#include "firmware.h"
#include <string.h>

namespace mhil {

uint64_t femtojoules(float joules) {
  if (!(joules > 0)) return 0;
  return (uint64_t)(joules * 1e15f + 0.5f);
}

void Firmware::errorReply(uint16_t seq, const char* code, const char* text) {
  reply_.clear();
  reply_.fieldHex(seq, 4);
  reply_.field("ERR");
  reply_.field(code);
  reply_.field(text);
}

void Firmware::beginOk(uint16_t seq, const char* cmd) {
  reply_.clear();
  reply_.fieldHex(seq, 4);
  reply_.field("OK");
  reply_.field(cmd);
}

void Spent::add(const Tally& t) {
  cellFemtojoules += femtojoules(t.cellJoules);
  halfSelectedFemtojoules += femtojoules(t.halfSelectedJoules);
  peripheralFemtojoules += femtojoules(t.peripheralJoules);
  nanos += (uint64_t)t.micros * 1000u;
}

static Spent spentOf(const Tally& t) {
  Spent s = Spent();
  s.add(t);
  return s;
}

void Firmware::measured(const Tally& t) { measured(spentOf(t)); }

void Firmware::measured(const Spent& s) {
  reply_.fieldD(s.cellFemtojoules, -15);
  reply_.fieldD(s.halfSelectedFemtojoules, -15);
  reply_.fieldD(s.peripheralFemtojoules, -15);
  reply_.fieldD(s.nanos, -9);
}

void Firmware::measuredAndCounted(const Tally& t) { measuredAndCounted(spentOf(t)); }

// Adds a command's measurement to the counters and to the reply.
void Firmware::measuredAndCounted(const Spent& s) {
  counters_.cellFemtojoules += s.cellFemtojoules;
  counters_.halfSelectedFemtojoules += s.halfSelectedFemtojoules;
  counters_.peripheralFemtojoules += s.peripheralFemtojoules;
  counters_.busyNanos += s.nanos;
  measured(s);
}

void Firmware::idPayload() {
  reply_.keyStr("model", cal_.model);
  reply_.keyStr("serial", cal_.serial);
  reply_.keyStr("fw", FIRMWARE_VERSION);
  reply_.keyU("proto", PROTOCOL_VERSION);
  reply_.keyU("rows", shape_.rows);
  reply_.keyU("cols", shape_.cols);
  reply_.keyHex("boot", boot_);
}

// Is `key` asked for? (no names: every key)
static bool wanted(const char* key, char** keys, uint8_t n) {
  if (n == 0) return true;
  for (uint8_t i = 0; i < n; i++)
    if (!strcmp(key, keys[i])) return true;
  return false;
}

void Firmware::limPayload(char** keys, uint8_t n) {
  auto want = [&](const char* key) { return wanted(key, keys, n); };
  const Limits& l = cal_.limits;
  if (want("vrmax")) reply_.keyD("vrmax", l.maxReadMicrovolts, -6);
  if (want("vpmax")) reply_.keyD("vpmax", l.maxProgramMicrovoltsPos, -6);
  if (want("vnmax")) reply_.keyD("vnmax", l.maxProgramMicrovoltsNeg, -6);
  if (want("wmin")) reply_.keyD("wmin", l.minWidthNanos, -9);
  if (want("wmax")) reply_.keyD("wmax", l.maxWidthNanos, -9);
  if (want("cmax")) reply_.keyU("cmax", l.maxCount);
  if (want("icomp")) reply_.keyD("icomp", l.complianceNanoamps, -9);
  if (want("dac")) reply_.keyU("dac", shape_.dacBits);
  if (want("adc")) reply_.keyU("adc", shape_.adcBits);
  if (want("vlsb")) reply_.keyD("vlsb", cal_.dacNanovoltsPerCode, -9);
  if (want("vhex")) reply_.keyU("vhex", 4);
  if (want("alsb")) reply_.keyD("alsb", cal_.sensePicoampsPerCode[0], -12);
  if (want("alsbf")) reply_.keyD("alsbf", cal_.sensePicoampsPerCode[1], -12);  // products sense on the HIGH range
  if (want("alsbt")) reply_.keyD("alsbt", cal_.sensePicoampsPerCode[1], -12);
  if (want("ahex")) reply_.keyU("ahex", 4);
  if (want("chex")) reply_.keyU("chex", 2);
  if (want("vread")) reply_.keyD("vread", cal_.readMicrovolts, -6);
  if (want("schemes")) reply_.keyStr("schemes", "2,3");
  if (want("par")) reply_.keyU("par", 1);
  if (want("mvt")) reply_.keyU("mvt", 1);
  if (want("rrow")) reply_.keyU("rrow", 1);
  if (want("mem")) reply_.keyU("mem", MEMORY_DEPTH);
  if (want("hold")) reply_.keyU("hold", HOLD_LINES);
  if (want("dup")) reply_.keyU("dup", MAX_COPIES);
  if (want("rcopy")) reply_.keyU("rcopy", 1);
  if (want("mvb")) reply_.keyU("mvb", PRODUCT_VECTORS);
  if (want("maxin")) reply_.keyU("maxin", MAX_IN);
  if (want("rxbuf")) reply_.keyU("rxbuf", shape_.rxBufferBytes);
  if (want("quiet")) reply_.keyD("quiet", quietMillis_, -3);
  if (want("endur")) reply_.keyU("endur", cal_.endurancePulses);
}

// Board power: the monitor's rail reading; the rail's idle draw is what the front end spends.
void Firmware::sampleBoardPower() {
  uint32_t now = board_.nowMillis();
  uint16_t mv;
  int32_t ua;
  if (board_.readPower(&mv, &ua)) {
    uint32_t uw = ua > 0 ? (uint32_t)((uint64_t)mv * (uint32_t)ua / 1000u) : 0;
    counters_.boardMicrojoules += (uint64_t)counters_.boardMicrowatts * (now - lastPowerMillis_) / 1000u;
    counters_.boardMicrowatts = uw;
    if (board_.allGrounded()) engine_.setRailWatts((float)uw * 1e-6f);
  }
  lastPowerMillis_ = now;
}

}  // namespace mhil
