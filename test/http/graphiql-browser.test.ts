// GraphiQL as a new user meets it, in a real headless Chromium: the page comes from this
// server alone (no CDN), the editor opens with the configured example query, a demo header
// pasted into the Headers tab and the Run button return the organization's projects on the
// page. Every request the page makes is intercepted: one to another host fails the test.
// A screenshot goes to test-output/ (git-ignored). Without Chromium the browser part says
// so and does not run; the page's HTML is checked either way.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAPHIQL_DEFAULT_QUERY } from "../../src/http/server.ts";
import { startTestApp, type TestApp } from "../helpers/app.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const SCREENSHOT = path.resolve(import.meta.dirname, "../../test-output/graphiql.png");
if (!hasChromium)
  console.log(
    `GraphiQL browser test NOT run: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );

let app: TestApp;
let server: Server;
let origin: string;
let token: string;
let orgName: string;

beforeAll(async () => {
  app = await startTestApp();
  const org = await app.provisionOrg("graphiql");
  orgName = org.name;
  const user = await app.createUser([[org, "OWNER"]]);
  token = await app.token(user.id, org.id);
  const created = await app.graphql(`mutation { createProject(input: { name: "Browser-visible project" }) { id } }`, {
    token,
  });
  expect(created.errors).toBeUndefined();
  const item = await app.graphql(
    `mutation($p: ID!) { createItem(input: { projectId: $p, kind: RISK, title: "Browser-visible risk" }) { id } }`,
    {
      token,
      variables: { p: created.data.createProject.id },
    },
  );
  expect(item.errors).toBeUndefined();
  server = createServer(app.yoga);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await app?.close();
});

describe("GraphiQL page", () => {
  it("is served whole by this server: no script, style or icon from another origin", async () => {
    const response = await fetch(`${origin}/graphql`, { headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    const html = await response.text();
    const sources = [
      ...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi),
    ].map((m) => m[1]!);
    expect(sources.filter((source) => /^(https?:)?\/\//i.test(source))).toEqual([]);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs|esm\.sh/);
    expect(html).toContain("<title>tenantgraph</title>");
  });

  it.runIf(hasChromium)(
    "opens with the example query, runs it with a pasted demo header, shows the result",
    { timeout: 120_000 },
    async () => {
      const { launch } = await import("puppeteer-core");
      const profile = await mkdtemp(path.join(tmpdir(), "tenantgraph-chromium-"));
      let browser: Browser | undefined;
      try {
        browser = await launch({
          executablePath: CHROMIUM,
          headless: true,
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            `--user-data-dir=${profile}`,
          ],
        });
        const page = await browser.newPage();
        await page.setViewport({ width: 1600, height: 1000 });
        const elsewhere: string[] = [];
        await page.setRequestInterception(true);
        page.on("request", (request) => {
          const url = request.url();
          if (/^(data|blob):/.test(url) || url.startsWith(`${origin}/`)) return void request.continue();
          elsewhere.push(url);
          void request.abort();
        });

        await page.goto(`${origin}/graphql`, { waitUntil: "load" });
        const queryEditor = ".graphiql-query-editor";
        await page.waitForFunction(
          (selector) => document.querySelector(selector)?.textContent?.includes("currentOrganization"),
          { timeout: 60_000 },
          queryEditor,
        );
        // The whole configured query (comments with the header hint first), not Yoga's welcome text.
        const withoutSpace = (text: string) => text.replace(/\s+/g, "");
        expect(withoutSpace(await editorText(page, queryEditor))).toBe(withoutSpace(GRAPHIQL_DEFAULT_QUERY));

        await pasteHeaders(page, `{"Authorization": "Bearer ${token}"}`);
        await page.click(".graphiql-execute-button");
        await page.waitForFunction(
          (name) => document.querySelector(".graphiql-response")?.textContent?.includes(name),
          { timeout: 30_000 },
          orgName,
        );
        const result = await editorText(page, ".graphiql-response");
        expect(result).toContain(orgName);
        expect(result).toContain("Browser-visible project");
        expect(result).toContain("Browser-visible risk");
        expect(result).not.toContain("UNAUTHENTICATED");

        await mkdir(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
        expect(elsewhere).toEqual([]);
      } finally {
        await browser?.close();
        await rm(profile, { recursive: true, force: true });
      }
    },
  );
});

/** The visible text of a Monaco editor (its lines, with non-breaking spaces made plain). */
function editorText(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) =>
    [...element.querySelectorAll(".view-line")]
      .map((line) => (line as HTMLElement).innerText.replace(/\u00a0/g, " "))
      .join("\n"),
  );
}

/** Opens the Headers tab and pastes `text` into its editor as a user's paste would. */
async function pasteHeaders(page: Page, text: string): Promise<void> {
  const [headersTab] = await page.$$("xpath/.//button[normalize-space(.)='Headers']");
  if (!headersTab) throw new Error("no Headers tab");
  await headersTab.click();
  const editor = ".graphiql-editor-tool .graphiql-editor:not(.hidden)";
  await page.waitForSelector(`${editor} textarea, ${editor} .monaco-editor`);
  await page.click(`${editor} .monaco-editor`);
  // The paste goes to the focused element: on a loaded machine the editor takes its focus a
  // moment after the click, and a paste sent before that is lost.
  await page.waitForFunction(
    (selector) => document.activeElement?.closest(selector) != null,
    { timeout: 30_000 },
    editor,
  );
  await page.evaluate((pasted) => {
    const target = document.activeElement as HTMLElement;
    const data = new DataTransfer();
    data.setData("text/plain", pasted);
    target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForFunction(
    (selector) => document.querySelector(selector)?.textContent?.includes("Bearer"),
    { timeout: 30_000 },
    editor,
  );
}
