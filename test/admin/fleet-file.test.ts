/** Reading a fleet file: every error names the file, the line and the field, and nothing invalid passes. */
import { describe, expect, it } from "vitest";
import { readFleet } from "../../admin/fleet/file.ts";
import { formatFileError } from "../../admin/fleet/spec.ts";

function errorsOf(text: string, path = "fleet.yaml"): string[] {
  const result = readFleet(path, text);
  if (result.ok) throw new Error("expected the file to be refused");
  return result.errors.map(formatFileError);
}

describe("a valid fleet file", () => {
  it("gives defaults, hosts, webhooks and maintenance windows as written", () => {
    const result = readFleet(
      "fleet.yaml",
      `defaults:
  graceSeconds: 600
hosts:
  web-1:
  gpu-1:
    minSeats: 4
    labels: [gpu]
    pausedUntil: 2026-12-01T06:00:00Z
webhooks:
  pager:
    url: https://events.example.com/hook
    states: [silent, error, blind]
    secretEnv: PAGER_SECRET
maintenance:
  nightly:
    labels: [gpu]
    days: mon-fri
    from: 22:00
    to: "06:00"
    tz: Europe/Berlin
`,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.file.spec).toEqual({
      defaults: { graceSeconds: 600 },
      hosts: { "web-1": {}, "gpu-1": { minSeats: 4, labels: ["gpu"], pausedUntil: "2026-12-01T06:00:00.000Z" } },
      webhooks: {
        pager: {
          url: "https://events.example.com/hook",
          format: "json",
          labels: [],
          states: ["silent", "error", "blind"],
          secretEnv: "PAGER_SECRET",
        },
      },
      maintenance: { nightly: { labels: ["gpu"], days: "mon-fri", from: "22:00", to: "06:00", tz: "Europe/Berlin" } },
    });
  });

  it("leaves a section the file does not have unmanaged (null), unlike an empty one", () => {
    const result = readFleet("f.yaml", "hosts: {}\n");
    expect(result.ok && result.file.spec).toMatchObject({ hosts: {}, webhooks: null, maintenance: null });
  });

  it("reads JSON too, with line numbers", () => {
    expect(errorsOf('{\n  "hosts": {\n    "a": {"minseats": 2}\n  }\n}\n', "fleet.json")).toEqual([
      expect.stringMatching(
        /^fleet\.json:3:11: hosts\.a\.minseats: unknown field "minseats"; policy fields are minSeats, /,
      ),
    ]);
  });
});

describe("a receiver's credentials", () => {
  it("are read as the variables holding the secret ones and the chat id as written, an unquoted one too", () => {
    const result = readFleet(
      "fleet.yaml",
      "webhooks:\n  tg:\n    format: telegram\n    url: https://api.telegram.org/bot1:x/sendMessage\n    chatId: -1001234567890\n  po:\n    format: pushover\n    tokenEnv: PO_TOKEN\n    userEnv: PO_USER\n",
    );
    expect(result.ok && result.file.spec.webhooks).toEqual({
      tg: {
        url: "https://api.telegram.org/bot1:x/sendMessage",
        format: "telegram",
        labels: [],
        chatId: "-1001234567890",
      },
      po: { format: "pushover", labels: [], tokenEnv: "PO_TOKEN", userEnv: "PO_USER" },
    });
  });
});

describe("an invalid fleet file", () => {
  it("bad YAML: the parser's line and column", () => {
    expect(errorsOf("hosts:\n  web-1: {minSeats: 2\n  web-2: {}\n")[0]).toMatch(
      /^fleet\.yaml:\d+:\d+: not valid YAML\/JSON: /,
    );
  });

  it("a duplicate key is an error, not a silent override", () => {
    expect(errorsOf("hosts:\n  web-1: {}\n  web-1: {minSeats: 3}\n")[0]).toMatch(
      /^fleet\.yaml:3:3: not valid YAML\/JSON: .*[Uu]nique/,
    );
  });

  it("an unknown field names its line and the fields there are", () => {
    expect(errorsOf("hosts:\n  web-1:\n    minSeats: 2\n    gracePeriod: 60\n")).toEqual([
      expect.stringMatching(
        /^fleet\.yaml:4:5: hosts\.web-1\.gracePeriod: unknown field "gracePeriod"; policy fields are /,
      ),
    ]);
  });

  it("a bad host id is refused, never normalised", () => {
    expect(errorsOf("hosts:\n  Web_1: {}\n  fleet: {}\n")).toEqual([
      expect.stringMatching(/^fleet\.yaml:2:3: hosts\.Web_1: host id "Web_1" is invalid/),
      expect.stringMatching(/^fleet\.yaml:3:3: hosts\.fleet: host id "fleet" is reserved/),
    ]);
  });

  it("a wrong type names the field and what it must be", () => {
    expect(errorsOf("defaults:\n  minSeats: two\nhosts:\n  a:\n    labels: gpu\n")).toEqual([
      'fleet.yaml:2:3: defaults.minSeats: must be an integer from 0 to 100000 (got "two")',
      "fleet.yaml:5:5: hosts.a.labels: must be a list of at most 8 labels",
    ]);
  });

  it("reports every error at once, so one edit fixes them all", () => {
    const errors = errorsOf(
      "colour: blue\nhosts:\n  a: {graceSeconds: 5}\nwebhooks:\n  chat: {format: fax}\nmaintenance:\n  w: {days: weekdays, from: '25:00', to: '06:00', tz: Mars/Base}\n",
    );
    expect(errors.map((e) => e.split(": ")[1])).toEqual([
      "colour",
      "hosts.a.graceSeconds",
      "webhooks.chat.format",
      "webhooks.chat",
      "maintenance.w.days",
      "maintenance.w.from",
      "maintenance.w.tz",
    ]);
  });

  it("a webhook's secret can only come from the environment", () => {
    expect(errorsOf("webhooks:\n  chat:\n    url: https://x.example/h\n    secret: whsec_abc\n")).toEqual([
      expect.stringMatching(
        /^fleet\.yaml:4:5: webhooks\.chat\.secret: unknown field "secret"; webhook fields are .*secretEnv/,
      ),
    ]);
  });

  it("pagerduty needs its integration key's variable", () => {
    expect(errorsOf("webhooks:\n  pd:\n    format: pagerduty\n")).toEqual([
      expect.stringMatching(/^fleet\.yaml:2:3: webhooks\.pd: format pagerduty needs routingKeyEnv/),
    ]);
  });

  it("a secret credential written as a value is refused, naming the field that takes its variable", () => {
    expect(errorsOf("webhooks:\n  og:\n    format: opsgenie\n    token: abcdefabcdefabcdef\n")).toEqual([
      expect.stringMatching(
        /^fleet\.yaml:4:5: webhooks\.og\.token: token is a secret, and secrets never live in the fleet file: .* with tokenEnv$/,
      ),
      expect.stringMatching(/^fleet\.yaml:2:3: webhooks\.og: format opsgenie needs tokenEnv, the environment variable/),
    ]);
  });

  it("each format asks for exactly its credentials, as protocol/webhooks.ts lists them", () => {
    expect(
      errorsOf(
        "webhooks:\n  po:\n    format: pushover\n    tokenEnv: PO_TOKEN\n  tg:\n    format: telegram\n    url: https://api.telegram.org/bot1:x/sendMessage\n    userEnv: TG_USER\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^fleet\.yaml:2:3: webhooks\.po: format pushover needs userEnv, the environment variable holding its user: /,
      ),
      expect.stringMatching(/^fleet\.yaml:5:3: webhooks\.tg: format telegram needs chatId: the numeric chat id/),
      expect.stringMatching(/^fleet\.yaml:8:5: webhooks\.tg\.userEnv: is only for format pushover; remove it$/),
    ]);
  });

  it("a telegram chat id is checked where it is written", () => {
    expect(
      errorsOf(
        "webhooks:\n  tg:\n    format: telegram\n    url: https://api.telegram.org/bot1:x/sendMessage\n    chatId: my chat\n",
      ),
    ).toEqual([
      expect.stringMatching(
        /^fleet\.yaml:5:5: webhooks\.tg\.chatId: format telegram needs chatId: .*\(got "my chat"\)$/,
      ),
    ]);
  });

  it("an empty file is refused with what a fleet file holds", () => {
    expect(errorsOf("")[0]).toMatch(/^fleet\.yaml: the file is empty/);
  });
});
