// The firmware logic (see firmware.h and PROTOCOL.md).
#include "firmware.h"
#include "crc32c.h"
#include "../hal/front_end.h"
#include <string.h>

namespace mhil {

static const uint16_t POWER_SAMPLE_MILLIS = 100;

// ---- text parsing: every parser bounds its input and says no rather than guess ----

static bool isUpperHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }
static uint8_t hexValue(char c) { return c <= '9' ? (uint8_t)(c - '0') : (uint8_t)(c - 'A' + 10); }

static bool parseU(const char* s, uint32_t* out) {
  if (!*s) return false;
  uint32_t v = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return false;
    uint8_t d = (uint8_t)(*s - '0');
    if (v > (0xFFFFFFFFu - d) / 10u) return false;
    v = v * 10u + d;
  }
  *out = v;
  return true;
}

static bool parseI(const char* s, int32_t* out) {
  bool neg = *s == '-';
  uint32_t mag;
  if (!parseU(neg ? s + 1 : s, &mag)) return false;
  if (neg ? mag > 0x80000000u : mag > 0x7FFFFFFFu) return false;
  *out = neg ? (int32_t)(0u - mag) : (int32_t)mag;
  return true;
}

// `digits` uppercase hex digits, a two's-complement signed value of 4*digits bits.
static bool parseHexSigned(const char* s, uint8_t digits, int32_t* out) {
  uint32_t v = 0;
  for (uint8_t i = 0; i < digits; i++) {
    if (!isUpperHex(s[i])) return false;
    v = (v << 4) | hexValue(s[i]);
  }
  uint8_t bits = (uint8_t)(4 * digits);
  if (bits < 32 && (v & (1ul << (bits - 1)))) v |= ~((1ul << bits) - 1);
  *out = (int32_t)v;
  return true;
}

static bool parseHexUnsigned(const char* s, uint8_t digits, uint32_t* out) {
  uint32_t v = 0;
  for (uint8_t i = 0; i < digits; i++) {
    if (!isUpperHex(s[i])) return false;
    v = (v << 4) | hexValue(s[i]);
  }
  *out = v;
  return true;
}

static uint64_t femtojoules(float joules) {
  if (!(joules > 0)) return 0;
  return (uint64_t)(joules * 1e15f + 0.5f);
}

static uint16_t nextAfter(uint16_t seq) { return seq == 0xFFFF ? 1 : (uint16_t)(seq + 1); }

// ---- lifecycle ----

Firmware::Firmware(Board& board, uint32_t quietMillis)
    : board_(board), calibrationValid_(false), engine_(board, cal_), lineLen_(0), lineOverflow_(false),
      memoryHead_(0), next_(0), boot_(0), quietMillis_(quietMillis), lastValidMillis_(0), quietGrounded_(false),
      lastPowerMillis_(0) {
  memset(&counters_, 0, sizeof counters_);
  memset(memory_, 0, sizeof memory_);
}

void Firmware::begin() {
  board_.groundAll();
  shape_ = board_.shape();
  if (shape_.rows > MAX_LINES) shape_.rows = MAX_LINES;
  if (shape_.cols > MAX_LINES) shape_.cols = MAX_LINES;
  calibrationValid_ = loadCalibration(board_, &cal_);
  if (!calibrationValid_) board_.logEvent("EEPROM blank or corrupt: reference calibration in use");
  boot_ = board_.entropy();
  next_ = 0;
  lastValidMillis_ = board_.nowMillis();
  lastPowerMillis_ = lastValidMillis_;
  sampleBoardPower();
  board_.watchdogStart(250);
  reply_.clear();
  reply_.field("0000");
  reply_.field("BOOT");
  reply_.fieldHex(boot_, 8);
  send(reply_);
}

void Firmware::poll() {
  board_.watchdogKick();
  int16_t b;
  while ((b = board_.readByte()) >= 0) {
    uint16_t before = lineLen_;
    bool wasOverflow = lineOverflow_;
    receive((uint8_t)b);
    if (b == '\n' && (before > 0 || wasOverflow || lineLen_ == 0)) break;  // one line per turn
  }
  silenceCheck();
  uint32_t now = board_.nowMillis();
  if (now - lastPowerMillis_ >= POWER_SAMPLE_MILLIS) sampleBoardPower();
}

void Firmware::receive(uint8_t byte) {
  if (byte == '\n') {
    if (lineOverflow_) {
      reply_.clear();
      reply_.field("0000 ERR LONG line exceeds maxin=255 bytes");
      send(reply_);
    } else {
      bool empty = lineLen_ == 0 || (lineLen_ == 1 && line_[0] == '\r');
      if (!empty) handleLine(line_, lineLen_);  // empty: the second break of a line end (PROTOCOL.md §1)
    }
    lineLen_ = 0;
    lineOverflow_ = false;
    return;
  }
  if (lineOverflow_) return;  // discard up to the next '\n'
  if (lineLen_ < MAX_IN - 1) line_[lineLen_++] = (char)byte;
  else lineOverflow_ = true;
}

void Firmware::silenceCheck() {
  if (quietGrounded_) return;
  if (board_.nowMillis() - lastValidMillis_ < quietMillis_) return;
  board_.groundAll();
  engine_.ground();
  quietGrounded_ = true;
  counters_.silences++;
  board_.logEvent(board_.allGrounded() ? "link silent: every line grounded (safe=1)"
                                       : "link silent: grounding FAILED (safe=0)");
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

void Firmware::send(Reply& r) {
  uint16_t n;
  const char* text = r.finish(&n);
  board_.write(text, n);
}

// ---- the line: CRC first, then the sequence rules, then the command ----

void Firmware::handleLine(char* line, uint16_t len) {
  if (len > 0 && line[len - 1] == '\r') len--;
  uint16_t nakSeq = 0;
  if (len >= 4 && isUpperHex(line[0]) && isUpperHex(line[1]) && isUpperHex(line[2]) && isUpperHex(line[3])) {
    uint32_t v = 0;
    parseHexUnsigned(line, 4, &v);
    nakSeq = (uint16_t)v;
  }
  // Trailer " *XXXXXXXX": the only '*', eight uppercase hex digits; anything else is a damaged line.
  const uint16_t tail = CRC_DIGITS + 2;  // " *" and the digits
  bool shaped = len >= tail && line[len - tail + 1] == '*' && line[len - tail] == ' ';
  for (uint16_t i = 0; shaped && i < CRC_DIGITS; i++) shaped = isUpperHex(line[len - CRC_DIGITS + i]);
  for (uint16_t i = 0; shaped && i + tail - 1 < len; i++) shaped = line[i] != '*';
  uint32_t given = 0;
  if (shaped) parseHexUnsigned(line + len - CRC_DIGITS, CRC_DIGITS, &given);
  if (!shaped || crc32c(line, (uint16_t)(len - tail + 1)) != given) {
    // The NAK names the line's CRC digits when they read as such: the host knows which of its lines carries them,
    // even when the SEQ digits were the damaged ones.
    bool crcReadable = len >= CRC_DIGITS + 1 && line[len - CRC_DIGITS - 1] == '*';
    for (uint16_t i = 0; crcReadable && i < CRC_DIGITS; i++) crcReadable = isUpperHex(line[len - CRC_DIGITS + i]);
    errorReply(nakSeq, "CRC", crcReadable ? "crc=" : "line rejected");
    if (crcReadable) reply_.appendN(line + len - CRC_DIGITS, CRC_DIGITS);
    send(reply_);
    return;
  }
  uint32_t requestCrc = given;
  // A valid line: the link is alive.
  lastValidMillis_ = board_.nowMillis();
  quietGrounded_ = false;

  uint16_t bodyLen = (uint16_t)(len - tail);
  line[bodyLen] = 0;
  bool printable = true;
  for (uint16_t i = 0; i < bodyLen; i++) printable &= line[i] >= ' ' && line[i] <= '~';
  bool seqReadable = bodyLen >= 5 && isUpperHex(line[0]) && isUpperHex(line[1]) &&
                     isUpperHex(line[2]) && isUpperHex(line[3]) && line[4] == ' ';
  if (!seqReadable) {
    errorReply(0, "SYNTAX", "SEQ must be 4 uppercase hex digits followed by a command");
    send(reply_);
    return;
  }
  uint16_t seq = nakSeq;

  // Fields, separated by exactly one space.
  char* f[MAX_FIELDS];
  uint8_t nf = 0;
  bool fieldsOk = printable;
  if (fieldsOk) {
    char* p = line;
    char* end = line + bodyLen;
    while (p <= end && fieldsOk) {
      char* sp = p;
      while (sp < end && *sp != ' ') sp++;
      if (sp == p || nf == MAX_FIELDS) {
        fieldsOk = false;
        break;
      }
      f[nf++] = p;
      *sp = 0;
      p = sp + 1;
    }
  }
  const char* cmd = fieldsOk && nf >= 2 ? f[1] : "";

  if (seq == 0 && fieldsOk && !strcmp(cmd, "RPT")) {
    // RPT SEQ: the remembered reply to SEQ again (a short line instead of the whole request); ORDER if it never ran.
    uint32_t asked = 0;
    if (nf != 3 || strlen(f[2]) != 4 || !parseHexUnsigned(f[2], 4, &asked) || asked == 0) {
      errorReply(0, "SYNTAX", "RPT takes one SEQ");
      send(reply_);
    } else if (Slot* s = recall((uint16_t)asked)) {
      replay(*s);
    } else {
      reply_.clear();
      reply_.fieldHex(asked, 4);
      reply_.field("ERR ORDER expected");
      reply_.fieldHex(next_, 4);
      send(reply_);
    }
    return;
  }
  if (seq == 0) {
    // Unsequenced: read-only commands only, executed every time, never remembered.
    bool allowed = !strcmp(cmd, "ID") || !strcmp(cmd, "LIM") || !strcmp(cmd, "ST") || !strcmp(cmd, "EN") || !strcmp(cmd, "PING");
    if (!fieldsOk) errorReply(0, "SYNTAX", "fields must be printable and separated by single spaces");
    else if (!allowed) errorReply(0, "SYNTAX", "SEQ 0000 only for ID LIM ST EN PING RPT");
    else execute(0, f, nf);
    send(reply_);
    return;
  }
  // 1. Remembered: the same request gets the same reply and nothing else happens.
  Slot* s = recall(seq);
  if (s) {
    if (s->requestCrc == requestCrc) {
      replay(*s);
    } else {
      errorReply(seq, "REUSED", "SEQ remembered with a different request");
      send(reply_);
    }
    return;
  }
  // 2. NEW starts a session whatever `next` is.
  if (!strcmp(cmd, "NEW")) {
    uint32_t nonce;
    if (nf != 3 || strlen(f[2]) != 8 || !parseHexUnsigned(f[2], 8, &nonce)) {
      errorReply(seq, "SYNTAX", "NEW takes one 8-digit uppercase hex nonce");
      send(reply_);
      return;
    }
    for (uint8_t i = 0; i < MEMORY_DEPTH; i++) memory_[i].used = 0;
    memoryHead_ = 0;
    beginOk(seq, "NEW");
    measured(Tally());
    remember(seq, requestCrc, 0);
    send(reply_);
    next_ = nextAfter(seq);
    return;
  }
  // 3./4. In order, or refused.
  if (seq != next_ || next_ == 0) {
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field("ERR ORDER expected");
    reply_.fieldHex(next_, 4);
    send(reply_);
    return;
  }
  if (!fieldsOk) errorReply(seq, "SYNTAX", "fields must be printable and separated by single spaces");
  else execute(seq, f, nf);
  // A refusal (SYNTAX, UNKNOWN, LIMIT) did nothing: not remembered, `next` unchanged, so the host may resend
  // the line (it may have been damaged in transit past the CRC). Only OK and FAULT consume the SEQ.
  const char* r = reply_.text();
  bool ok = reply_.length() > 7 && r[5] == 'O';
  bool fault = reply_.length() > 14 && !strncmp(r + 5, "ERR FAULT", 9);
  if (!ok && !fault) {
    send(reply_);
    return;
  }
  // Full ID and LIM replies are constant for a boot: too long for a slot, they are rebuilt on a retry.
  char regenerate = 0;
  if (ok && !strcmp(cmd, "ID")) regenerate = 'I';
  if (ok && !strcmp(cmd, "LIM") && nf == 2) regenerate = 'L';
  remember(seq, requestCrc, reply_.length() > SLOT_BYTES ? regenerate : 0);
  send(reply_);
  next_ = nextAfter(seq);
}

// ---- reply memory ----

void Firmware::remember(uint16_t seq, uint32_t crc, char regenerate) {
  Slot& s = memory_[memoryHead_];
  memoryHead_ = (uint8_t)((memoryHead_ + 1) % MEMORY_DEPTH);
  s.seq = seq;
  s.requestCrc = crc;
  s.used = 1;
  uint16_t n = reply_.length();
  if (regenerate) {
    s.length = 0;
    s.text[0] = regenerate;
  } else {
    if (n > SLOT_BYTES) n = SLOT_BYTES;  // cannot happen: every other reply (a LIM of <= 6 keys too) is shorter
    s.length = (uint8_t)n;
    memcpy(s.text, reply_.text(), n);
  }
}

Firmware::Slot* Firmware::recall(uint16_t seq) {
  for (uint8_t i = 0; i < MEMORY_DEPTH; i++) {
    if (memory_[i].used && memory_[i].seq == seq) return &memory_[i];
  }
  return 0;
}

void Firmware::replay(const Slot& s) {
  reply_.clear();
  if (s.length == 0) {
    beginOk(s.seq, s.text[0] == 'L' ? "LIM" : "ID");
    measured(Tally());
    if (s.text[0] == 'L') limPayload();
    else idPayload();
  } else {
    reply_.appendN(s.text, s.length);
  }
  send(reply_);
}

// ---- replies ----

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

void Firmware::measured(const Tally& t) {
  reply_.fieldD(femtojoules(t.cellJoules), -15);
  reply_.fieldD(femtojoules(t.halfSelectedJoules), -15);
  reply_.fieldD(femtojoules(t.peripheralJoules), -15);
  reply_.fieldD((uint64_t)t.micros * 1000u, -9);
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
  if (want("maxin")) reply_.keyU("maxin", MAX_IN);
  if (want("rxbuf")) reply_.keyU("rxbuf", shape_.rxBufferBytes);
  if (want("quiet")) reply_.keyD("quiet", quietMillis_, -3);
  if (want("endur")) reply_.keyU("endur", cal_.endurancePulses);
}

// ---- the dispatcher ----

static bool is(const char* a, const char* b) { return !strcmp(a, b); }

void Firmware::execute(uint16_t seq, char** f, uint8_t nf) {
  const char* cmd = nf >= 2 ? f[1] : "";
  bool noArgs = nf == 2 || is(cmd, "LIM");  // LIM may name the keys it wants
  if (is(cmd, "ID") || is(cmd, "LIM") || is(cmd, "ST") || is(cmd, "EN") || is(cmd, "PING") || is(cmd, "RST")) {
    if (!noArgs) {
      errorReply(seq, "SYNTAX", "takes no arguments");
      return;
    }
    Tally t = Tally();
    if (is(cmd, "RST")) {
      uint32_t start = board_.nowMicros();
      engine_.ground();
      t.micros = board_.nowMicros() - start;
      counters_.busyNanos += (uint64_t)t.micros * 1000u;
    }
    beginOk(seq, cmd);
    measured(t);
    if (is(cmd, "ID")) idPayload();
    if (is(cmd, "LIM")) limPayload(f + 2, (uint8_t)(nf - 2));
    if (is(cmd, "ST")) {
      reply_.keyU("safe", board_.allGrounded() ? 1 : 0);
      reply_.keyHex("boot", boot_);
      reply_.keyU("up", board_.nowMillis());
      // Additions beyond PROTOCOL.md v1 ST (unknown keys are ignored by hosts): board power.
      reply_.keyD("pboard", counters_.boardMicrowatts, -6);
      reply_.keyD("eboard", counters_.boardMicrojoules, -6);
      reply_.keyU("silences", counters_.silences);
      reply_.keyU("trips", counters_.complianceTrips);
    }
    if (is(cmd, "EN")) {
      reply_.fieldD(counters_.cellFemtojoules, -15);
      reply_.fieldD(counters_.halfSelectedFemtojoules, -15);
      reply_.fieldD(counters_.peripheralFemtojoules, -15);
      reply_.fieldD(counters_.busyNanos, -9);
      reply_.fieldU(counters_.pulsesApplied);
    }
    return;
  }
  engine_.setStopAt(lastValidMillis_ + quietMillis_);
  if (is(cmd, "RCELL")) cmdReadCell(seq, f, nf);
  else if (is(cmd, "RROW")) cmdReadRow(seq, f, nf);
  else if (is(cmd, "MVF")) cmdProduct(seq, f, nf, ROW);
  else if (is(cmd, "MVT")) cmdProduct(seq, f, nf, COL);
  else if (is(cmd, "PCELL")) cmdPulseCell(seq, f, nf);
  else if (is(cmd, "PROW")) cmdPulseLine(seq, f, nf, ROW);
  else if (is(cmd, "PCOL")) cmdPulseLine(seq, f, nf, COL);
  else errorReply(seq, "UNKNOWN", "command");
  engine_.ground();  // whatever happened, nothing stays driven
}

// Adds a command's measurement to the counters and to the reply.
void Firmware::measuredAndCounted(const Tally& t) {
  counters_.cellFemtojoules += femtojoules(t.cellJoules);
  counters_.halfSelectedFemtojoules += femtojoules(t.halfSelectedJoules);
  counters_.peripheralFemtojoules += femtojoules(t.peripheralJoules);
  counters_.busyNanos += (uint64_t)t.micros * 1000u;
  measured(t);
}

bool Firmware::index(uint16_t seq, const char* text, const char* name, uint8_t size, uint8_t* out) {
  uint32_t v;
  if (!parseU(text, &v)) {
    errorReply(seq, "SYNTAX", name);
    return false;
  }
  if (v >= size) {
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field("ERR LIMIT");
    reply_.field(name);
    reply_.append("=");
    reply_.appendU64(v);
    reply_.field("exceeds");
    reply_.append(is(name, "row") ? "rows-1=" : is(name, "col") ? "cols-1=" : "lines-1=");
    reply_.appendU64((uint32_t)size - 1);
    return false;
  }
  *out = (uint8_t)v;
  return true;
}

// `n` packed read codes (V(4)), each within vrmax.
bool Firmware::readCode(uint16_t seq, const char* text, uint16_t n, int16_t* out) {
  if (strlen(text) != (size_t)n * 4) {
    errorReply(seq, "SYNTAX", "vector length");
    return false;
  }
  int16_t maxCode = codeAtMost(cal_, cal_.limits.maxReadMicrovolts);
  for (uint16_t i = 0; i < n; i++) {
    int32_t v;
    if (!parseHexSigned(text + 4 * i, 4, &v)) {
      errorReply(seq, "SYNTAX", "vector hex");
      return false;
    }
    if (v > maxCode || v < -maxCode) {
      reply_.clear();
      reply_.fieldHex(seq, 4);
      reply_.field("ERR LIMIT vrmax: element");
      reply_.fieldU(i);
      reply_.field("code");
      reply_.fieldU((uint32_t)(v < 0 ? -v : v));
      reply_.field("exceeds");
      reply_.fieldU((uint32_t)maxCode);
      return false;
    }
    out[i] = (int16_t)v;
  }
  return true;
}

// A read voltage in microvolts (I), within vrmax, rounded to the DAC (never beyond vrmax).
bool Firmware::readVolts(uint16_t seq, const char* text, int16_t* out) {
  int32_t uv;
  if (!parseI(text, &uv)) {
    errorReply(seq, "SYNTAX", "uV");
    return false;
  }
  uint32_t mag = uv < 0 ? (uint32_t)(-(int64_t)uv) : (uint32_t)uv;
  if (mag > cal_.limits.maxReadMicrovolts) {
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field("ERR LIMIT vrmax:");
    reply_.fieldU(mag);
    reply_.field("uV exceeds");
    reply_.fieldU(cal_.limits.maxReadMicrovolts);
    reply_.field("uV");
    return false;
  }
  *out = programCode(cal_, uv, cal_.limits.maxReadMicrovolts);
  return true;
}

bool Firmware::pulseShape(uint16_t seq, const char* uvText, const char* nsText, int16_t* vcode, uint32_t* widthMicros) {
  int32_t uv;
  uint32_t ns;
  if (!parseI(uvText, &uv)) {
    errorReply(seq, "SYNTAX", "uV");
    return false;
  }
  if (!parseU(nsText, &ns)) {
    errorReply(seq, "SYNTAX", "ns");
    return false;
  }
  const Limits& l = cal_.limits;
  uint32_t mag = uv < 0 ? (uint32_t)(-(int64_t)uv) : (uint32_t)uv;
  uint32_t limit = uv < 0 ? l.maxProgramMicrovoltsNeg : l.maxProgramMicrovoltsPos;
  if (mag > limit) {
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field(uv < 0 ? "ERR LIMIT vnmax:" : "ERR LIMIT vpmax:");
    reply_.fieldU(mag);
    reply_.field("uV exceeds");
    reply_.fieldU(limit);
    reply_.field("uV");
    return false;
  }
  if (ns < l.minWidthNanos || ns > l.maxWidthNanos) {
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field(ns < l.minWidthNanos ? "ERR LIMIT wmin:" : "ERR LIMIT wmax:");
    reply_.fieldU(ns);
    reply_.field("ns outside");
    reply_.fieldU(l.minWidthNanos);
    reply_.append("..");
    reply_.appendU64(l.maxWidthNanos);
    reply_.field("ns");
    return false;
  }
  *vcode = programCode(cal_, uv, limit);
  *widthMicros = (ns + 999u) / 1000u;
  return true;
}

static void countLimit(Reply& r, uint16_t seq, uint32_t n, uint16_t cmax) {
  r.clear();
  r.fieldHex(seq, 4);
  r.field("ERR LIMIT cmax: count");
  r.fieldU(n);
  r.field("exceeds");
  r.fieldU(cmax);
}

void Firmware::cmdReadCell(uint16_t seq, char** f, uint8_t nf) {
  if (nf != 5) return errorReply(seq, "SYNTAX", "RCELL r c uV");
  uint8_t r, c;
  int16_t rv;
  if (!index(seq, f[2], "row", shape_.rows, &r) || !index(seq, f[3], "col", shape_.cols, &c) || !readVolts(seq, f[4], &rv)) return;
  Tally t = Tally();
  int16_t code = engine_.readCell(r, c, rv, t);
  beginOk(seq, "RCELL");
  measuredAndCounted(t);
  reply_.fieldHex((uint16_t)code, 4);
}

void Firmware::cmdReadRow(uint16_t seq, char** f, uint8_t nf) {
  if (nf != 4) return errorReply(seq, "SYNTAX", "RROW r uV");
  uint8_t r;
  int16_t rv;
  if (!index(seq, f[2], "row", shape_.rows, &r) || !readVolts(seq, f[3], &rv)) return;
  Tally t = Tally();
  int16_t out[MAX_LINES];
  engine_.readRow(r, rv, out, t);
  beginOk(seq, "RROW");
  measuredAndCounted(t);
  reply_.field("");
  for (uint8_t c = 0; c < shape_.cols; c++) reply_.appendHex((uint16_t)out[c], 4);
}

void Firmware::cmdProduct(uint16_t seq, char** f, uint8_t nf, LineKind driven) {
  if (nf != 3) return errorReply(seq, "SYNTAX", driven == ROW ? "MVF V(4)xrows" : "MVT V(4)xcols");
  uint8_t nIn = driven == ROW ? shape_.rows : shape_.cols;
  uint8_t nOut = driven == ROW ? shape_.cols : shape_.rows;
  int16_t in[MAX_LINES], out[MAX_LINES];
  if (!readCode(seq, f[2], nIn, in)) return;
  Tally t = Tally();
  engine_.product(driven, in, out, t);
  beginOk(seq, driven == ROW ? "MVF" : "MVT");
  measuredAndCounted(t);
  reply_.field("");
  for (uint8_t j = 0; j < nOut; j++) reply_.appendHex((uint16_t)out[j], 4);
}

void Firmware::cmdPulseCell(uint16_t seq, char** f, uint8_t nf) {
  if (nf != 7) return errorReply(seq, "SYNTAX", "PCELL r c uV ns n");
  uint8_t r, c;
  int16_t vcode;
  uint32_t widthMicros, n;
  if (!index(seq, f[2], "row", shape_.rows, &r) || !index(seq, f[3], "col", shape_.cols, &c)) return;
  if (!parseU(f[6], &n)) return errorReply(seq, "SYNTAX", "n");
  if (!pulseShape(seq, f[4], f[5], &vcode, &widthMicros)) return;
  if (n > cal_.limits.maxCount) return countLimit(reply_, seq, n, cal_.limits.maxCount);
  uint16_t count = (uint16_t)n;
  Tally t = Tally();
  PulseResult res = engine_.pulse(ROW, r, &c, &count, 1, vcode, widthMicros, HALF, t);
  counters_.pulsesApplied += res.applied;
  counters_.complianceTrips += res.trips;
  beginOk(seq, "PCELL");
  measuredAndCounted(t);
  reply_.fieldU(res.applied);
  reply_.fieldU(res.trips);
}

void Firmware::cmdPulseLine(uint16_t seq, char** f, uint8_t nf, LineKind driven) {
  if (nf != 7) return errorReply(seq, "SYNTAX", driven == ROW ? "PROW line s uV ns V(2)xcols" : "PCOL line s uV ns V(2)xrows");
  uint8_t lines = driven == ROW ? shape_.rows : shape_.cols;
  uint8_t crossing = driven == ROW ? shape_.cols : shape_.rows;
  uint8_t line;
  uint32_t s;
  int16_t vcode;
  uint32_t widthMicros;
  if (!index(seq, f[2], "line", lines, &line)) return;
  if (!parseU(f[3], &s)) return errorReply(seq, "SYNTAX", "s");
  if (strlen(f[6]) != (size_t)crossing * 2) return errorReply(seq, "SYNTAX", "counts vector length");
  uint8_t sel[MAX_LINES];
  uint16_t counts[MAX_LINES];
  uint8_t nsel = 0;
  uint32_t badCount = 0;
  for (uint8_t k = 0; k < crossing; k++) {
    uint32_t v;
    if (!parseHexUnsigned(f[6] + 2 * k, 2, &v)) return errorReply(seq, "SYNTAX", "counts hex");
    if (v > cal_.limits.maxCount && v > badCount) badCount = v;
    if (v > 0) {
      sel[nsel] = k;
      counts[nsel++] = (uint16_t)v;
    }
  }
  if (s != 2 && s != 3) {
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field("ERR LIMIT scheme:");
    reply_.fieldU(s);
    reply_.field("not one of 2,3");
    return;
  }
  if (!pulseShape(seq, f[4], f[5], &vcode, &widthMicros)) return;
  if (badCount) return countLimit(reply_, seq, badCount, cal_.limits.maxCount);
  Tally t = Tally();
  PulseResult res = engine_.pulse(driven, line, sel, counts, nsel, vcode, widthMicros, s == 2 ? HALF : THIRD, t);
  counters_.pulsesApplied += res.applied;
  counters_.complianceTrips += res.trips;
  beginOk(seq, driven == ROW ? "PROW" : "PCOL");
  measuredAndCounted(t);
  reply_.fieldU(res.applied);
  reply_.fieldU(res.trips);
}

}  // namespace mhil
