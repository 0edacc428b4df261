import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ParsedAnswer, parseAnswer, queryArgs } from "../../beacon/tmux/query.ts";

interface PaneText {
  session: string;
  command: string;
}

const NONCE = "5e1f0c2ad7b94e6a8c3b1f2e9d0a7c64";

/** What a tmux server prints for queryArgs(NONCE): each -F format expanded for every pane in turn, free text as is. */
function answerFor(panes: PaneText[]): string {
  const args = queryArgs(NONCE);
  const formats = args.filter((_, index) => args[index - 1] === "-F");
  const values = (pane: PaneText, index: number): Record<string, string> => ({
    pid: "4242",
    pane_dead: "0",
    pane_dead_status: "",
    pane_pid: String(5000 + index),
    version: "3.3a",
    pane_id: `%${index}`,
    window_index: String(index),
    window_activity: "1700000000",
    session_name: pane.session,
    pane_current_command: pane.command,
  });
  return formats
    .map((format) =>
      panes
        .map(
          (pane, index) => `${format.replace(/#\{(\w+)\}/g, (_, name: string) => values(pane, index)[name] ?? "")}\n`,
        )
        .join(""),
    )
    .join("");
}

/** Lines aimed at the parser: pane rows, and the entry lines of a query with no nonce, a guessed one or `nonce`. */
const forgedLine = (nonce: string) =>
  fc
    .nat({ max: 5 })
    .chain((k) =>
      fc.constantFrom(
        `\nc%${k}\tclaude`,
        `\ns%${k}\tmain`,
        `\n${"0".repeat(32)}c%${k}\tclaude`,
        `\n${nonce}c%${k}\tclaude`,
        `\n${nonce}s%${k}\tmain`,
        `\n${nonce}`,
        `${nonce}c%${k}\tclaude`,
        `\n4242\t0\t\t${5000 + k}\t3.3a\t%${k}\t${k}\t1`,
      ),
    );

/** Free text a process may choose, biased towards what looks like the query's own lines. */
const textWith = (line: fc.Arbitrary<string>) =>
  fc
    .array(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("\n", "\t", "claude", "%", "\n\n"), line), {
      maxLength: 5,
    })
    .map((parts) => parts.join(""));

/** The hostile review's pane: every entry line of the query in its own name, in order. */
const everyEntryLine = (count: number, nonce: string) =>
  ["s", "c"].flatMap((marker) => Array.from({ length: count }, (_, k) => `\n${nonce}${marker}%${k}\tx`)).join("");

const panesWith = (text: fc.Arbitrary<string>) =>
  fc.array(fc.record({ session: text, command: text }), { minLength: 1, maxLength: 6 });

function parsed(panes: PaneText[]): ParsedAnswer {
  const answer = parseAnswer(answerFor(panes), NONCE);
  if ("problem" in answer) throw new Error(answer.problem);
  return answer;
}

/** A text's first line follows its entry's prefix; only the lines after it start a line of the answer. */
const holdsNonceLine = (panes: PaneText[]) =>
  panes.some((pane) =>
    [pane.session, pane.command].some((text) =>
      text
        .split("\n")
        .slice(1)
        .some((line) => line.startsWith(NONCE)),
    ),
  );

describe("reading the query's answer", () => {
  it("takes every pane's text exactly as it is, whatever a text without this query's nonce holds", () => {
    fc.assert(
      fc.property(panesWith(textWith(forgedLine("f00d"))), (panes) => {
        const { rows, texts } = parsed(panes);
        expect(rows.map((row) => row.id)).toEqual(panes.map((_, index) => `%${index}`));
        expect(texts).toEqual({
          session_name: panes.map((pane) => pane.session),
          pane_current_command: panes.map((pane) => pane.command),
        });
      }),
      { numRuns: 500 },
    );
  });

  it("refuses the whole answer when a text holds a line with this query's nonce, and takes every text otherwise", () => {
    fc.assert(
      fc.property(panesWith(textWith(forgedLine(NONCE))), (panes) => {
        const answer = parseAnswer(answerFor(panes), NONCE);

        if (holdsNonceLine(panes)) {
          expect(answer).toEqual({ problem: expect.stringContaining("nonce") });
        } else {
          expect(answer).toMatchObject({ texts: { pane_current_command: panes.map((pane) => pane.command) } });
        }
      }),
      { numRuns: 500 },
    );
  });

  it.each([16, 17, 32, 40])(
    "reads %i panes' texts exactly beside a pane named with every entry line of a query without the nonce",
    (count) => {
      const honest = Array.from({ length: count }, () => ({ session: "main", command: "sleep" }));
      const forger = { session: "main", command: `agent${everyEntryLine(count + 1, "")}` };

      const { texts } = parsed([...honest, forger]);

      expect(texts.pane_current_command).toEqual([...honest.map(() => "sleep"), forger.command]);
      expect(texts.session_name.every((session) => session === "main")).toBe(true);
    },
  );

  it("refuses an answer in which a pane is named with every entry line of this very query", () => {
    const honest = Array.from({ length: 32 }, () => ({ session: "main", command: "sleep" }));
    const forger = { session: "main", command: `agent${everyEntryLine(33, NONCE)}` };

    const answer = parseAnswer(answerFor([...honest, forger]), NONCE);

    expect(answer).toEqual({ problem: expect.stringContaining("66 line(s) more than tmux writes") });
  });

  it("reads 1.8's rows, where #{pid}, #{version}, #{pane_dead_status} and #{window_activity} are empty", () => {
    const answer = parseAnswer(
      `\t0\t\t581\t\t%0\t0\t\n\t1\t\t583\t\t%1\t1\t\n${NONCE}s%0\twork\n${NONCE}s%1\twork\n${NONCE}c%0\tsleep\n${NONCE}c%1\t\n`,
      NONCE,
    );
    expect(answer).toMatchObject({
      rows: [
        { pid: null, dead: false, deadStatus: null, panePid: 581, version: "", window: 0, windowActivity: null },
        { pid: null, dead: true, deadStatus: null, panePid: 583, version: "", window: 1, windowActivity: null },
      ],
      texts: { session_name: ["work", "work"], pane_current_command: ["sleep", ""] },
    });
  });

  it("refuses an answer whose entry lines carry another nonce", () => {
    const answer = parseAnswer(answerFor([{ session: "w", command: "sleep" }]), "0".repeat(32));

    expect(answer).toEqual({ problem: expect.stringContaining("not each pane's session and command") });
  });

  it("refuses a pane listed twice", () => {
    const answer = parseAnswer(
      `1\t0\t\t5\t3.3a\t%0\t0\t1\n1\t0\t\t5\t3.3a\t%0\t0\t1\n${NONCE}s%0\tw\n${NONCE}c%0\tsleep\n`,
      NONCE,
    );
    expect(answer).toEqual({ problem: expect.stringContaining("%0 is listed twice") });
  });
});
