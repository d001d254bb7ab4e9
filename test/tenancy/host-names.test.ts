// Host names parsed from Host / X-Forwarded-Host headers: canonical form or nothing.
import { describe, expect, it } from "vitest";
import { canonicalHostName, customDomainHost, hostOfHeader, subdomainHost } from "../../src/accounts/host-names.ts";

describe("hostOfHeader", () => {
  it("lower-cases, drops the port and one trailing dot; of a list the last entry counts", () => {
    expect(hostOfHeader("ACME.App.Example")).toBe("acme.app.example");
    expect(hostOfHeader("acme.app.example:8443")).toBe("acme.app.example");
    expect(hostOfHeader("acme.app.example.")).toBe("acme.app.example");
    expect(hostOfHeader("acme.app.example.:443")).toBe("acme.app.example");
    expect(hostOfHeader("evil.example, acme.app.example")).toBe("acme.app.example");
    expect(hostOfHeader("xn--bcher-kva.example")).toBe("xn--bcher-kva.example");
  });

  it("gives nothing for hostile or unusual values", () => {
    const hostile = [
      null,
      "",
      "a".repeat(100_000),
      `${"a".repeat(63)}.`.repeat(5) + "example",
      "bücher.example",
      "acme.app.example\u0000.evil",
      "127.0.0.1",
      "127.0.0.1:80",
      "10.1",
      "[::1]:443",
      "[2001:db8::1]",
      "::1",
      "localhost",
      "acme..app.example",
      "-acme.app.example",
      "acme.app.example:99999999",
      "acme.app.example:",
      "acme app.example",
      "user@acme.app.example",
      "acme.app.example/path",
      "*.app.example",
      "acme.app.example..",
    ];
    for (const value of hostile) expect(hostOfHeader(value), String(value).slice(0, 40)).toBeNull();
    expect(canonicalHostName("a".repeat(64) + ".example")).toBeNull();
  });
});

describe("host names organizations take", () => {
  it("subdomains: one DNS label under the suffix, not reserved; needs a suffix", () => {
    expect(subdomainHost("Acme", "app.example")).toBe("acme.app.example");
    for (const bad of ["", "a.b", "-x", "x-", "ünï", "www", "a".repeat(64)])
      expect(() => subdomainHost(bad, "app.example"), bad).toThrow();
    expect(() => subdomainHost("acme", undefined)).toThrow(/ORG_HOST_SUFFIX/);
  });

  it("custom domains: domain names outside the suffix", () => {
    expect(customDomainHost(" Projects.Example.COM. ", "app.example")).toBe("projects.example.com");
    for (const bad of ["acme.app.example", "app.example", "127.0.0.1", "example", "exa mple.com"])
      expect(() => customDomainHost(bad, "app.example"), bad).toThrow();
  });
});
