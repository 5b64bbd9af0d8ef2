// `mhil info --device firmata:…` leaves the board quiet: before the port closes the twin has received
// analog-reporting-off for every channel the driver turned on, and no analog report is sent after it, so the
// next connection's handshake has the link to itself. Runs the compiled CLI (dist/).
import { spawn } from "node:child_process";
import { afterAll, expect, test } from "vitest";
import { encodeHost, FirmataDecoder, type BoardMessage } from "../../protocol/firmata/codec.js";
import { serveFirmataTwin, type ServedFirmataTwin } from "../../emulators/firmata-twin/serve.js";
import { RawFirmataHost } from "./raw-host.js";

let twin: ServedFirmataTwin | undefined;
afterAll(async () => {
  await twin?.close();
});

function mhil(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["bin/mhil.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

test("after `mhil info` closes, every analog channel it enabled was turned off and no analog report follows", async () => {
  twin = await serveFirmataTwin({ seed: 2, log: () => undefined });
  const reportCommands: { channel: number; enable: boolean; seconds: number }[] = [];
  const analogWritten: number[] = [];
  twin.board.watch((e) => {
    if (e.kind === "host" && e.message.type === "reportAnalog") reportCommands.push({ channel: e.message.channel, enable: e.message.enable, seconds: e.seconds });
    if (e.kind === "written" && new FirmataDecoder<BoardMessage>("board-to-host").push(e.bytes).some((m) => m.type === "analog")) analogWritten.push(e.seconds);
  });

  const r = await mhil(["info", "--device", `firmata:${twin.path}`]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/firmware:\s+StandardFirmata\.ino 2\.5/);

  const enabled = new Set(reportCommands.filter((c) => c.enable).map((c) => c.channel));
  expect([...enabled].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  // Each channel's last command is "off", and it reached the board.
  for (const ch of enabled) expect(reportCommands.filter((c) => c.channel === ch).at(-1), `A${ch}`).toMatchObject({ enable: false });
  const off = Math.max(...reportCommands.filter((c) => !c.enable).map((c) => c.seconds));

  // The next host: once the twin's clock is 20 sampling intervals past the last "off", it asks for the version.
  // Everything the board sent meanwhile arrives before the answer: no analog report among it, none written.
  const host = await RawFirmataHost.open(twin.path, twin.config.baudRate);
  try {
    const quietUntil = off + 20 * twin.config.samplingIntervalSeconds;
    while (twin.board.now() < quietUntil) await new Promise((res) => setTimeout(res, 5));
    const from = host.messages.length;
    await host.ask(encodeHost.versionQuery(), (m): m is Extract<BoardMessage, { type: "version" }> => m.type === "version", "version");
    expect(host.messages.slice(from).filter((m) => m.type === "analog")).toEqual([]);
    expect(analogWritten.filter((t) => t > off)).toEqual([]);
    expect(analogWritten.length).toBeGreaterThan(0); // it did stream while the driver was connected
  } finally {
    await host.close();
  }
});
