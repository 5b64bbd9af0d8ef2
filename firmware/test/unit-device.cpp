// Firmware unit tests (host build) of the device side: limits on every command, energy and reads,
// compliance, EEPROM. Run from unit.cpp's main.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <functional>
#include "check.h"

using namespace rig;

void testLimits() {
  Rig r;
  newSession(r);
  uint64_t ep = r.board->episodeCount();
  struct Case { const char* body; const char* expect; };
  Case cases[] = {
      {"PCELL 1 2 1500001 100000 1", "ERR LIMIT vpmax"},
      {"PCELL 1 2 -1350001 100000 1", "ERR LIMIT vnmax"},
      {"PCELL 1 2 1500000 19999 1", "ERR LIMIT wmin"},
      {"PCELL 1 2 1500000 10000001 1", "ERR LIMIT wmax"},
      {"PCELL 1 2 1500000 100000 101", "ERR LIMIT cmax"},
      {"PCELL 16 2 1500000 100000 1", "ERR LIMIT row"},
      {"PCELL 1 16 1500000 100000 1", "ERR LIMIT col"},
      {"PROW 16 2 1500000 100000 11>", "ERR LIMIT line"},
      {"PROW 1 4 1500000 100000 11>", "ERR LIMIT scheme"},
      {"PROW 1 2 1500000 100000 21b>", "ERR LIMIT cmax"},
      {"PCOL 1 3 -1400000 100000 11>", "ERR LIMIT vnmax"},
      {"RCELL 1 2 300001", "ERR LIMIT vrmax"},
      {"RCELL 1 2 -300001", "ERR LIMIT vrmax"},
      {"RROW 16 200000", "ERR LIMIT row"},
      {"MVF 2VH>", "ERR LIMIT vrmax"},
      {"MVT 2>Wl", "ERR LIMIT vrmax"},
  };
  // Refusals do not consume the SEQ: every case goes as 0002.
  for (const Case& c : cases) {
    std::string reply = r.ask(std::string("0002 ") + c.body);
    CHECK(reply.find(c.expect) == 5, "%s -> %s", c.body, reply.c_str());
  }
  CHECK(r.fw->nextSeq() == 2, "next unchanged by refusals");
  unsigned seq = 2;
  CHECK(r.board->episodeCount() == ep, "nothing driven by refused requests");
  CHECK(r.fw->counters().pulsesApplied == 0, "no pulse counted");
  // The limits themselves are allowed, and no cell ever sees more than them.
  Case edges[] = {
      {"PCELL 1 2 1500000 20000 1", "OK PCELL"},
      {"PCELL 1 2 -1350000 10000000 1", "OK PCELL"},
      {"PCELL 1 2 1500000 100000 100", "OK PCELL"},
      {"PROW 1 3 1500000 20000 1!123456789GHIJKL", "OK PROW"},
      {"RCELL 1 2 300000", "OK RCELL"},
      {"RROW 3 -300000", "OK RROW"},
      {"MVT 2WmWmWmWmWmWmWmWmWmWmWmWmWmWmWmWm", "OK MVT"},
  };
  for (const Case& c : edges) {
    char s[8];
    snprintf(s, sizeof s, "%04X ", seq++);
    std::string reply = r.ask(std::string(s) + c.body);
    CHECK(reply.find(c.expect) == 5, "%s -> %s", c.body, reply.c_str());
  }
  for (const mhil::DriveEpisode& e : r.board->episodes()) {
    CHECK(e.maxCellVolts <= 1.5f + 1e-6f && e.minCellVolts >= -1.35f - 1e-6f, "cell volts %g..%g", e.minCellVolts, e.maxCellVolts);
    CHECK(e.durationMicros <= 10000 + 1000, "episode %u us", e.durationMicros);
  }
}

void testEnergyAndReads() {
  Rig r;
  newSession(r);
  // Read: G = code * alsb / (rv * vlsb).
  double g = r.board->conductance(3, 4);
  auto f = split(r.ask("0002 RCELL 3 4 200000"));
  CHECK(f.size() == 9 && f[2] == "RCELL", "RCELL fields %zu", f.size());
  int code = f.size() == 9 && unpacked(f[7]).size() == 1 ? (int)unpacked(f[7])[0] : 0;
  double measured = code * 10e-9 / 0.2;
  CHECK(fabs(measured - g) / g < 0.01, "read %g true %g", measured, g);
  CHECK(decimal(f[3]) > 0 && decimal(f[6]) > 0, "read energy and duration");
  // Forward product against Kirchhoff.
  std::vector<long> in;
  double v[16];
  for (int i = 0; i < 16; i++) {
    int c = (i * 97) % 2000 - 1000;
    v[i] = c * 150e-6;
    in.push_back(c);
  }
  f = split(r.ask("0003 MVF " + packed(in)));
  std::vector<long> out = f.size() == 9 ? unpacked(f[7]) : std::vector<long>();
  CHECK(out.size() == 16, "MVF payload");
  for (int c = 0; c < 16 && out.size() == 16; c++) {
    double expect = 0;
    for (int i = 0; i < 16; i++) expect += r.board->conductance(i, c) * v[i];
    double got = out[c] * 100e-9;  // alsbf
    CHECK(fabs(got - expect) < 1.5e-7 + 1e-3 * fabs(expect), "col %d got %g expect %g", c, got, expect);
  }
  // Pulse energy: all three components measured, duration at least the pulses.
  f = split(r.ask("0004 PCELL 5 6 1500000 100000 2"));
  CHECK(f.size() == 10, "PCELL fields");
  if (f.size() == 10) {
    CHECK(decimal(f[3]) > 0 && decimal(f[4]) > 0 && decimal(f[5]) > 0, "Ecell Ehalf Eperiph %s %s %s", f[3].c_str(), f[4].c_str(), f[5].c_str());
    CHECK(decimal(f[6]) >= 200e-6, "duration %s", f[6].c_str());
    // Cell energy near V^2 * G * t with G between its start and end values.
    double gEnd = r.board->conductance(5, 6);
    double upper = 1.5 * 1.5 * gEnd * decimal(f[6]);
    CHECK(decimal(f[3]) < upper * 1.2, "cell energy %g below %g", decimal(f[3]), upper);
  }
  auto en = split(r.ask("0005 EN"));
  CHECK(en.size() == 13 && en[11] == "2", "EN counts 2 pulses: %s", en.size() == 13 ? en[11].c_str() : "?");
  // Half-select: a row-parallel SET moves the selected cells only.
  double before[16];
  for (int c = 0; c < 16; c++) before[c] = r.board->conductance(7, c);
  double other = r.board->conductance(8, 1);
  std::string pr = r.ask("0006 PROW 7 2 1500000 100000 1!2;3");
  CHECK(pr.find(" 5 0 *") != std::string::npos, "PROW applied 5: %s", pr.c_str());
  for (int c = 0; c < 16; c++) {
    bool selected = c == 1 || c == 15;
    double now = r.board->conductance(7, c);
    CHECK(selected ? now > before[c] : now == before[c], "cell (7,%d) %g -> %g", c, before[c], now);
  }
  CHECK(r.board->conductance(8, 1) == other, "half-selected neighbour untouched");
  // Column-parallel: positive volts potentiate too (the cell sees V(row) - V(col) = +V).
  double c0 = r.board->conductance(0, 10), c15 = r.board->conductance(15, 10), cOther = r.board->conductance(7, 10);
  std::string pc = r.ask("0007 PCOL 10 3 1500000 100000 12<2");
  CHECK(pc.find(" 4 0 *") != std::string::npos, "PCOL applied 4: %s", pc.c_str());
  CHECK(r.board->conductance(0, 10) > c0 && r.board->conductance(15, 10) > c15, "PCOL SET raised the selected cells");
  CHECK(r.board->conductance(7, 10) == cOther, "PCOL left an unselected cell alone");
  double g9 = r.board->conductance(9, 9);
  r.ask("0008 PCELL 9 9 -1350000 100000 3");
  CHECK(r.board->conductance(9, 9) < g9, "RESET lowers G");
  CHECK(r.board->allGrounded(), "grounded after every command");
}

void testCompliance() {
  Rig r(2000, 2, 3);
  newSession(r);
  std::string a = r.ask("0002 PCELL 2 3 1500000 1000000 5");
  CHECK(startsWith(a, "0002 OK PCELL") && a.find(" 0 1 *") != std::string::npos, "shorted cell trips: %s", a.c_str());
  const mhil::DriveEpisode& e = r.board->episodes().back();
  CHECK(e.durationMicros < 100, "cut short: %u us of 1000", e.durationMicros);
  std::string b = r.ask("0003 PCELL 4 4 1500000 100000 2");
  CHECK(b.find(" 2 0 *") != std::string::npos, "a healthy cell elsewhere: %s", b.c_str());
  // Row-parallel on row 5: column 3 carries the short half-selected (V/2 x 5 mS beyond the sense
  // range), so that line is cut; column 4 goes on.
  std::string c = r.ask("0004 PROW 5 2 1500000 100000 1#22:");
  CHECK(c.find(" 2 1 *") != std::string::npos, "row-parallel: the overloaded line trips, the other goes on: %s", c.c_str());
  CHECK(r.ask("0005 ST").find(" trips=2 ") != std::string::npos, "ST trips");
}

void testEeprom() {
  rig::BufferLink link;
  mhil::SimOptions o;
  o.virtualClock = true;
  mhil::SimBoard board(o, &link);
  mhil::Calibration cal;
  CHECK(!mhil::loadCalibration(board, &cal), "blank EEPROM is not valid");
  CHECK(!strcmp(cal.serial, "UNSET"), "default serial");
  strcpy(cal.serial, "XB-0042");
  cal.limits.maxProgramMicrovoltsPos = 9000000;  // beyond the hard ceiling
  mhil::storeCalibration(board, &cal);
  mhil::Calibration back;
  CHECK(mhil::loadCalibration(board, &back), "stored calibration valid");
  CHECK(!strcmp(back.serial, "XB-0042"), "serial %s", back.serial);
  CHECK(back.limits.maxProgramMicrovoltsPos == 2500000, "clamped to the hard ceiling: %u", back.limits.maxProgramMicrovoltsPos);
  {
    mhil::Firmware fw(board, 2000);
    fw.begin();
    CHECK(fw.calibrationFromEeprom(), "firmware used EEPROM");
    link.out.clear();
    for (char c : framed("0000 ID") + "\n") link.in.push_back((uint8_t)c);
    while (!link.in.empty()) fw.poll();
    CHECK(link.out.find(" serial=XB-0042 ") != std::string::npos, "%s", link.out.c_str());
  }
  uint8_t b;
  board.storageRead(20, &b, 1);
  b ^= 0x55;
  board.storageWrite(20, &b, 1);
  CHECK(!mhil::loadCalibration(board, &back) && !strcmp(back.serial, "UNSET"), "corrupt EEPROM -> defaults");
}

// MVF/MVT with 1..mvb vectors (PROTOCOL.md §5): a line of k vectors answers exactly what k single lines answer on an
// identical board (same seed, virtual clock): the same outputs, in order, and the sum of their four measurements.
void testProductBatch() {
  std::vector<std::vector<long>> in(3);
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 16; i++) in[k].push_back(((i + 5 * k) * 97) % 4000 - 2000);  // full range: 2000 codes = vrmax
  Rig single, batch;
  newSession(single);
  newSession(batch);
  std::vector<std::string> outs;
  double sums[4] = {0, 0, 0, 0};
  uint64_t fj[3] = {0, 0, 0};
  for (int k = 0; k < 3; k++) {
    auto f = split(single.ask("000" + std::to_string(2 + k) + " MVF " + packed(in[k])));
    CHECK(f.size() == 9 && f[1] == "OK", "single %d", k);
    if (f.size() != 9) return;
    outs.push_back(f[7]);
    for (int m = 0; m < 4; m++) sums[m] += decimal(f[3 + m]);
    for (int m = 0; m < 3; m++) fj[m] += strtoull(f[3 + m].c_str(), 0, 10);
  }
  std::string line = batch.ask("0002 MVF " + packed(in[0]) + " " + packed(in[1]) + " " + packed(in[2]));
  auto f = split(line);
  CHECK(f.size() == 11 && f[1] == "OK" && f[2] == "MVF", "%s", line.c_str());
  if (f.size() != 11) return;
  for (int k = 0; k < 3; k++) CHECK(f[7 + k] == outs[k], "vector %d: %s, alone %s", k, f[7 + k].c_str(), outs[k].c_str());
  for (int m = 0; m < 3; m++) CHECK(strtoull(f[3 + m].c_str(), 0, 10) == fj[m], "energy %d: %s", m, f[3 + m].c_str());
  CHECK(fabs(decimal(f[6]) - sums[3]) < 1e-12, "duration %s, alone %g", f[6].c_str(), sums[3]);
  auto en = split(batch.ask("0003 EN"));
  CHECK(en.size() == 13 && strtoull(en[7].c_str(), 0, 10) == fj[0], "EN counted the line once: %s", en.size() > 7 ? en[7].c_str() : "?");
  // The longest reply (full-width outputs are rare; this one is as long as the inputs allow) is remembered whole.
  std::vector<std::string> again = batch.raw(framed("0000 RPT 0002") + "\n");
  CHECK(again.size() == 1 && again[0] == line, "RPT gives the batched reply byte for byte");
  CHECK(mhil::LONGEST_PRODUCT_REPLY == mhil::SLOT_BYTES && line.size() - 10 <= mhil::SLOT_BYTES, "slot %u", mhil::SLOT_BYTES);

  // Too many vectors, or one bad vector among them: refused whole, nothing driven, SEQ not consumed.
  uint64_t ep = batch.board->episodeCount();
  std::string v = packed(in[0]);
  std::string four = batch.ask("0004 MVT " + v + " " + v + " " + v + " " + v);
  CHECK(startsWith(four, "0004 ERR LIMIT mvb: 4 vectors exceed 3 *"), "%s", four.c_str());
  std::string eight = "0004 MVF 1}";
  for (int k = 1; k < 8; k++) eight += " 1}";
  CHECK(startsWith(batch.ask(eight), "0004 ERR LIMIT mvb: 8 vectors exceed 3 *"), "more fields than a line keeps");
  std::vector<long> over(16, 0);
  over[3] = 2001;
  CHECK(startsWith(batch.ask("0004 MVF " + v + " " + packed(over)), "0004 ERR LIMIT vrmax: element 3"), "a later vector beyond vrmax");
  CHECK(startsWith(batch.ask("0004 MVF " + v + " 23C"), "0004 ERR SYNTAX"), "a later vector too short");
  CHECK(startsWith(batch.ask("0004 MVF"), "0004 ERR SYNTAX"), "no vector");
  CHECK(startsWith(batch.ask("0004 LIM a b c d e f g"), "0004 ERR SYNTAX"), "LIM keeps its 6 names");
  CHECK(batch.board->episodeCount() == ep && batch.fw->nextSeq() == 4, "a refused line drives nothing");
}
