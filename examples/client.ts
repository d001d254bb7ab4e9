// A frontend-style tenantgraph client: plain `fetch` and the typed documents that
// `npm run codegen` generates from operations/*.graphql. Every request and response below is
// typed by its operation, so a schema change that breaks one breaks `npm run typecheck`.
//
//   npm start                                   # in one terminal: the server
//   npm run codegen && npx tsx examples/client.ts http://127.0.0.1:4000/graphql
//
// It signs up, creates an organization (and acts for it with the token that returns), creates
// a project and a few items, then reads the items back a page at a time.
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import {
  CreateOrganizationDocument,
  ItemsDocument,
  NewItemDocument,
  NewProjectDocument,
  SignUpDocument,
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
  options: { fetch?: typeof fetch; slug?: string; log?: (line: string) => void } = {},
): Promise<ExampleResult> {
  const log = options.log ?? (() => {});
  const client = new TenantgraphClient(url, options.fetch);
  const suffix = randomBytes(3).toString("hex");

  // 1. An account (no token needed); the session's token identifies the user.
  const email = `example-${suffix}@example.com`;
  const { signUp } = await client.request(SignUpDocument, {
    input: { email, password: "a long example password", name: "Example" },
  });
  client.token = signUp.token;
  log(`signed up as ${signUp.user.email}`);

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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2] ?? process.env.TENANTGRAPH_URL ?? "http://127.0.0.1:4000/graphql";
  runExample(url, { log: (line) => console.log(line) }).catch((error: unknown) => {
    console.error(error instanceof ApiError ? `${error.code ?? "ERROR"}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
