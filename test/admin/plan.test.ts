/**
 * The plan, as a pure function of a file, the running fleet and the environment: field by field,
 * nothing for what already matches, and every reason it cannot be applied found before a write.
 */
import { describe, expect, it } from "vitest";
import { exportFleet, fleetYaml } from "../../admin/fleet/export.ts";
import { readFleet } from "../../admin/fleet/file.ts";
import { type PlanOptions, planFleet } from "../../admin/fleet/plan.ts";
import { renderPlan } from "../../admin/fleet/render.ts";
import { type RunningFleet, visibleUrlMatches } from "../../admin/fleet/running.ts";
import { type FileError, formatFileError } from "../../admin/fleet/spec.ts";
import { DEFAULT_POLICY } from "../../admin/policy.ts";

const URL = "https://sw.example";
const options = (o: Partial<PlanOptions> = {}): PlanOptions => ({
  prune: false,
  resendSecrets: false,
  env: {},
  url: URL,
  ...o,
});

function file(text: string) {
  const result = readFleet("fleet.yaml", text);
  if (!result.ok) throw new Error(result.errors.map(formatFileError).join("\n"));
  return result.file;
}

/** A Worker of today: the policy without the seats-at-work fields, webhooks without states. */
const TODAY_POLICY = {
  minSeats: 1,
  graceSeconds: 300,
  alertAfter: 0,
  repeatEvery: 21_600,
  labels: [],
  paused: false,
  pausedUntil: null,
};

function running(over: Partial<RunningFleet> = {}): RunningFleet {
  return { hosts: [], webhooks: [], maintenance: null, ...over };
}

describe("hosts", () => {
  it("creates a missing host with the file's fields and the defaults section under them", () => {
    const plan = planFleet(file("defaults: {graceSeconds: 600}\nhosts:\n  a: {minSeats: 2}\n"), running(), options());
    expect(plan.changes).toEqual([
      expect.objectContaining({
        kind: "host",
        name: "a",
        action: "create",
        request: { method: "PUT", path: "/v1/hosts/a", body: { graceSeconds: 600, minSeats: 2 } },
      }),
    ]);
  });

  it("plans nothing for a host that matches, counting omitted fields as their defaults", () => {
    const f = file("hosts:\n  a: {minSeats: 1, labels: [y, x]}\n");
    const plan = planFleet(
      f,
      running({ hosts: [{ id: "a", policy: { ...TODAY_POLICY, labels: ["x", "y"] } }] }),
      options(),
    );
    expect(plan).toEqual({ changes: [], kept: [], problems: [] });
  });

  it("updates only the fields that differ, with a PATCH of those fields", () => {
    const f = file("hosts:\n  a: {minSeats: 3}\n");
    const plan = planFleet(f, running({ hosts: [{ id: "a", policy: { ...TODAY_POLICY, paused: true } }] }), options());
    expect(plan.changes).toEqual([
      expect.objectContaining({
        action: "update",
        fields: [
          { field: "minSeats", from: 1, to: 3 },
          { field: "paused", from: true, to: false },
        ],
        request: { method: "PATCH", path: "/v1/hosts/a", body: { minSeats: 3, paused: false } },
      }),
    ]);
    expect(renderPlan(plan, "fleet.yaml", URL)).toBe(
      `fleet.yaml → ${URL}\n~ host a\n    minSeats: 1 → 3\n    paused: true → false\nPlan: 0 to create, 1 to update, 0 to delete.\n`,
    );
  });

  it("keeps hosts the file does not name unless --prune, which deletes them", () => {
    const f = file("hosts: {}\n");
    const fleet = running({ hosts: [{ id: "old", policy: TODAY_POLICY }] });
    expect(planFleet(f, fleet, options())).toMatchObject({ changes: [], kept: [{ kind: "host", name: "old" }] });
    expect(planFleet(f, fleet, options({ prune: true })).changes).toEqual([
      expect.objectContaining({ action: "delete", request: { method: "DELETE", path: "/v1/hosts/old" } }),
    ]);
  });

  it("refuses, before any write, a policy field the Worker does not report yet, at its line", () => {
    const f = file("hosts:\n  a: {}\n  b:\n    maxWaitSeconds: 600\n");
    const plan = planFleet(f, running({ hosts: [{ id: "a", policy: TODAY_POLICY }] }), options());
    expect(plan.problems.map(formatFileError)).toEqual([
      expect.stringMatching(
        /^fleet\.yaml:4:5: hosts\.b\.maxWaitSeconds: the Worker at https:\/\/sw\.example does not support policy field maxWaitSeconds yet/,
      ),
    ]);
  });

  it("compares the seats-at-work fields with their DESIGN defaults once the Worker reports them", () => {
    const policy = { ...TODAY_POLICY, maxWaitSeconds: 900, minWorking: 0, maxQuietSeconds: 0 };
    const f = file("hosts:\n  a: {minWorking: 2}\n");
    expect(planFleet(f, running({ hosts: [{ id: "a", policy }] }), options()).changes[0]?.fields).toEqual([
      { field: "minWorking", from: 0, to: 2 },
    ]);
  });
});

describe("webhooks", () => {
  const hook = { name: "chat", url: "https://hooks.example/services/***/***", format: "slack", labels: [] };

  it("creates a webhook with its secret from the environment, never printing it", () => {
    const f = file(
      "webhooks:\n  chat: {url: 'https://hooks.example/services/T1/B2', format: slack, secretEnv: CHAT_SECRET}\n",
    );
    const plan = planFleet(f, running(), options({ env: { CHAT_SECRET: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0" } }));
    expect(plan.changes[0]?.request.body).toMatchObject({ secret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0", format: "slack" });
    expect(renderPlan(plan, "fleet.yaml", URL)).not.toContain("c2VjcmV0");
    expect(renderPlan(plan, "fleet.yaml", URL)).toContain("secret from $CHAT_SECRET");
  });

  it("treats a webhook whose visible fields match as unchanged: secrets cannot be compared", () => {
    const f = file(
      "webhooks:\n  chat: {url: 'https://hooks.example/services/T1/B2', format: slack, secretEnv: CHAT_SECRET}\n",
    );
    expect(planFleet(f, running({ webhooks: [hook] }), options()).changes).toEqual([]);
  });

  it("re-sends it, secret included, with --resend-secrets", () => {
    const f = file(
      "webhooks:\n  chat: {url: 'https://hooks.example/services/T1/B2', format: slack, secretEnv: CHAT_SECRET}\n",
    );
    const plan = planFleet(
      f,
      running({ webhooks: [hook] }),
      options({ resendSecrets: true, env: { CHAT_SECRET: "whsec_x" } }),
    );
    expect(plan.changes).toEqual([
      expect.objectContaining({
        action: "update",
        fields: [],
        notes: ["re-sent: --resend-secrets", "secret from $CHAT_SECRET"],
      }),
    ]);
  });

  it("needs a secret's variable only when the webhook is sent, and then names it and its line", () => {
    const f = file(
      "webhooks:\n  chat:\n    url: 'https://hooks.example/services/T1/B2'\n    format: slack\n    labels: [gpu]\n    secretEnv: CHAT_SECRET\n",
    );
    const plan = planFleet(f, running({ webhooks: [hook] }), options());
    expect(plan.problems.map(formatFileError)).toEqual([
      "fleet.yaml:6:5: webhooks.chat.secretEnv: CHAT_SECRET is not set; webhook chat must be sent, and its secret comes from CHAT_SECRET",
    ]);
  });

  it("refuses states on a Worker whose webhooks do not route by state", () => {
    const f = file(
      "webhooks:\n  chat: {url: 'https://hooks.example/services/T1/B2', format: slack, states: [silent]}\n",
    );
    expect(planFleet(f, running({ webhooks: [hook] }), options()).problems[0]?.message).toMatch(
      /does not route by state yet/,
    );
  });

  it("sees a changed state list on a Worker that routes by state", () => {
    const f = file(
      "webhooks:\n  chat: {url: 'https://hooks.example/services/T1/B2', format: slack, states: [silent]}\n",
    );
    const plan = planFleet(f, running({ webhooks: [{ ...hook, states: null }] }), options());
    expect(plan.changes[0]?.fields).toEqual([{ field: "states", from: "(all)", to: ["silent"] }]);
  });
});

describe("a receiver's credentials", () => {
  const PO_TOKEN = "azGDORePK8gMaC0QOYAMyEEuzJnyUi";
  const PO_USER = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";
  const pushover = "webhooks:\n  phone:\n    format: pushover\n    tokenEnv: PO_TOKEN\n    userEnv: PO_USER\n";
  const telegram =
    "webhooks:\n  tg:\n    format: telegram\n    url: https://api.telegram.org/bot1:x/sendMessage\n    chatId: '-100123'\n";
  const listed = { name: "phone", url: "https://api.pushover.net/1/messages.json", format: "pushover", labels: [] };

  it("are sent from the environment on creation, and the plan names their variables, never their values", () => {
    const plan = planFleet(file(pushover), running(), options({ env: { PO_TOKEN, PO_USER } }));
    expect(plan.problems).toEqual([]);
    expect(plan.changes[0]?.request.body).toMatchObject({ format: "pushover", token: PO_TOKEN, user: PO_USER });
    const text = renderPlan(plan, "fleet.yaml", URL);
    expect(text).toContain("    token: $PO_TOKEN\n    user: $PO_USER\n");
    expect(text).not.toContain(PO_TOKEN);
    expect(text).not.toContain(PO_USER);
  });

  it("an unset variable is a problem at its line, naming it", () => {
    expect(planFleet(file(pushover), running(), options({ env: { PO_TOKEN } })).problems.map(formatFileError)).toEqual([
      "fleet.yaml:5:5: webhooks.phone.userEnv: PO_USER is not set; webhook phone must be sent, and its user comes from PO_USER",
    ]);
  });

  it("a variable holding what the format cannot take is a problem naming the variable, not quoting it", () => {
    const [problem] = planFleet(
      file(pushover),
      running(),
      options({ env: { PO_TOKEN: "not-a-token", PO_USER } }),
    ).problems;
    expect(formatFileError(problem as FileError)).toBe(
      "fleet.yaml:4:5: webhooks.phone.tokenEnv: PO_TOKEN does not hold a pushover token; it must be your application's API token (30 letters and digits)",
    );
  });

  it("match when each secret one is set, as the listing's *** says: nothing is planned and no variable is needed", () => {
    const plan = planFleet(
      file(pushover),
      running({ webhooks: [{ ...listed, token: "***", user: "***" }] }),
      options(),
    );
    expect(plan).toEqual({ changes: [], kept: [], problems: [] });
  });

  it("a secret one the Worker does not have is a change of one field, shown by variable", () => {
    const plan = planFleet(
      file(pushover),
      running({ webhooks: [{ ...listed, token: "***" }] }),
      options({ env: { PO_TOKEN, PO_USER } }),
    );
    expect(plan.changes[0]?.fields).toEqual([{ field: "user", from: "(none)", to: "$PO_USER" }]);
  });

  it("a webhook re-sent for a visible change carries every credential again, and says where each comes from", () => {
    const plan = planFleet(
      file(pushover),
      running({ webhooks: [{ ...listed, labels: ["gpu"], token: "***", user: "***" }] }),
      options({ env: { PO_TOKEN, PO_USER } }),
    );
    expect(plan.changes).toEqual([
      expect.objectContaining({
        fields: [{ field: "labels", from: ["gpu"], to: [] }],
        notes: ["secret kept", "token from $PO_TOKEN", "user from $PO_USER"],
        request: expect.objectContaining({ body: expect.objectContaining({ token: PO_TOKEN, user: PO_USER }) }),
      }),
    ]);
  });

  it("a file without url means the format's one endpoint: another URL running is planned back to it", () => {
    const plan = planFleet(
      file(pushover),
      running({
        webhooks: [{ ...listed, url: "https://pushover.example/1/messages.json", token: "***", user: "***" }],
      }),
      options({ env: { PO_TOKEN, PO_USER } }),
    );
    expect(plan.changes[0]?.fields).toEqual([
      {
        field: "url",
        from: "https://pushover.example/1/messages.json",
        to: "https://api.pushover.net/1/messages.json",
      },
    ]);
    expect(plan.changes[0]?.request.body).not.toHaveProperty("url");
  });

  it("a telegram chat id is compared as written", () => {
    const hook = { name: "tg", url: "https://api.telegram.org/bot***/sendMessage", format: "telegram", labels: [] };
    expect(
      planFleet(file(telegram), running({ webhooks: [{ ...hook, chatId: "-100123" }] }), options()).changes,
    ).toEqual([]);
    const plan = planFleet(file(telegram), running({ webhooks: [{ ...hook, chatId: "@oldchan" }] }), options());
    expect(plan.changes[0]?.fields).toEqual([{ field: "chatId", from: "@oldchan", to: "-100123" }]);
    expect(plan.changes[0]?.request.body).toMatchObject({ chatId: "-100123" });
  });
});

describe("visible URLs", () => {
  it("match when every shown part is equal and *** stands for the hidden parts", () => {
    expect(
      visibleUrlMatches("https://hooks.slack.com/services/***/***/***", "https://hooks.slack.com/services/T0/B1/xyz"),
    ).toBe(true);
    expect(visibleUrlMatches("https://ntfy.sh/***?auth=***", "https://ntfy.sh/topic?auth=abc")).toBe(true);
    expect(visibleUrlMatches("http://127.0.0.1:9000/hook", "http://127.0.0.1:9000/hook")).toBe(true);
  });

  it("differ when a shown part differs", () => {
    expect(
      visibleUrlMatches("https://hooks.slack.com/services/***/***/***", "https://discord.com/api/webhooks/1/2"),
    ).toBe(false);
    expect(visibleUrlMatches("http://127.0.0.1:9000/hook", "http://127.0.0.1:9001/hook")).toBe(false);
  });
});

describe("maintenance windows", () => {
  const window = { name: "nightly", labels: ["gpu"], days: "mon-fri", from: "22:00", to: "06:00", tz: "Europe/Berlin" };

  it("cannot be applied to a Worker without the maintenance API", () => {
    const plan = planFleet(
      file("maintenance:\n  nightly: {days: mon-fri, from: '22:00', to: '06:00', tz: UTC}\n"),
      running(),
      options(),
    );
    expect(plan.problems.map(formatFileError)).toEqual([
      expect.stringMatching(/^fleet\.yaml:2:3: maintenance\.nightly: the Worker at .* has no maintenance API yet/),
    ]);
  });

  it("are created, updated field by field, and pruned", () => {
    const f = file(
      "maintenance:\n  nightly: {labels: [gpu], days: mon-sun, from: '22:00', to: '06:00', tz: Europe/Berlin}\n  backup: {hosts: [db-1], days: sun, from: '02:00', to: '03:00', tz: UTC}\n",
    );
    const fleet = running({ maintenance: [window, { ...window, name: "old" }] });
    const plan = planFleet(f, fleet, options({ prune: true }));
    expect(plan.changes.map((c) => [c.action, c.name, c.fields.map((x) => x.field)])).toEqual([
      ["update", "nightly", ["days"]],
      ["create", "backup", ["hosts", "days", "from", "to", "tz"]],
      ["delete", "old", []],
    ]);
    expect(plan.changes[0]?.request).toEqual({
      method: "PUT",
      path: "/v1/maintenance/nightly",
      body: { labels: ["gpu"], days: "mon-sun", from: "22:00", to: "06:00", tz: "Europe/Berlin" },
    });
  });

  it("match when only empty optional fields differ in spelling", () => {
    const f = file(
      "maintenance:\n  nightly: {labels: [gpu], days: mon-fri, from: '22:00', to: '06:00', tz: Europe/Berlin}\n",
    );
    const plan = planFleet(f, running({ maintenance: [{ ...window, hosts: [], note: "" }] }), options());
    expect(plan.changes).toEqual([]);
  });
});

describe("export", () => {
  it("writes a file that plans no changes against the fleet it came from", () => {
    const fleet = running({
      hosts: [
        { id: "a", policy: { ...TODAY_POLICY, minSeats: 3, labels: ["gpu"] } },
        { id: "b", policy: { ...DEFAULT_POLICY, maxWaitSeconds: 60, labels: [] } },
      ],
      webhooks: [
        { name: "chat", url: "https://hooks.example/services/***/***", format: "slack", labels: ["gpu"] },
        { name: "local", url: "http://127.0.0.1:9/hook", format: "json", labels: [], states: ["silent"] },
        {
          name: "tg",
          url: "https://api.telegram.org/bot***/sendMessage",
          format: "telegram",
          labels: [],
          chatId: "-100123",
        },
        {
          name: "phone-2",
          url: "https://api.pushover.net/1/messages.json",
          format: "pushover",
          labels: [],
          token: "***",
          user: "***",
        },
      ],
      maintenance: [{ name: "nightly", labels: ["gpu"], days: "mon-fri", from: "22:00", to: "06:00", tz: "UTC" }],
    });
    const text = fleetYaml(exportFleet(fleet));
    expect(text).toContain("urlEnv: SEATWATCH_WEBHOOK_CHAT_URL");
    expect(text).toContain(
      '  tg:\n    urlEnv: SEATWATCH_WEBHOOK_TG_URL\n    format: telegram\n    chatId: "-100123"\n',
    );
    expect(text).toContain(
      "    tokenEnv: SEATWATCH_WEBHOOK_PHONE_2_TOKEN\n    userEnv: SEATWATCH_WEBHOOK_PHONE_2_USER\n",
    );
    expect(planFleet(file(text), fleet, options({ prune: true }))).toEqual({ changes: [], kept: [], problems: [] });
  });
});
