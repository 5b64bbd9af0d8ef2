// The telemetry journal: `telemetry.lp` in the run directory, InfluxDB line protocol, appended synchronously
// before anything is sent. A crash loses at most the line being written; a torn last line is cut off on reopen.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../hal/user-error.js";

/** A file that is not a telemetry journal: names it and where reading stopped. */
export class JournalError extends UserError {}

export const JOURNAL_FILE = "telemetry.lp";
/** Timestamps in the journal are microseconds since the Unix epoch (InfluxDB `precision=u`). */
export const JOURNAL_PRECISION = "u";
/** First line of every journal: a line-protocol comment (InfluxDB skips lines starting with `#`). */
export const JOURNAL_HEADER = "# mhil telemetry journal v1 precision=u";

const NL = 0x0a;
const HASH = 0x23;

/** What a journal file holds, counted without changing it. */
export interface JournalScan {
  /** Bytes up to and including the last newline: the part made of whole lines. */
  completeBytes: number;
  /** File size; larger than completeBytes when the last line is torn. */
  fileBytes: number;
  /** Whole point lines (comment lines excluded). */
  points: number;
  /** Timestamp of the last whole point line, or 0 when there is none. */
  lastTimestamp: number;
}

/** Counts the whole lines of a journal and finds its last timestamp. Reads only. */
export function scanJournal(path: string): JournalScan {
  const fd = openSync(path, "r");
  try {
    const fileBytes = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(1 << 20);
    let pos = 0; // file offset of buf[0]
    let points = 0;
    let completeBytes = 0;
    let lastLineStart = -1; // file offset of the last whole point line
    while (pos < fileBytes) {
      // Re-read from the start of the first unfinished line so every line is seen whole (memchr via indexOf).
      const n = readSync(fd, buf, 0, buf.length, completeBytes);
      if (n === 0) break;
      pos = completeBytes;
      let lineStart = 0;
      for (let nl = buf.indexOf(NL, 0); nl !== -1 && nl < n; nl = buf.indexOf(NL, lineStart)) {
        if (nl > lineStart && buf[lineStart] !== HASH) {
          points++;
          lastLineStart = pos + lineStart;
        }
        lineStart = nl + 1;
        if (lineStart >= n) break;
      }
      if (lineStart === 0) {
        // One line longer than the buffer, or a torn tail with no newline: stop at the last newline seen.
        if (pos + n >= fileBytes) break;
        throw new JournalError(`${path}: a line longer than ${buf.length} bytes at byte ${pos}; not a telemetry journal?`);
      }
      completeBytes = pos + lineStart;
      if (pos + n >= fileBytes) break;
    }
    let lastTimestamp = 0;
    if (lastLineStart >= 0) {
      const len = Math.min(completeBytes - lastLineStart, 1 << 16);
      const b = Buffer.alloc(len);
      readSync(fd, b, 0, len, completeBytes - len);
      const line = b.toString("utf8").trimEnd();
      const ts = Number(line.slice(line.lastIndexOf(" ") + 1));
      if (Number.isSafeInteger(ts)) lastTimestamp = ts;
    }
    return { completeBytes, fileBytes, points, lastTimestamp };
  } finally {
    closeSync(fd);
  }
}

export function journalPath(runDir: string): string {
  return join(runDir, JOURNAL_FILE);
}

export class Journal {
  private constructor(
    readonly path: string,
    private fd: number | null,
    private pointCount: number,
    private byteCount: number,
    readonly lastTimestampAtOpen: number,
  ) {}

  /**
   * Opens (or creates) the run's journal for appending. A torn last line (a crash mid-append) is cut off
   * and reported through `log`; everything before it is kept.
   */
  static open(runDir: string, log: (line: string) => void = () => {}): Journal {
    const path = journalPath(runDir);
    if (!existsSync(path)) {
      const fd = openSync(path, "a");
      const header = JOURNAL_HEADER + "\n";
      writeSync(fd, header);
      return new Journal(path, fd, 0, Buffer.byteLength(header), 0);
    }
    const scan = scanJournal(path);
    const fd = openSync(path, "r+");
    if (scan.fileBytes > scan.completeBytes) {
      ftruncateSync(fd, scan.completeBytes);
      fsyncSync(fd);
      log(`telemetry: ${path}: torn last line (${scan.fileBytes - scan.completeBytes} bytes after byte ${scan.completeBytes}, a crash mid-append) cut off; ${scan.points} whole points kept`);
    }
    closeSync(fd);
    return new Journal(path, openSync(path, "a"), scan.points, scan.completeBytes, scan.lastTimestamp);
  }

  /** Appends one line (no newline inside) and returns once the kernel has it: a process crash cannot lose it. */
  append(line: string): void {
    if (this.fd === null) throw new Error(`telemetry journal ${this.path} is closed`);
    const data = line + "\n";
    this.byteCount += writeSync(this.fd, data);
    this.pointCount++;
  }

  /** Whole points in the journal (including those from before a reopen). */
  points(): number {
    return this.pointCount;
  }

  bytes(): number {
    return this.byteCount;
  }

  /** Flushes to the disk (a power loss then loses nothing appended so far). */
  sync(): void {
    if (this.fd !== null) fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

/** Size of the journal file now (0 when it does not exist). */
export function journalFileBytes(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}
