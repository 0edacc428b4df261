import { describe, expect, it } from "vitest";
import { shouldProxy } from "../../beacon/http.ts";

const via = (url: string, noProxy: string) => shouldProxy(new URL(url), noProxy);

describe("NO_PROXY, read as undici and curl read it", () => {
  it("proxies everything when NO_PROXY is unset or blank", () => {
    expect(via("https://seatwatch.example.com", "")).toBe(true);
    expect(via("https://seatwatch.example.com", "  ")).toBe(true);
  });

  it("proxies nothing when NO_PROXY is *", () => {
    expect(via("https://seatwatch.example.com", "*")).toBe(false);
  });

  it("goes direct for a named host and its subdomains, not for a host that merely ends alike", () => {
    expect(via("https://example.com", "example.com")).toBe(false);
    expect(via("https://seatwatch.example.com", "example.com")).toBe(false);
    expect(via("https://seatwatch.example.com", ".example.com")).toBe(false);
    expect(via("https://seatwatch.example.com", "*.example.com")).toBe(false);
    expect(via("https://badexample.com", "example.com")).toBe(true);
  });

  it("matches a host:port entry only on that port, the scheme's default port included", () => {
    expect(via("https://seatwatch.example.com", "seatwatch.example.com:443")).toBe(false);
    expect(via("https://seatwatch.example.com:8443", "seatwatch.example.com:443")).toBe(true);
    expect(via("http://127.0.0.1:8787", "127.0.0.1:8787")).toBe(false);
  });

  it("reads a list separated by commas or spaces, in any case", () => {
    expect(via("https://Seatwatch.Example.COM", "localhost, EXAMPLE.com")).toBe(false);
    expect(via("http://[::1]:8787", "localhost [::1]")).toBe(false);
  });
});
