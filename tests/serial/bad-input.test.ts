// Bad input on serial: — an unknown path, a port in use, permission denied, a device speaking another
// protocol: one clear line each, and nothing sent to the device beyond the identify probe.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync } from "node:fs";
import { Duplex } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { SerialPort } from "serialport";
import { openCrossbar } from "../../src/backends/open.js";
import { serveFirmwareTwin, type ServedFirmwareTwin } from "../../emulators/firmware-twin/serve.js";

const children: ChildProcess[] = [];
const served: ServedFirmwareTwin[] = [];
afterAll(async () => {
  for (const s of served) await s.close();
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

function oneLine(e: unknown): string {
  const m = (e as Error).message;
  expect(m.split("\n")).toHaveLength(1);
  return m;
}

/** A pty whose other end is this process (socat pty ↔ STDIO): returns its path and the byte stream. */
async function rawPty(): Promise<{ path: string; stream: Duplex; received: () => string }> {
  const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0,ignoreeof", "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
  children.push(socat);
  const path = await new Promise<string>((resolve, reject) => {
    let text = "";
    socat.stderr!.on("data", (c: Buffer) => {
      text += c.toString();
      const m = /PTY is (\S+)/.exec(text);
      if (m) resolve(m[1]!);
    });
    socat.once("exit", () => reject(new Error(text)));
  });
  let got = "";
  socat.stdout!.on("data", (c: Buffer) => (got += c.toString("latin1")));
  const stream = Duplex.from({ readable: socat.stdout!, writable: socat.stdin! });
  stream.on("error", () => undefined); // premature close when socat is killed in afterAll
  socat.stdin!.on("error", () => undefined);
  return { path, stream, received: () => got };
}

describe("serial: bad input", () => {
  it("an unknown device path", async () => {
    const e = await openCrossbar("serial:/dev/ttyNOPE42").catch((x) => x);
    expect(oneLine(e)).toMatch(/\/dev\/ttyNOPE42 does not exist/);
  });

  it("a port already in use (serialport's lock): nothing reaches the device", async () => {
    const s = await serveFirmwareTwin({ device: "sim:reram?rows=4&cols=4&seed=1" });
    served.push(s);
    const holder = new SerialPort({ path: s.path, baudRate: 115200, lock: true, autoOpen: false });
    await new Promise<void>((res, rej) => holder.open((err) => (err ? rej(err) : res())));
    try {
      const e = await openCrossbar(`serial:${s.path}`).catch((x) => x);
      expect(oneLine(e)).toMatch(/already in use/);
      await new Promise((r) => setTimeout(r, 100));
      expect(s.twin.counters.linesReceived).toBe(0);
    } finally {
      await new Promise<void>((res) => holder.close(() => res()));
    }
  });

  it("permission denied names the dialout group fix", async () => {
    const { path } = await rawPty();
    chmodSync(path, 0o600); // root's; the opener below runs as nobody
    const script = `import(${JSON.stringify(new URL("../../dist/src/backends/open.js", import.meta.url).pathname)}).then((m) => m.openCrossbar(${JSON.stringify(`serial:${path}`)})).then(() => process.exit(0), (e) => { process.stderr.write(e.message + "\\n"); process.exit(2); });`;
    expect(existsSync(new URL("../../dist/src/backends/open.js", import.meta.url).pathname), "run `npx tsc -p tsconfig.json` first").toBe(true);
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { uid: 65534, gid: 65534, encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/permission denied .*sudo usermod -aG dialout \$USER.*log (out and )?in again/);
  });

  it("a device that answers in another protocol: one line, and only the identify probe was sent", async () => {
    const pty = await rawPty();
    // A GPS-like device: answers every line with an NMEA sentence.
    pty.stream.on("data", () => pty.stream.write("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"));
    const e = await openCrossbar(`serial:${pty.path}?timeout=100`).catch((x) => x);
    expect(oneLine(e)).toMatch(/answered in another protocol .*GPGGA.*only the identify probe was sent/);
    const sent = pty.received().split("\n").filter((l) => l.length > 0);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set(["0000 ID *695C4464"]));
  });
});
