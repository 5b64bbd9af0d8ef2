// The shared Crossbar conformance suite on the ATmega2560 IMAGE itself, under simavr: the AVR board
// code drives the simulated analog front end (AD5370 DAC over SPI, row/column muxes, TIA range, ADC) of
// firmware/test/simavr_uart.c, and the real serial driver talks to it over the harness's pty.
import { afterAll, beforeAll } from "vitest";
import { openSerialCrossbar } from "../../drivers/serial-crossbar/open.js";
import type { Crossbar } from "../../src/hal/crossbar.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { make, startSimulatedAvr, type FirmwareHost } from "../firmware/host-process.js";
import { crossbarConformance } from "./conformance.js";

const avrs: FirmwareHost[] = [];

beforeAll(() => {
  make(["simavr"]);
}, 180_000);

afterAll(async () => {
  for (const a of avrs) await a.stop();
});

// Each open gets its own simulated board: a pty carries one host at a time.
async function open(): Promise<Crossbar> {
  const avr = await startSimulatedAvr();
  avrs.push(avr);
  // simavr boots in ~1 s alone, longer beside the other tests on 2 cores: a wider open window than the default 5 s.
  return openSerialCrossbar(parseDeviceUri(`serial:${avr.path}?openTimeout=600`));
}

crossbarConformance("serial: ATmega2560 image under simavr (16×16, simulated front end)", open, {
  // Reads are quantized to 10 nA ADC codes, products to 100 nA (the TIA's high range), inputs to 150 µV.
  mvmRelativeTolerance: 0.02,
  readRelativeTolerance: 0.02,
});
