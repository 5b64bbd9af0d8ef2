// The firmware logic (see firmware.h and PROTOCOL.md).
#include "firmware.h"
#include "crc32c.h"
#include "text.h"
#include "../hal/front_end.h"
#include <string.h>

namespace mhil {

static const uint16_t POWER_SAMPLE_MILLIS = 100;


static uint16_t nextAfter(uint16_t seq) { return seq == 0xFFFF ? 1 : (uint16_t)(seq + 1); }

// ---- lifecycle ----

Firmware::Firmware(Board& board, uint32_t quietMillis)
    : board_(board), calibrationValid_(false), engine_(board, cal_), lineLen_(0), lineOverflow_(false),
      memoryHead_(0), next_(0), boot_(0), quietMillis_(quietMillis), lastValidMillis_(0), quietGrounded_(false),
      lastPowerMillis_(0) {
  memset(&counters_, 0, sizeof counters_);
  memset(memory_, 0, sizeof memory_);
  memset(held_, 0, sizeof held_);
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
  copies_ = 1;
  memset(held_, 0, sizeof held_);
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
  if (runHeld()) {
    silenceCheck();
    return;
  }
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

void Firmware::send(Reply& r) {
  uint16_t n;
  const char* text = r.finish(&n);
  for (uint8_t i = 0; i < copies_; i++) board_.write(text, n);  // DUP 2: every line twice (PROTOCOL.md §4)
}

// ---- the line: CRC first, then the sequence rules, then the command ----

void Firmware::handleLine(char* line, uint16_t len) {
  if (len > 0 && line[len - 1] == '\r') len--;
  // A request copy ('+', PROTOCOL.md §3): acted on only when its SEQ has not been taken, so it never runs twice.
  bool copy = len > 0 && line[0] == '+';
  if (copy) {
    line++;
    len--;
  }
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
    if (copy) reply_.field("copy");
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

  // Fields, separated by exactly one space. `nf` counts them all, `f` holds the first MAX_FIELDS: only a product
  // may have more (its vectors beyond `mvb` are refused as ERR LIMIT mvb, like the twin's).
  char* f[MAX_FIELDS];
  uint8_t nf = 0;
  bool fieldsOk = printable;
  if (fieldsOk) {
    char* p = line;
    char* end = line + bodyLen;
    while (p <= end && fieldsOk) {
      char* sp = p;
      while (sp < end && *sp != ' ') sp++;
      if (sp == p) {
        fieldsOk = false;
        break;
      }
      if (nf < MAX_FIELDS) f[nf] = p;
      nf++;  // a line of at most MAX_IN bytes has fewer than 255 fields
      *sp = 0;
      p = sp + 1;
    }
  }
  if (fieldsOk && nf > MAX_FIELDS && !is(f[1], "MVF") && !is(f[1], "MVT")) fieldsOk = false;
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
  if (copy && (recall(seq) || heldLine(seq))) return;  // taken: the line itself arrived
  // 1. Remembered: the same request gets the same reply and nothing else happens. A NEW under a SEQ remembered
  // with another request is a new host's session (each numbers from 0001; a short last session is remembered).
  Slot* s = recall(seq);
  if (s && (s->requestCrc == requestCrc || strcmp(cmd, "NEW"))) {
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
    for (uint8_t i = 0; i < HOLD_LINES; i++) held_[i].used = 0;
    memoryHead_ = 0;
    copies_ = 1;
    beginOk(seq, "NEW");
    measured(Tally());
    remember(seq, requestCrc, 0);
    send(reply_);
    next_ = nextAfter(seq);
    return;
  }
  // 3./4. In order; ahead of `next`: kept until the lines before it have run (HELD), or refused (ORDER).
  if (seq != next_ || next_ == 0) {
    bool kept = next_ != 0 && fieldsOk && hold(seq, requestCrc, line, len);
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field(kept ? "ERR HELD expected" : "ERR ORDER expected");
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

// ---- lines held ahead of `next` (selective repeat: a lost line costs that line only) ----

bool Firmware::hold(uint16_t seq, uint32_t crc, const char* line, uint16_t len) {
  uint16_t ahead = (uint16_t)(((uint32_t)seq + 0xFFFFu - next_) % 0xFFFFu);
  if (ahead == 0 || ahead >= MEMORY_DEPTH) return false;
  if (Held* kept = heldLine(seq)) return kept->requestCrc == crc;
  Held* free = 0;
  for (uint8_t i = 0; i < HOLD_LINES && !free; i++) {
    if (!held_[i].used) free = &held_[i];
  }
  if (!free || len >= MAX_IN) return false;
  // The fields were split in place at their single spaces, and the space before '*' cut: put them back.
  for (uint16_t i = 0; i < len; i++) free->text[i] = line[i] ? line[i] : ' ';
  free->seq = seq;
  free->requestCrc = crc;
  free->length = (uint8_t)len;
  free->used = 1;
  return true;
}

Firmware::Held* Firmware::heldLine(uint16_t seq) {
  for (uint8_t i = 0; i < HOLD_LINES; i++) {
    if (held_[i].used && held_[i].seq == seq) return &held_[i];
  }
  return 0;
}

bool Firmware::runHeld() {
  if (next_ == 0) return false;
  Held* h = heldLine(next_);
  if (!h) return false;
  h->used = 0;  // its slot is free again; the line is handled in place (it runs: it is `next`)
  handleLine(h->text, h->length);
  return true;
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

// ---- the dispatcher ----

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
  else if (is(cmd, "DUP")) cmdCopies(seq, f, nf);
  else errorReply(seq, "UNKNOWN", "command");
  engine_.ground();  // whatever happened, nothing stays driven
}

}  // namespace mhil
