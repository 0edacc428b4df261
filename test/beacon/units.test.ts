import { describe, expect, it } from "vitest";
import { hostId } from "../../beacon/config.ts";
import { UsageError } from "../../beacon/exit.ts";
import { parsePasswd, parseStat, parseStatus, parseUnixListeners } from "../../beacon/proc.ts";
import { isSeat, isShell } from "../../beacon/seats.ts";

describe("parseUnixListeners", () => {
  it("keeps only listening pathname sockets, paths with spaces intact", () => {
    const table = [
      "Num       RefCount Protocol Flags    Type St Inode Path",
      "0000000000000000: 00000002 00000000 00010000 0001 01 13186 /tmp/tmux-0/default",
      "0000000000000000: 00000003 00000000 00000000 0001 03 13190 /tmp/tmux-0/default",
      "0000000000000000: 00000002 00000000 00010000 0001 01 20001 /tmp/my dir/sock",
      "0000000000000000: 00000002 00000000 00010000 0001 01 20002 @abstract",
      "0000000000000000: 00000002 00000000 00000000 0002 01 20003",
    ].join("\n");
    expect([...parseUnixListeners(table)]).toEqual([
      [13186, "/tmp/tmux-0/default"],
      [20001, "/tmp/my dir/sock"],
    ]);
  });
});

describe("parseStatus", () => {
  it("takes the real uid and the innermost NSpid (what tmux reports as #{pid} inside a container)", () => {
    const text = "Name:\ttmux: server\nState:\tS (sleeping)\nUid:\t1000\t1000\t1000\t1000\nNSpid:\t4242\t17\n";
    expect(parseStatus(text, 4242)).toEqual({ uid: 1000, nspid: 17, zombie: false });
  });

  it("falls back to the pid on kernels without NSpid and recognises a zombie", () => {
    expect(parseStatus("State:\tZ (zombie)\nUid:\t0\t0\t0\t0\n", 99)).toEqual({ uid: 0, nspid: 99, zombie: true });
  });
});

describe("parseStat", () => {
  it("reads the parent and state after the comm, even one holding spaces and parentheses", () => {
    expect(parseStat("4243 (x) (y) S 4242 4243 4243 34816 4243 4194560 107 0 0 0")).toEqual({
      ppid: 4242,
      zombie: false,
    });
    expect(parseStat("4244 (sleep) Z 4242 4244 4244 0 -1")).toEqual({ ppid: 4242, zombie: true });
  });
});

describe("parsePasswd", () => {
  it("reads name, uid, home and login shell", () => {
    expect(parsePasswd("alice:x:1000:1000::/home/alice:/bin/bash\n#junk\n")).toEqual([
      { name: "alice", uid: 1000, home: "/home/alice", shell: "/bin/bash" },
    ]);
  });
});

describe("the seat rule", () => {
  const pane = (command: string, dead = false) => ({
    server: 1,
    id: "%0",
    session: "s",
    command,
    dead,
    deadStatus: null,
    window: 0,
    windowActivity: null,
    panePid: 2,
  });

  it("treats login shells and shell paths as shells", () => {
    expect(["-bash", "/bin/sh", "zsh", "login"].every(isShell)).toBe(true);
    expect(isShell("claude")).toBe(false);
  });

  it("does not count a pane whose command tmux could not tell", () => {
    expect(isSeat(pane(""), { countShells: false })).toBe(false);
  });

  it("never counts a dead pane, even with --count-shells", () => {
    expect(isSeat(pane("claude", true), { countShells: true })).toBe(false);
  });
});

describe("hostId", () => {
  it("defaults to SEATWATCH_HOST and refuses an invalid one, naming the variable", () => {
    expect(hostId(undefined, { SEATWATCH_HOST: "box-1" })).toBe("box-1");
    expect(() => hostId(undefined, { SEATWATCH_HOST: "Box 1" })).toThrow(UsageError);
    expect(() => hostId(undefined, { SEATWATCH_HOST: "Box 1" })).toThrow(/SEATWATCH_HOST/);
  });

  it("prefers --host over the environment", () => {
    expect(hostId("flagged", { SEATWATCH_HOST: "envbox" })).toBe("flagged");
  });
});
