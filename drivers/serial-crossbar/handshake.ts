// Opening (and re-identifying) a device: `0000 ID`, then LIM in small groups of keys, each an unsequenced probe.
// Nothing else is sent until the device is known. Lines that are not this protocol are kept for the diagnosis
// ("another protocol", or this protocol's version 1 with its 16-bit CRC) so a wrong device fails fast and clearly.
import { crc16CcittFalse } from "../../protocol/serial-line/crc16.js";
import {
  LIMIT_KEYS, parseIdentityPayload, parseKeyValues, parseLimitsPayload, PROTOCOL_VERSION, type WireIdentity, type WireLimits,
} from "../../protocol/serial-line/messages.js";
import { SerialLinkError } from "./errors.js";
import type { Prober } from "./probe.js";

/** LIM keys per probe: short answers cross a noisy link far more often ((1 − p)^bytes); the device allows 6. */
export const LIM_KEYS_PER_PROBE = 3;
/** Foreign lines (not this protocol at all) after which the device is judged to speak something else. */
const FOREIGN_LINES_TO_GIVE_UP = 4;

/** What arrived that did not decode, before the device was identified. */
export class LineDiagnosis {
  private readonly foreign: string[] = [];
  private ours = 0;
  private versionOne = false;

  /** Notes an undecodable line; returns an error when it already shows the device is not one to talk to. */
  note(line: string, label: string): Error | null {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    const v1 = /^(.* )\*([0-9A-F]{4})$/.exec(text);
    if (v1 && /^[0-9A-F]{4} /.test(text) && crc16CcittFalse(v1[1]!) === parseInt(v1[2]!, 16)) {
      this.versionOne = true;
      return new SerialLinkError(`${label} speaks crossbar protocol version 1 (lines checked by CRC-16); this driver speaks version ${PROTOCOL_VERSION} (CRC-32C): update the firmware`);
    }
    // A damaged line of this protocol still looks like one (SEQ digits, or a ' *CRC' tail); anything else is foreign.
    if (/^[0-9A-F]{4} /.test(text) || / \*[0-9A-F]{4,8}$/.test(text)) {
      this.ours++;
    } else if (text.length > 0 && this.foreign.length < 8) {
      this.foreign.push(text);
    }
    return this.ours === 0 && this.foreign.length >= FOREIGN_LINES_TO_GIVE_UP ? this.foreignError(label) : null;
  }

  /** The error to report when the device never answered: foreign lines name another protocol. */
  noAnswer(label: string, fallback: Error): Error {
    if (this.versionOne) return fallback;
    return this.ours === 0 && this.foreign.length > 0 ? this.foreignError(label) : fallback;
  }

  private foreignError(label: string): Error {
    const sample = this.foreign[0]!.replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
    return new SerialLinkError(`${label} answered in another protocol (e.g. ${JSON.stringify(sample)}), not the crossbar protocol of firmware/PROTOCOL.md; only the identify probe was sent`);
  }
}

function noAnswer(label: string, what: string, seconds: number): SerialLinkError {
  return new SerialLinkError(`${label}: no answer to ${what} within ${seconds.toFixed(1)} s (is it a crossbar controller, powered, at the right baud rate? a slow or noisy link may need a longer ?openTimeout=)`);
}

/** `0000 ID` until answered; the device must speak this protocol version. */
export async function identify(prober: Prober, label: string, deadline: number, windowSeconds: number): Promise<WireIdentity> {
  const reply = await prober.ask(["ID"], deadline, { onTimeout: () => noAnswer(label, "ID", windowSeconds) });
  const id = parseIdentityPayload(reply.payload);
  if (id.proto !== PROTOCOL_VERSION) {
    throw new SerialLinkError(`${label} speaks crossbar protocol version ${id.proto}; this driver speaks version ${PROTOCOL_VERSION} (update the firmware or the host)`);
  }
  return id;
}

/** LIM, a few keys per probe; each answer must hold only keys it asked for (a late answer to another is not it). */
export async function readLimits(prober: Prober, label: string, deadline: number, windowSeconds: number): Promise<WireLimits> {
  const payload: string[] = [];
  for (let k = 0; k < LIMIT_KEYS.length; k += LIM_KEYS_PER_PROBE) {
    const keys: readonly string[] = LIMIT_KEYS.slice(k, k + LIM_KEYS_PER_PROBE);
    const reply = await prober.ask(["LIM", ...keys], deadline, {
      accept: (r) => {
        try {
          return [...parseKeyValues(r.payload).keys()].every((key) => keys.includes(key));
        } catch {
          return false;
        }
      },
      onTimeout: () => noAnswer(label, `LIM ${keys.join(" ")}`, windowSeconds),
    });
    payload.push(...reply.payload);
  }
  return parseLimitsPayload(payload);
}
