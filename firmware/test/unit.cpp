// Firmware unit tests (host build): parser, CRC, sequencing and the link; the device's own tests (limits,
// energy, compliance, EEPROM) are in unit-device.cpp. Prints one line per failed check and a summary; exit
// code 0 only when every check passed.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <functional>
#include "check.h"
#include "../src/core/crc16.h"

using namespace rig;

int checks = 0, failures = 0;
const char* currentTest = "";

static void testCrc() {
  CHECK(mhil::crc32c("123456789", 9) == 0xE3069283ul, "crc32c test vector");
  CHECK(mhil::crc16("123456789", 9) == 0x29B1, "crc16 (EEPROM) test vector");
  CHECK(framed("0006 PING") == "0006 PING *84018375", "PROTOCOL.md example");
  CHECK(framed("0002 MVF 20p_D#") == "0002 MVF 20p_D# *8C1AB98F", "PROTOCOL.md example");
  CHECK(packed({51, -51, 0, 0}) == "20p_D#" && unpacked("26Y_d040G") == std::vector<long>({0x1A2, -25, 4, 16}), "PROTOCOL.md vectors");
  // Every single damaged byte of a line is caught (the firmware answers ERR CRC and does nothing).
  Rig r;
  newSession(r);
  std::string good = framed("0002 PCELL 1 2 1500000 100000 3");
  int caught = 0, tried = 0;
  for (size_t i = 0; i < good.size(); i++) {
    for (int delta = 1; delta < 256; delta += 37) {
      std::string bad = good;
      bad[i] = (char)((uint8_t)bad[i] + delta);
      if (bad[i] == '\n' || bad[i] == '\r') continue;
      tried++;
      auto out = r.raw(bad + "\n");
      caught += out.size() == 1 && out[0].find(" ERR CRC ") == 4;
    }
  }
  CHECK(caught == tried && r.board->episodeCount() == 0, "%d of %d damaged lines caught", caught, tried);
}

static void testIdentity() {
  Rig r;
  std::string id = r.ask("0000 ID");
  CHECK(startsWith(id, "0000 OK ID 0 0 0 0 model=MHIL-XB16 serial=UNSET fw=3.0.0 proto=3 rows=16 cols=16 boot="), "%s", id.c_str());
  CHECK(crcValid(id), "reply CRC %s", id.c_str());
  r.link.out.clear();
  r.raw(framed("0000 PING") + "\n");
  CHECK(r.link.out.empty(), "raw() took the reply");
  for (char c : framed("0000 PING") + "\n") r.link.in.push_back((uint8_t)c);
  while (!r.link.in.empty()) r.fw->poll();
  CHECK(r.link.out.size() > 2 && r.link.out.compare(r.link.out.size() - 2, 2, "\n\n") == 0, "every line ends with two breaks");
  std::string lim = r.ask("0000 LIM");
  CHECK(lim.find(" vpmax=1500000e-6 vnmax=1350000e-6 wmin=20000e-9 wmax=10000000e-9 cmax=100 icomp=2000000e-9 ") != std::string::npos, "%s", lim.c_str());
  CHECK(lim.find(" mem=8 hold=2 dup=2 rcopy=1 mvb=3 maxin=255 ") != std::string::npos, "%s", lim.c_str());
  CHECK(crcValid(lim), "LIM CRC");
  // LIM may name the keys it wants (a short reply crosses a noisy link far more often); unknown names are left out.
  CHECK(startsWith(r.ask("0000 LIM wmin cmax nosuch"), "0000 OK LIM 0 0 0 0 wmin=20000e-9 cmax=100 *"), "LIM keys");
  CHECK(startsWith(r.ask("0000 LIM nosuch"), "0000 OK LIM 0 0 0 0 *"), "LIM of unknown keys only");
  CHECK(startsWith(r.ask("0000 PING"), "0000 OK PING 0 0 0 0 *"), "ping");
  CHECK(startsWith(r.ask("0000 RST"), "0000 ERR SYNTAX"), "RST is not allowed unsequenced");
  // The BOOT banner
  Rig r2;
  CHECK(r2.board->allGrounded(), "grounded at boot");
}

static void testOrder() {
  Rig r;
  CHECK(startsWith(r.ask("0001 PING"), "0001 ERR ORDER expected 0000 *"), "no session yet");
  CHECK(startsWith(newSession(r, "0005"), "0005 OK NEW 0 0 0 0 *"), "NEW at any SEQ");
  CHECK(startsWith(r.ask("000E PING"), "000E ERR ORDER expected 0006 *"), "mem=8 or more ahead: refused");
  CHECK(startsWith(r.ask("0007 PING"), "0007 ERR HELD expected 0006 *"), "ahead within mem: kept");
  std::vector<std::string> both = r.raw(framed("0006 PING") + "\n");
  CHECK(both.size() == 2 && startsWith(both[0], "0006 OK PING") && startsWith(both[1], "0007 OK PING"), "the gap filled, the held line ran: %zu", both.size());
  CHECK(startsWith(r.ask("0007 PING"), "0007 OK PING"), "and is remembered");
  CHECK(startsWith(r.ask("0008 PING"), "0008 OK PING"), "in order after it");
  // Wrap: FFFF is followed by 0001.
  Rig w;
  newSession(w, "FFFE");
  CHECK(startsWith(w.ask("FFFF PING"), "FFFF OK PING"), "FFFF");
  CHECK(startsWith(w.ask("0000 ST"), "0000 OK ST"), "unsequenced does not move next");
  CHECK(startsWith(w.ask("0001 PING"), "0001 OK PING"), "0001 after FFFF");
  CHECK(w.fw->nextSeq() == 2, "next %u", w.fw->nextSeq());
}

// Selective repeat (PROTOCOL.md §3): lines ahead of a lost one are kept (HOLD_LINES of them) and run, once and in
// SEQ order, when it arrives; a copy of a held line is not kept twice; another request under a held SEQ is not kept.
static void testHold() {
  Rig r;
  newSession(r);
  CHECK(r.ask("0000 LIM hold").find(" hold=2 ") != std::string::npos, "LIM hold");
  CHECK(startsWith(r.ask("0004 PCELL 1 2 1500000 100000 4"), "0004 ERR HELD expected 0002"), "kept");
  CHECK(startsWith(r.ask("0003 PCELL 1 2 -1300000 100000 3"), "0003 ERR HELD expected 0002"), "kept");
  CHECK(startsWith(r.ask("0004 PCELL 1 2 1500000 100000 4"), "0004 ERR HELD expected 0002"), "a copy: still held");
  CHECK(startsWith(r.ask("0003 PCELL 1 2 1500000 100000 9"), "0003 ERR ORDER expected 0002"), "another request under a held SEQ");
  CHECK(startsWith(r.ask("0005 PING"), "0005 ERR ORDER expected 0002"), "no slot left: refused");
  CHECK(r.fw->counters().pulsesApplied == 0, "nothing ran ahead of 0002");
  std::vector<std::string> out = r.raw(framed("0002 PCELL 1 2 1500000 100000 2") + "\n");
  CHECK(out.size() == 3, "three answers: %zu %s | %s", out.size(), out.size() > 0 ? out[0].c_str() : "", out.size() > 1 ? out[1].c_str() : "");
  if (out.size() == 3) {
    CHECK(startsWith(out[0], "0002 OK PCELL") && out[0].find(" 2 0 *") != std::string::npos, "%s", out[0].c_str());
    CHECK(startsWith(out[1], "0003 OK PCELL") && out[1].find(" 3 0 *") != std::string::npos, "%s", out[1].c_str());
    CHECK(startsWith(out[2], "0004 OK PCELL") && out[2].find(" 4 0 *") != std::string::npos, "%s", out[2].c_str());
  }
  CHECK(r.fw->counters().pulsesApplied == 9, "each pulse request once: %u", r.fw->counters().pulsesApplied);
  CHECK(r.ask("0000 RPT 0003") == out[1], "a held line's answer is remembered like any other");
  CHECK(startsWith(r.ask("0005 PING"), "0005 OK PING"), "next is 0005");
  // A new session forgets what was held.
  CHECK(startsWith(r.ask("0008 PCELL 1 2 1500000 100000 1"), "0008 ERR HELD expected 0006"), "kept");
  newSession(r, "0006");
  CHECK(startsWith(r.ask("0007 PING"), "0007 OK PING"), "new session");
  r.ask("0008 PING");
  CHECK(r.fw->counters().pulsesApplied == 9, "the line held before NEW never ran: %u", r.fw->counters().pulsesApplied);
}

static void testBadCrc() {
  Rig r;
  newSession(r);
  std::string good = framed("0002 PCELL 1 2 1500000 100000 3");
  std::string bad = good;
  bad[bad.size() - 1] = bad[bad.size() - 1] == '0' ? '1' : '0';
  uint64_t ep = r.board->episodeCount();
  auto out = r.raw(bad + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0002 ERR CRC"), "%s", out.empty() ? "" : out[0].c_str());
  std::string flipped = good;
  flipped[10] = '9';  // a damaged row digit
  out = r.raw(flipped + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0002 ERR CRC"), "damaged body");
  std::string lower = good;
  for (size_t i = lower.size() - 4; i < lower.size(); i++) lower[i] = (char)tolower(lower[i]);
  bool hadLetter = lower != good;
  out = r.raw(lower + "\n");
  CHECK(!hadLetter || (out.size() == 1 && startsWith(out[0], "0002 ERR CRC")), "lowercase CRC digits");
  out = r.raw("garbage without trailer\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0000 ERR CRC"), "no SEQ, no trailer");
  out = r.raw("0002 PCELL 1 2 1500000 100000 3 *12*4\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0002 ERR CRC"), "two stars");
  out = r.raw("\n");
  CHECK(out.empty(), "an empty line (the second break of a line end) is ignored");
  out = r.raw("\r\n");
  CHECK(out.empty(), "so is a lone CR");
  CHECK(r.board->episodeCount() == ep, "nothing driven by a line that failed its CRC");
  CHECK(r.fw->nextSeq() == 2, "next unchanged");
  out = r.raw(good + "\r\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0002 OK PCELL"), "CRLF accepted: %s", out.empty() ? "" : out[0].c_str());
}

static void testMalformed() {
  Rig r;
  newSession(r);
  uint64_t ep = r.board->episodeCount();
  std::string a = r.ask("0002 PCELL 1  2 1500000 100000 3");
  CHECK(startsWith(a, "0002 ERR SYNTAX"), "double space: %s", a.c_str());
  // A refusal is not remembered and does not consume its SEQ: the line may have been damaged in transit.
  CHECK(r.fw->nextSeq() == 2, "next unchanged by a refusal: %u", r.fw->nextSeq());
  CHECK(r.ask("0002 PCELL 1  2 1500000 100000 3") == a, "the same line refused again, the same way");
  CHECK(startsWith(r.ask("0002 PCELL 1 2 1500000 100000"), "0002 ERR SYNTAX"), "missing argument");
  CHECK(startsWith(r.ask("0002 PCELL 1 2 15e5 100000 3"), "0002 ERR SYNTAX"), "not an integer");
  CHECK(startsWith(r.ask("0002 PCELL 1 2 1500000 100000 99999999999"), "0002 ERR SYNTAX"), "count overflows U");
  CHECK(startsWith(r.ask("0002 PCELL 1 2 1500000 100000 3\x01"), "0002 ERR SYNTAX"), "control byte");
  CHECK(startsWith(r.ask("0002 FROB 1"), "0002 ERR UNKNOWN"), "unknown command");
  CHECK(startsWith(r.ask("0002 MVF 23C"), "0002 ERR SYNTAX"), "short vector");
  CHECK(startsWith(r.ask("0002 MVF 1}}"), "0002 ERR SYNTAX"), "long vector (zero runs past the last row)");
  CHECK(startsWith(r.ask("0002 MVF 2" + std::string(32, '~')), "0002 ERR SYNTAX"), "not a base-64 digit");
  CHECK(startsWith(r.ask("0002 MVF 4" + std::string(64, '0')), "0002 ERR SYNTAX"), "4 digits per code (the widest is 3)");
  CHECK(startsWith(r.ask("0002 MVF 2" + std::string(31, '0')), "0002 ERR SYNTAX"), "ends inside a code");
  CHECK(startsWith(r.ask("000a PING"), "0000 ERR SYNTAX"), "lowercase SEQ");
  CHECK(startsWith(r.ask("0002 PING 1"), "0002 ERR SYNTAX"), "PING takes no argument");
  CHECK(startsWith(r.ask("0002 PROW 0 2 1500000 100000 13"), "0002 ERR SYNTAX"), "counts vector length");
  CHECK(startsWith(r.ask("0002 PROW 0 2 1500000 100000 3{"), "0002 ERR SYNTAX"), "3 digits per count (the widest is 2)");
  CHECK(startsWith(r.ask("0002 NEW 9c41d2e0"), "0002 ERR SYNTAX"), "lowercase nonce");
  CHECK(startsWith(r.ask("0002 " + std::string(20, 'X')), "0002 ERR"), "a long junk command");
  CHECK(r.fw->nextSeq() == 2, "next still unchanged: %u", r.fw->nextSeq());
  CHECK(startsWith(r.ask("0002 PING"), "0002 OK PING"), "the SEQ is still free for the request");
  CHECK(r.board->episodeCount() == ep, "nothing driven by malformed lines");
}

static void testOverlong() {
  Rig r;
  newSession(r);
  auto out = r.raw(std::string(300, 'A') + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0000 ERR LONG"), "300 bytes");
  out = r.raw(std::string(5000, '7') + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0000 ERR LONG"), "5000 bytes");
  // 254 bytes + '\n' = maxin: accepted (here a SYNTAX, the vector being too long), 255 + '\n': LONG.
  std::string body = "0002 MVF ";
  std::string fit = framed(body + std::string(254 - 10 - body.size(), '0'));
  CHECK(fit.size() == 254, "fit %zu", fit.size());
  out = r.raw(fit + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0002 ERR SYNTAX"), "254 bytes: %s", out.empty() ? "" : out[0].c_str());
  std::string over = framed(body + std::string(255 - 10 - body.size(), '0'));
  out = r.raw(over + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0000 ERR LONG"), "255 bytes");
  CHECK(startsWith(r.ask("0002 PING"), "0002 OK PING"), "the link recovers");
}

static void testExactlyOnce() {
  Rig r;
  newSession(r);
  double g0 = r.board->conductance(1, 2);
  std::string first = r.ask("0002 PCELL 1 2 1500000 100000 3");
  CHECK(startsWith(first, "0002 OK PCELL") && first.find(" 3 0 *") != std::string::npos, "%s", first.c_str());
  double g1 = r.board->conductance(1, 2);
  CHECK(g1 > g0, "SET raised G %g -> %g", g0, g1);
  uint64_t ep = r.board->episodeCount();
  CHECK(r.ask("0002 PCELL 1 2 1500000 100000 3") == first, "retry answered from memory");
  CHECK(r.board->episodeCount() == ep && r.board->conductance(1, 2) == g1, "retry applied nothing");
  CHECK(r.fw->counters().pulsesApplied == 3, "pulses counted once: %u", r.fw->counters().pulsesApplied);
  CHECK(startsWith(r.ask("0002 PCELL 1 2 1500000 100000 4"), "0002 ERR REUSED"), "same SEQ, other request");
  // RPT: the remembered reply again from a short line, nothing applied; a SEQ that never ran: ORDER.
  CHECK(r.ask("0000 RPT 0002") == first, "RPT replays: %s", r.ask("0000 RPT 0002").c_str());
  CHECK(r.board->episodeCount() == ep && r.fw->counters().pulsesApplied == 3, "RPT applied nothing");
  CHECK(startsWith(r.ask("0000 RPT 0009"), "0009 ERR ORDER expected 0003"), "RPT of a SEQ that never ran");
  CHECK(startsWith(r.ask("0000 RPT 0000"), "0000 ERR SYNTAX"), "RPT 0000");
  CHECK(startsWith(r.ask("0003 RPT 0002"), "0003 ERR UNKNOWN"), "RPT is unsequenced only: %s", r.ask("0003 RPT 0002").c_str());
  // A sequenced LIM of up to 6 keys fits a reply slot and is replayed as it was.
  std::string six = r.ask("0003 LIM alsbf alsbt icomp quiet schemes endur");
  CHECK(startsWith(six, "0003 OK LIM") && six.size() < mhil::SLOT_BYTES, "%s", six.c_str());
  CHECK(r.ask("0003 LIM alsbf alsbt icomp quiet schemes endur") == six, "LIM of 6 keys replayed");
  // Sequenced ID and LIM are rebuilt byte-identically from the memory.
  std::string id = r.ask("0004 ID"), lim = r.ask("0005 LIM");
  CHECK(r.ask("0004 ID") == id && r.ask("0005 LIM") == lim, "ID/LIM replay");
  // The memory holds the last 8: SEQ 0002 falls out after 8 more.
  for (unsigned s = 6; s <= 12; s++) {
    char b[16];
    snprintf(b, sizeof b, "%04X PING", s);
    r.ask(b);
  }
  CHECK(startsWith(r.ask("0002 PCELL 1 2 1500000 100000 3"), "0002 ERR ORDER expected 000D"), "forgotten after mem=8");
  CHECK(r.board->episodeCount() == ep, "and still not applied again");
  // A new session empties the memory; a retried NEW does not clear it twice.
  std::string n = r.ask("000D NEW 11111111");
  r.ask("000E PING");
  CHECK(r.ask("000D NEW 11111111") == n, "retried NEW answered from memory");
  CHECK(startsWith(r.ask("000F PING"), "000F OK PING"), "session continues");
  // A new host numbers from the same SEQ again while the short session before it is remembered: a new session.
  CHECK(startsWith(r.ask("000D NEW 22222222"), "000D OK NEW"), "NEW under a SEQ remembered with another request");
  CHECK(startsWith(r.ask("000E PING"), "000E OK PING"), "the new session runs from there");
}

static void testSilence() {
  Rig r(200);
  newSession(r);
  // A 1 s train (100 x 10 ms) outlives the 200 ms silence: cut short between pulses.
  std::string a = r.ask("0002 PCELL 0 0 1000000 10000000 100");
  auto f = split(a);
  CHECK(f.size() == 10, "%s", a.c_str());
  if (f.size() == 10) {
    int applied = atoi(f[7].c_str());
    CHECK(applied >= 15 && applied <= 20, "applied %d of 100 before the 200 ms silence", applied);
  }
  CHECK(r.fw->counters().silences == 0 || r.fw->counters().silences == 1, "silences");
  r.board->advanceMillis(250);
  r.fw->poll();
  CHECK(r.fw->counters().silences == 1, "silence noticed: %u", r.fw->counters().silences);
  CHECK(r.board->allGrounded(), "every line grounded");
  std::string st = r.ask("0003 ST");
  CHECK(st.find(" safe=1 ") != std::string::npos && st.find(" silences=1 ") != std::string::npos, "%s", st.c_str());
  // A valid line rearms it; silence again grounds again.
  r.board->advanceMillis(199);
  r.fw->poll();
  CHECK(r.fw->counters().silences == 1, "not yet");
  r.board->advanceMillis(2);
  r.fw->poll();
  CHECK(r.fw->counters().silences == 2, "again");
}

// DUP 2: every line twice from its own answer on (a copy damaged on the way costs bytes, not a round trip); NEW
// and a reset go back to single lines; a bad count is a refusal.
static void testCopies() {
  Rig r;
  newSession(r);
  CHECK(r.ask("0000 LIM dup").find(" dup=2 ") != std::string::npos, "LIM dup");
  CHECK(startsWith(r.ask("0002 DUP 3"), "0002 ERR SYNTAX"), "DUP 3 refused");
  std::vector<std::string> out = r.raw(framed("0002 DUP 2") + "\n");
  CHECK(out.size() == 2 && out[0] == out[1] && startsWith(out[0], "0002 OK DUP 0 0 0 0 *"), "its answer twice: %zu", out.size());
  out = r.raw(framed("0003 MVF 1?") + "\n");
  CHECK(out.size() == 2 && out[0] == out[1] && startsWith(out[0], "0003 OK MVF"), "then every line twice");
  out = r.raw(framed("0002 DUP 2") + "\n");
  CHECK(out.size() == 2 && out[0] == out[1] && startsWith(out[0], "0002 OK DUP"), "a retry answered from memory, twice");
  out = r.raw(framed("0004 NEW 9C41D2E1") + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0004 OK NEW"), "NEW: single lines again");
  out = r.raw(framed("0005 DUP 1") + "\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0005 OK DUP"), "DUP 1: single");
}

// Request copies ('+', LIM rcopy): a copy runs only when the line itself did not arrive intact, and is silent when its
// SEQ was taken (remembered or held); a damaged copy's NAK says "copy". Each pulse request is applied once.
static void testRequestCopies() {
  Rig r;
  newSession(r);
  CHECK(r.ask("0000 LIM rcopy").find(" rcopy=1 ") != std::string::npos, "LIM rcopy");
  std::string line = framed("0002 PCELL 1 2 1500000 100000 3");
  std::vector<std::string> out = r.raw(line + "\n\n+" + line + "\n\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0002 OK PCELL"), "both intact: one answer (%zu)", out.size());
  CHECK(r.fw->counters().pulsesApplied == 3, "applied once: %u", r.fw->counters().pulsesApplied);
  line = framed("0003 PCELL 1 2 1500000 100000 3");
  std::string damaged = line;
  damaged[10] = damaged[10] == '1' ? '2' : '1';
  out = r.raw(damaged + "\n\n+" + line + "\n\n");
  CHECK(out.size() == 2 && startsWith(out[0], "0003 ERR CRC crc=") && out[0].find(" copy") == std::string::npos && startsWith(out[1], "0003 OK PCELL"),
        "line damaged: its NAK, then the copy runs (%zu)", out.size());
  line = framed("0004 PCELL 1 2 1500000 100000 3");
  damaged = line;
  damaged[10] = damaged[10] == '1' ? '2' : '1';
  out = r.raw(line + "\n\n+" + damaged + "\n\n");
  CHECK(out.size() == 2 && startsWith(out[0], "0004 OK PCELL") && startsWith(out[1], "0004 ERR CRC crc=") && out[1].find(" copy *") != std::string::npos,
        "copy damaged: the answer, then a NAK marked copy (%zu)", out.size());
  out = r.raw("+" + line + "\n\n");
  CHECK(out.empty(), "a copy of a remembered SEQ is silent (%zu)", out.size());
  out = r.raw(line + "\n\n");
  CHECK(out.size() == 1 && startsWith(out[0], "0004 OK PCELL"), "a resend is answered from memory");
  CHECK(r.fw->counters().pulsesApplied == 9, "three requests, each applied once: %u", r.fw->counters().pulsesApplied);
}

int main() {
  struct T { const char* name; void (*fn)(); } tests[] = {
      {"crc", testCrc},           {"identity", testIdentity},   {"order", testOrder},         {"hold", testHold},
      {"bad-crc", testBadCrc},    {"malformed", testMalformed}, {"overlong", testOverlong},
      {"limits", testLimits},     {"exactly-once", testExactlyOnce}, {"energy-reads", testEnergyAndReads},
      {"compliance", testCompliance}, {"silence", testSilence}, {"eeprom", testEeprom}, {"copies", testCopies},
      {"product-batch", testProductBatch}, {"request-copies", testRequestCopies},
  };
  for (const T& t : tests) {
    currentTest = t.name;
    int before = failures;
    t.fn();
    printf("%s %s\n", failures == before ? "ok  " : "FAIL", t.name);
  }
  printf("firmware unit tests: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
