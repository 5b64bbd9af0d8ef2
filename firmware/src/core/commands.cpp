// The commands that touch the array (PROTOCOL.md §5): arguments parsed and checked against the device's own
// limits (each check answers the refusal itself and returns false), then driven through the engine.
#include "firmware.h"
#include "text.h"
#include "../hal/front_end.h"

namespace mhil {

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

// `n` packed read codes (V(4): at most 3 base-64 digits each), each within vrmax.
bool Firmware::readCode(uint16_t seq, const char* text, uint16_t n, int16_t* out) {
  VectorReader vec;
  if (!vec.begin(text, CODE_DIGITS)) {
    errorReply(seq, "SYNTAX", "vector digit count");
    return false;
  }
  int16_t maxCode = codeAtMost(cal_, cal_.limits.maxReadMicrovolts);
  for (uint16_t i = 0; i < n; i++) {
    int32_t v;
    if (!vec.next(true, &v)) {
      errorReply(seq, "SYNTAX", "vector length or digits");
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
  if (!vec.done()) {
    errorReply(seq, "SYNTAX", "vector length");
    return false;
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
  reply_.fieldVector(&code, 1);
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
  reply_.fieldVector(out, shape_.cols);
}

// 1 to PRODUCT_VECTORS (LIM mvb) input vectors, each its own product, in order (PROTOCOL.md §5). Every vector is
// checked first (count, syntax, length, vrmax): a refused line drives nothing. One reply: the exact sum of the
// products' measurements, then one output vector per input.
void Firmware::cmdProduct(uint16_t seq, char** f, uint8_t nf, LineKind driven) {
  if (nf < 3) return errorReply(seq, "SYNTAX", driven == ROW ? "MVF V(4)xrows..." : "MVT V(4)xcols...");
  uint8_t vectors = (uint8_t)(nf - 2);
  if (vectors > PRODUCT_VECTORS) {
    reply_.clear();
    reply_.fieldHex(seq, 4);
    reply_.field("ERR LIMIT mvb:");
    reply_.fieldU(vectors);
    reply_.field("vectors exceed");
    reply_.fieldU(PRODUCT_VECTORS);
    return;
  }
  uint8_t nIn = driven == ROW ? shape_.rows : shape_.cols;
  uint8_t nOut = driven == ROW ? shape_.cols : shape_.rows;
  int16_t in[PRODUCT_VECTORS][MAX_LINES], out[PRODUCT_VECTORS][MAX_LINES];
  for (uint8_t k = 0; k < vectors; k++)
    if (!readCode(seq, f[2 + k], nIn, in[k])) return;
  Spent spent = Spent();
  for (uint8_t k = 0; k < vectors; k++) {
    Tally t = Tally();
    engine_.product(driven, in[k], out[k], t);
    spent.add(t);
  }
  beginOk(seq, driven == ROW ? "MVF" : "MVT");
  measuredAndCounted(spent);
  for (uint8_t k = 0; k < vectors; k++) reply_.fieldVector(out[k], nOut);
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
  VectorReader vec;
  if (!vec.begin(f[6], COUNT_DIGITS)) return errorReply(seq, "SYNTAX", "counts digit count");
  uint8_t sel[MAX_LINES];
  uint16_t counts[MAX_LINES];
  uint8_t nsel = 0;
  uint32_t badCount = 0;
  for (uint8_t k = 0; k < crossing; k++) {
    uint32_t v;
    int32_t c;
    if (!vec.next(false, &c)) return errorReply(seq, "SYNTAX", "counts vector length or digits");
    v = (uint32_t)c;
    if (v > cal_.limits.maxCount && v > badCount) badCount = v;
    if (v > 0) {
      sel[nsel] = k;
      counts[nsel++] = (uint16_t)v;
    }
  }
  if (!vec.done()) return errorReply(seq, "SYNTAX", "counts vector length");
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

// DUP n: from this answer on, every line goes n times (1 or 2), so a copy damaged on a noisy link costs its bytes,
// not a round trip. NEW and a reset go back to 1.
void Firmware::cmdCopies(uint16_t seq, char** f, uint8_t nf) {
  if (nf != 3 || (!is(f[2], "1") && !is(f[2], "2"))) return errorReply(seq, "SYNTAX", "DUP takes 1 or 2");
  copies_ = (uint8_t)(f[2][0] - '0');
  beginOk(seq, "DUP");
  measured(Tally());
}

}  // namespace mhil
