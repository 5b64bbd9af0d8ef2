// Firmware benchmarks: how many protocol lines per second the firmware logic handles (host build,
// stdin → stdout, no link in the way), and how much of the ATmega2560's RAM the AVR image leaves free.
import { spawnSync } from "node:child_process";
import { framed, make, HOST_BINARY } from "../tests/firmware/host-process.js";
import { encodeSignedVector } from "../protocol/serial-line/values.js";
import type { Benchmark } from "./types.js";

const LINES = 20_000;

function requestLines(): string {
  const hex = (v: number) => (v & 0xffff).toString(16).toUpperCase().padStart(4, "0");
  // 16 DAC codes of the firmware's 16-bit width (LIM vhex=4), packed as PROTOCOL.md §2 says (version 3).
  const mvf = encodeSignedVector(Array.from({ length: 16 }, (_, i) => ((i * 97) % 2000) - 1000), 4);
  const out: string[] = [framed("0001 NEW 0BADC0DE")];
  for (let k = 0; k < LINES; k++) {
    const seq = hex(2 + (k % 0xfffd));
    const body = k % 3 === 0 ? `${seq} MVF ${mvf}` : k % 3 === 1 ? `${seq} RCELL ${k % 16} ${(k * 7) % 16} 200000` : `${seq} PCELL ${k % 16} ${(k * 5) % 16} ${k % 2 ? 1500000 : -1350000} 20000 1`;
    out.push(framed(body));
  }
  return `${out.join("\n")}\n`;
}

export const benchmarks: Benchmark[] = [
  {
    name: "firmware_host_lines_per_second",
    async run() {
      make(["host"]);
      const input = requestLines();
      const t0 = process.hrtime.bigint();
      const r = spawnSync(HOST_BINARY, ["--no-watchdog", "--quiet-log", "--quiet-ms", "3600000"], { input, encoding: "utf8", maxBuffer: 64 << 20 });
      const seconds = Number(process.hrtime.bigint() - t0) * 1e-9;
      const replies = r.stdout.split("\n").filter((l) => / OK (MVF|RCELL|PCELL) /.test(l)).length;
      if (r.status !== 0 || replies !== LINES) throw new Error(`mhil-fw answered ${replies} of ${LINES} lines OK (exit ${r.status}): ${r.stderr}`);
      return { ours: LINES / seconds, unit: "lines/s", notes: { lines: LINES, mix: "MVF 16×16, RCELL, PCELL 20 µs", seconds } };
    },
  },
  {
    name: "firmware_avr_ram_free_fraction",
    async run() {
      const out = make(["avr"]);
      const data = Number(/Data:\s+(\d+) bytes/.exec(out)?.[1]);
      const program = Number(/Program:\s+(\d+) bytes/.exec(out)?.[1]);
      return { ours: 1 - data / 8192, unit: "fraction of 8 KiB", notes: { staticRamBytes: data, flashBytes: program } };
    },
  },
];
