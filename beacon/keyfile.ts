/**
 * The host's Ed25519 key file (DESIGN §3 keygen): PKCS#8 PEM, mode 0600, owned by the user the
 * beacon runs as. As ssh does, a key file anyone else can read, or that someone else owns, is
 * refused rather than warned about, and the refusal prints the exact command that fixes it.
 */
import { closeSync, fchmodSync, mkdirSync, openSync, readFileSync, type Stats, statSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, publicKeyOf } from "../protocol/keys.ts";
import { UsageError } from "./exit.ts";
import { readPasswd } from "./proc.ts";

/** A key file problem: the beacon refuses to start (exit 2, like any configuration error). */
export class KeyFileError extends UsageError {}

/** keygen found a key already there: replacing an enrolled key needs the admin, so it is never overwritten. */
export class KeyExistsError extends Error {}

export interface BeaconKey {
  path: string;
  privateKey: CryptoKey;
  publicKey: string;
}

/** Where keygen writes and the other commands look when neither --key nor SEATWATCH_KEY is given. */
export function defaultKeyPath(env: NodeJS.ProcessEnv, uid = process.getuid?.() ?? 0): string {
  if (uid === 0) return "/etc/seatwatch/key.pem";
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(config, "seatwatch", "key.pem");
}

/** Creates a new key pair at `path` (never over an existing file); returns the public key. */
export async function createKeyFile(path: string): Promise<string> {
  const file = resolve(path);
  const existing = statOrNull(file);
  if (existing) throw new KeyExistsError(await describeExisting(file));
  const pair = await generateKeyPair();
  const pem = await privateKeyToPem(pair.privateKey);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    // O_EXCL: a file that appeared since the check above is not clobbered either.
    fd = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw new KeyExistsError(await describeExisting(file));
    throw new KeyFileError(`cannot create key file ${file}: ${(error as Error).message}`);
  }
  try {
    // The umask may have taken bits away, never added any; set 0600 exactly anyway.
    fchmodSync(fd, 0o600);
    writeSync(fd, pem);
  } finally {
    closeSync(fd);
  }
  return pair.publicKey;
}

async function describeExisting(file: string): Promise<string> {
  let publicKey = "";
  try {
    publicKey = ` (public key ${(await loadKeyFile(file)).publicKey})`;
  } catch {
    // Unreadable or refused: the message below still names the file.
  }
  return `key file ${file} already exists${publicKey}; keygen never replaces a key (an enrolled key is the host's identity). Remove it first if you mean to, then enroll the new key with a fresh token or ask the admin to replace it.`;
}

/** Reads and checks the key file; every refusal names the file and the command that fixes it. */
export async function loadKeyFile(path: string, uid = process.getuid?.() ?? 0): Promise<BeaconKey> {
  const file = resolve(path);
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new KeyFileError(
        `key file ${file} does not exist: create it with \`seatwatch-beacon keygen --key ${shellQuote(file)}\``,
      );
    }
    throw new KeyFileError(`cannot read key file ${file}: ${(error as Error).message}`);
  }
  if (!stats.isFile()) throw new KeyFileError(`key file ${file} is not a regular file`);
  const problems = permissionProblems(file, stats, uid);
  if (problems.length > 0) {
    throw new KeyFileError(
      `key file ${file} is refused: ${problems.map((p) => p.problem).join("; ")}. Fix:\n${problems.map((p) => `  ${p.fix}`).join("\n")}`,
    );
  }
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch (error) {
    throw new KeyFileError(`cannot read key file ${file}: ${(error as Error).message}`);
  }
  try {
    const privateKey = await privateKeyFromPem(pem);
    return { path: file, privateKey, publicKey: await publicKeyOf(privateKey) };
  } catch (error) {
    throw new KeyFileError(
      `key file ${file} is not an Ed25519 private key in PKCS#8 PEM (${(error as Error).message}); create one with seatwatch-beacon keygen`,
    );
  }
}

/** Owner first: a chmod by the wrong owner would not make the key ours. */
export function permissionProblems(file: string, stats: Stats, uid: number): { problem: string; fix: string }[] {
  const problems: { problem: string; fix: string }[] = [];
  const users = new Map(readPasswd().map((entry) => [entry.uid, entry.name]));
  const name = (id: number) => users.get(id) ?? String(id);
  if (stats.uid !== uid) {
    problems.push({
      problem: `it is owned by ${name(stats.uid)} (uid ${stats.uid}), but the beacon runs as ${name(uid)} (uid ${uid})`,
      fix: `${uid === 0 ? "" : "sudo "}chown ${name(uid)} ${shellQuote(file)}`,
    });
  }
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    problems.push({
      problem: `group/others have access to it (mode ${mode.toString(8).padStart(4, "0")}); a private key must be 0600`,
      fix: `chmod 600 ${shellQuote(file)}`,
    });
  }
  return problems;
}

/** Quotes a path for a POSIX shell only when it needs it, so the usual fix reads plainly. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
