// A frontend-style tenantgraph client: plain `fetch` and the typed documents that
// `npm run codegen` generates from operations/*.graphql. Every request and response below is
// typed by its operation, so a schema change that breaks one breaks `npm run typecheck`.
//
//   npm start                                   # in one terminal: the server
//   npm run codegen && npx tsx examples/client.ts http://127.0.0.1:4000/graphql
//
// It signs up, confirms the address (the server's log prints the link with `npm start`; paste
// it when asked), logs in, creates an organization (and acts for it with the token that
// returns), creates a project and a few items, then reads the items back a page at a time.
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline/promises";
import { pathToFileURL } from "node:url";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import {
  CreateOrganizationDocument,
  ItemsDocument,
  LogInDocument,
  NewItemDocument,
  NewProjectDocument,
  SignUpDocument,
  VerifyEmailDocument,
  type ItemsQuery,
} from "../operations/generated/graphql.js";

/** A GraphQL error as the API reports it: `extensions.code` says what went wrong (UNAUTHENTICATED, CONFLICT, ...). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

export class TenantgraphClient {
  /** The bearer token requests carry; signUp/logIn/createOrganization/switchOrganization return one. */
  token: string | undefined;

  constructor(
    private readonly url: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<TData> {
    const response = await this.fetchImpl(this.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await response.json()) as {
      data?: TData | null;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
    const error = body.errors?.[0];
    if (error || !body.data)
      throw new ApiError(error?.message ?? `HTTP ${response.status}`, error?.extensions?.code, response.status);
    return body.data;
  }
}

export interface ExampleResult {
  email: string;
  organization: { id: string; slug: string };
  projectId: string;
  /** Item titles in the order the pages returned them. */
  titles: string[];
  pages: number;
}

/** The walk-through: what a new user's frontend does first. */
export async function runExample(
  url: string,
  options: {
    fetch?: typeof fetch;
    slug?: string;
    log?: (line: string) => void;
    /** The token of the verification mail sent to `email` (a link holding it will do). */
    verificationToken: (email: string) => Promise<string>;
  },
): Promise<ExampleResult> {
  const log = options.log ?? (() => {});
  const client = new TenantgraphClient(url, options.fetch);
  const suffix = randomBytes(3).toString("hex");

  // 1. An account (no token needed). The answer is the same for a taken address, so it holds
  // no token: the address gets a mail, and the new account logs in.
  const email = `example-${suffix}@example.com`;
  const password = "a long example password";
  const { signUp } = await client.request(SignUpDocument, { input: { email, password, name: "Example" } });
  log(`signed up as ${signUp.email}`);
  await client.request(VerifyEmailDocument, { token: tokenOf(await options.verificationToken(email)) });
  const { logIn } = await client.request(LogInDocument, { input: { email, password } });
  client.token = logIn.token;
  log(`verified the address and logged in`);

  // 2. An organization: provisioned before this answers; the returned token acts for it.
  const slug = options.slug ?? `example-${suffix}`;
  const { createOrganization } = await client.request(CreateOrganizationDocument, {
    input: { name: "Example Inc", slug },
  });
  client.token = createOrganization.token;
  const organization = createOrganization.organization!;
  log(`created organization ${organization.slug} (${createOrganization.organization?.viewerRole})`);

  // 3. A project, and items in it.
  const { createProject } = await client.request(NewProjectDocument, {
    input: { name: "Website relaunch", description: "Live by June" },
  });
  const titles = [
    "Hosting contract ends in May",
    "Designs signed off",
    "Pick a CMS",
    "Content freeze",
    "Go-live checklist",
  ];
  for (const [i, title] of titles.entries()) {
    await client.request(NewItemDocument, {
      input: {
        projectId: createProject.id,
        title,
        kind: i === 0 ? "RISK" : "ACTION",
        priority: i === 0 ? "HIGH" : "MEDIUM",
      },
    });
  }
  log(`created project ${createProject.name} with ${titles.length} items`);

  // 4. Read the items back, two per page, following pageInfo.endCursor until hasNextPage is false.
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const { itemsConnection }: ItemsQuery = await client.request(ItemsDocument, {
      projectId: createProject.id,
      first: 2,
      after,
    });
    pages++;
    for (const { node } of itemsConnection.edges) seen.push(node.title);
    log(`page ${pages}: ${itemsConnection.edges.map((e) => `${e.node.kind} ${e.node.title}`).join(", ")}`);
    after = itemsConnection.pageInfo.hasNextPage ? itemsConnection.pageInfo.endCursor : null;
  } while (after);

  return {
    email,
    organization: { id: organization.id, slug: organization.slug },
    projectId: createProject.id,
    titles: seen,
    pages,
  };
}

/** The token in a mail's link (`?token=...`, or the GraphiQL link's mutation), or the text itself. */
function tokenOf(linkOrToken: string): string {
  const text = decodeURIComponent(linkOrToken.trim());
  return /token(?:=|: ")([A-Za-z0-9_-]{20,})/.exec(text)?.[1] ?? text;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2] ?? process.env.TENANTGRAPH_URL ?? "http://127.0.0.1:4000/graphql";
  const ask = async (email: string) => {
    const terminal = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return await terminal.question(`Paste the verification link the server logged for ${email}: `);
    } finally {
      terminal.close();
    }
  };
  runExample(url, { log: (line) => console.log(line), verificationToken: ask }).catch((error: unknown) => {
    console.error(error instanceof ApiError ? `${error.code ?? "ERROR"}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
