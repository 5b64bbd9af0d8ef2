// Pseudo-terminals made by socat, on which the simulated boards are served like USB devices.
import type { ChildProcess } from "node:child_process";

/** Waits for socat (started with -d -d and a `pty` address) to report the pty it made ("PTY is /dev/pts/N"). */
export function socatPtyPath(socat: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`socat did not open a pty within 5 s: ${text.trim()}`)), 5000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const m = /PTY is (\S+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        socat.stderr!.off("data", onData);
        socat.stderr!.resume(); // keep draining socat's log so it never blocks
        resolve(m[1]!);
      }
    };
    socat.stderr!.on("data", onData);
    socat.once("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start socat (is it installed? apt-get install socat): ${e.message}`));
    });
    socat.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`socat exited (${code}) before opening a pty: ${text.trim()}`));
    });
  });
}
