// The GraphiQL page's module (some 30 MB of inlined editor on the heap) is loaded by the
// first page asked for, never at start-up; the page is rendered once per set of options,
// concurrent first requests included.
import { describe, expect, it, vi } from "vitest";

const loaded = vi.hoisted(() => ({ modules: 0, renders: 0 }));
vi.mock("@graphql-yoga/render-graphiql", () => {
  loaded.modules++;
  return {
    renderGraphiQL: (options: { title?: string }) => `<html>${options.title} #${++loaded.renders}</html>`,
  };
});

const { createGraphiQLRenderer } = await import("../../src/http/graphiql.ts");

describe("GraphiQL renderer", () => {
  it("loads the editor's module only when a page is asked for, and renders once per set of options", async () => {
    const render = createGraphiQLRenderer();
    expect(loaded.modules).toBe(0);

    const [first, concurrent] = await Promise.all([render({ title: "a" }), render({ title: "a" })]);
    expect(loaded.modules).toBe(1);
    expect(first).toBe("<html>a #1</html>");
    expect(concurrent).toBe(first);
    expect(await render({ title: "a" })).toBe(first);

    expect(await render({ title: "b" })).toBe("<html>b #2</html>");
    expect(loaded.renders).toBe(2);
  });
});
