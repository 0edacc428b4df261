import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ParsedAnswer, parseAnswer, QUERY_ARGS } from "../../beacon/tmux/query.ts";

interface PaneText {
  session: string;
  command: string;
}

/** What a tmux server prints for QUERY_ARGS: each -F format expanded for every pane in turn, free text as is. */
function answerFor(panes: PaneText[]): string {
  const formats = QUERY_ARGS.filter((_, index) => QUERY_ARGS[index - 1] === "-F");
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

/** Free text a process may choose, biased towards what looks like the query's own lines. */
const forgedText = fc
  .array(
    fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom("\n", "\t", "claude", "%", "\n\n"),
      fc
        .nat({ max: 5 })
        .chain((k) =>
          fc.constantFrom(`\nc%${k}\tclaude`, `\ns%${k}\tmain`, `\n4242\t0\t\t${5000 + k}\t3.3a\t%${k}\t${k}\t1`),
        ),
    ),
    { maxLength: 5 },
  )
  .map((parts) => parts.join(""));

const panesWith = (text: fc.Arbitrary<string>) =>
  fc.array(fc.record({ session: text, command: text }), { minLength: 1, maxLength: 6 });

function parsed(panes: PaneText[]): ParsedAnswer {
  const answer = parseAnswer(answerFor(panes));
  if ("problem" in answer) throw new Error(answer.problem);
  return answer;
}

describe("reading the query's answer", () => {
  it("never takes a text for one that is not the pane's, and never adds or loses a pane, whatever the free text", () => {
    fc.assert(
      fc.property(panesWith(forgedText), (panes) => {
        const { rows, texts } = parsed(panes);
        expect(rows.map((row) => row.id)).toEqual(panes.map((_, index) => `%${index}`));
        panes.forEach((pane, index) => {
          expect([null, pane.session]).toContain(texts.session_name[index]);
          expect([null, pane.command]).toContain(texts.pane_current_command[index]);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("knows every text when none holds a newline, tabs included", () => {
    const oneLine = fc.string({ maxLength: 12 }).map((text) => text.replaceAll("\n", "\t"));
    fc.assert(
      fc.property(panesWith(oneLine), (panes) => {
        const { texts } = parsed(panes);
        expect(texts).toEqual({
          session_name: panes.map((pane) => pane.session),
          pane_current_command: panes.map((pane) => pane.command),
        });
      }),
      { numRuns: 200 },
    );
  });

  it("reads 1.8's rows, where #{pid}, #{version}, #{pane_dead_status} and #{window_activity} are empty", () => {
    const answer = parseAnswer(
      "\t0\t\t581\t\t%0\t0\t\n\t1\t\t583\t\t%1\t1\t\ns%0\twork\ns%1\twork\nc%0\tsleep\nc%1\t\n",
    );
    expect(answer).toMatchObject({
      rows: [
        { pid: null, dead: false, deadStatus: null, panePid: 581, version: "", window: 0, windowActivity: null },
        { pid: null, dead: true, deadStatus: null, panePid: 583, version: "", window: 1, windowActivity: null },
      ],
      texts: { session_name: ["work", "work"], pane_current_command: ["sleep", ""] },
    });
  });

  it("refuses a pane listed twice", () => {
    const answer = parseAnswer("1\t0\t\t5\t3.3a\t%0\t0\t1\n1\t0\t\t5\t3.3a\t%0\t0\t1\ns%0\tw\nc%0\tsleep\n");
    expect(answer).toEqual({ problem: expect.stringContaining("%0 is listed twice") });
  });
});
