/** `keygen` (DESIGN §3): the host's Ed25519 key pair; never overwrites a key. */
import { keyPath } from "../config.ts";
import { EXIT } from "../exit.ts";
import { createKeyFile, defaultKeyPath, KeyExistsError } from "../keyfile.ts";
import { command } from "./command.ts";

export const keygen = command({
  name: "keygen",
  help: `usage: seatwatch-beacon keygen [--key PATH] [--json]

Creates this host's Ed25519 key pair: the private key goes to PATH (PKCS#8 PEM, mode 0600, owned
by you; the directory is created 0700), the public key (whpk_…) is printed on stdout — give it to
the admin, or register it yourself with \`enroll --token T\`. Never overwrites an existing key.

  --key PATH            where to write it (env SEATWATCH_KEY; default $XDG_CONFIG_HOME/seatwatch/key.pem,
                        /etc/seatwatch/key.pem as root)
  --json                print {"key": PATH, "publicKey": "whpk_…"}
  -h, --help            this help

Exit codes:
  0  created; the public key is on stdout
  1  a key file already exists there (its public key is in the message)
  2  usage error, or the file cannot be created
`,
  options: { key: { type: "string" } },
  async run({ flags, json, env }) {
    const path = keyPath(flags.key, env, defaultKeyPath(env));
    let publicKey: string;
    try {
      publicKey = await createKeyFile(path);
    } catch (error) {
      if (!(error instanceof KeyExistsError)) throw error;
      process.stderr.write(`seatwatch-beacon: ${error.message}\n`);
      return EXIT.failed;
    }
    if (json) {
      process.stdout.write(`${JSON.stringify({ key: path, publicKey })}\n`);
    } else {
      process.stderr.write(`seatwatch-beacon: wrote the private key to ${path} (mode 0600); the public key:\n`);
      process.stdout.write(`${publicKey}\n`);
    }
    return EXIT.ok;
  },
});
