// The user's state directory (where wear counts live) and a fingerprint of a directory tree, byte for byte.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** What src/wear/store.ts would use: $MHIL_STATE_DIR, else $XDG_STATE_HOME/memristor-hil, else ~/.local/state/memristor-hil. */
export function userStateDir(env: NodeJS.ProcessEnv): string {
  return env.MHIL_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(env.HOME ?? homedir(), ".local", "state"), "memristor-hil");
}

export interface Fingerprint {
  /** SHA-256 over every path, its kind and its bytes (or link target), in sorted order. */
  digest: string;
  /** "3 files, 1 dirs, 4120 bytes" or "absent", for messages. */
  summary: string;
}

export function treeFingerprint(root: string): Fingerprint {
  if (!existsSync(root)) return { digest: "absent", summary: "absent" };
  const hash = createHash("sha256");
  let files = 0, dirs = 0, bytes = 0;
  const walk = (rel: string) => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) {
      hash.update(`L ${rel} ${readlinkSync(abs)}\n`);
    } else if (st.isDirectory()) {
      dirs++;
      hash.update(`D ${rel}\n`);
      for (const name of readdirSync(abs).sort()) walk(rel === "" ? name : join(rel, name));
    } else {
      files++;
      const data = readFileSync(abs);
      bytes += data.length;
      hash.update(`F ${rel} ${data.length}\n`);
      hash.update(data);
    }
  };
  walk("");
  return { digest: hash.digest("hex"), summary: `${files} files, ${dirs} dirs, ${bytes} bytes` };
}
