// GraphiQL from this server alone: @graphql-yoga/render-graphiql inlines the editor's script,
// styles and workers into one page, so opening /graphql needs nothing from the internet
// (Yoga's built-in page loads them from a CDN and stays blank offline). The page is about
// 9 MB and the same for every request, so it is rendered once per set of options.
// The module is loaded by the first page asked for, not at start-up: its inlined editor is
// some 30 MB of source text that stays on the heap once loaded (about 80 MB of RSS at start),
// which a server whose GraphiQL nobody opens (a production one) would carry for nothing.
import type { GraphiQLOptions } from "graphql-yoga";

export function createGraphiQLRenderer(): (options: GraphiQLOptions) => Promise<string> {
  let rendered: { key: string; html: Promise<string> } | undefined;
  return (options) => {
    const key = JSON.stringify(options);
    if (rendered?.key !== key) {
      // One load and render for concurrent first pages; a failed one is tried again next time.
      const html = import("@graphql-yoga/render-graphiql").then(({ renderGraphiQL }) => renderGraphiQL(options));
      const current = { key, html };
      rendered = current;
      html.catch(() => {
        if (rendered === current) rendered = undefined;
      });
    }
    return rendered.html;
  };
}
