/** Where the CLI finds its settings, and what it says when a token is refused — without a Worker. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../admin/args.ts";
import { Api, ApiRefused, resolveSettings, type Settings } from "../../admin/client.ts";

const dir = mkdtempSync(join(tmpdir(), "seatwatch-client-"));
writeFileSync(join(dir, ".dev.vars"), "ADMIN_TOKEN=dev-token\n");

describe("settings", () => {
  it("--token-file wins over SEATWATCH_ADMIN_TOKEN, and the source is named", () => {
    const file = join(dir, "token");
    writeFileSync(file, "from-file\n");
    const settings = resolveSettings(
      { url: "https://sw.example/", "token-file": file },
      { SEATWATCH_ADMIN_TOKEN: "from-env" },
      dir,
    );
    expect(settings).toMatchObject({
      url: "https://sw.example",
      urlSource: "--url",
      admin: { value: "from-file", source: `--token-file ${file}` },
    });
  });

  it("takes a local Worker's admin token from ./.dev.vars, as npm start writes it", () => {
    const settings = resolveSettings({}, { SEATWATCH_URL: "http://127.0.0.1:8787" }, dir);
    expect(settings.admin).toEqual({ value: "dev-token", source: `ADMIN_TOKEN in ${join(dir, ".dev.vars")}` });
  });

  it("never sends .dev.vars' token to a Worker that is not local", () => {
    expect(resolveSettings({}, { SEATWATCH_URL: "https://sw.example" }, dir).admin).toBeNull();
  });

  it("a URL that is not http(s) is a usage error naming where it came from", () => {
    expect(() => resolveSettings({}, { SEATWATCH_URL: "sw.example" }, dir)).toThrow(UsageError);
    expect(() => resolveSettings({}, { SEATWATCH_URL: "ftp://sw.example" }, dir)).toThrow(
      /SEATWATCH_URL must start with https:\/\//,
    );
  });
});

function answering(status: number, body: unknown): typeof fetch {
  return (async () => Response.json(body, { status })) as typeof fetch;
}

const settings = (over: Partial<Settings> = {}): Settings => ({
  url: "https://sw.example",
  urlSource: "SEATWATCH_URL",
  admin: null,
  read: null,
  ...over,
});
const unauthorized = { error: { code: "unauthorized", message: "this seatwatch needs the read token" } };

describe("a refused read", () => {
  it("without a read token says to set SEATWATCH_READ_TOKEN", async () => {
    const api = new Api(settings(), answering(401, unauthorized));
    const error = await api.request("GET", "/v1/status", { auth: "read" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiRefused);
    expect(error).toMatchObject({
      status: 401,
      code: "unauthorized",
      hint: "this Worker gates reads with READ_TOKEN: set SEATWATCH_READ_TOKEN to it",
    });
  });

  it("with a read token names where it came from", async () => {
    const api = new Api(
      settings({ read: { value: "r", source: "SEATWATCH_READ_TOKEN" } }),
      answering(401, unauthorized),
    );
    const error = await api.request("GET", "/v1/status", { auth: "read" }).catch((e: unknown) => e);
    expect((error as ApiRefused).hint).toBe(
      "the read token from SEATWATCH_READ_TOKEN was refused: it must equal the Worker's READ_TOKEN",
    );
  });

  it("a 5xx from something that is not seatwatch says to check the URL", async () => {
    const api = new Api(
      settings(),
      (async () => new Response("<html>bad gateway</html>", { status: 502 })) as typeof fetch,
    );
    const error = await api.request("GET", "/v1/status", { auth: "read" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, hint: "is SEATWATCH_URL the Worker's address?" });
  });
});
