// GraphiQL from this server alone: @graphql-yoga/render-graphiql inlines the editor's script,
// styles and workers into one page, so opening /graphql needs nothing from the internet
// (Yoga's built-in page loads them from a CDN and stays blank offline). The page is about
// 9 MB and the same for every request, so it is rendered once per set of options.
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type { GraphiQLOptions } from "graphql-yoga";

export function createGraphiQLRenderer(): (options: GraphiQLOptions) => string {
  let rendered: { key: string; html: string } | undefined;
  return (options) => {
    const key = JSON.stringify(options);
    if (rendered?.key !== key) rendered = { key, html: renderGraphiQL(options) };
    return rendered.html;
  };
}
