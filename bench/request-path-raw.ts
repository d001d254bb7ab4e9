// The raw baseline of the request-path benchmark: node:http + one pg pool, the same JWT check
// (jose, through the app's verifier) and one SQL statement of the shape the GraphQL server
// needs: the organization's first 20 live projects by name, each with its first 20 live items
// (id, kind, title, status, priority, createdAt) aggregated in the database (lateral join).
// It reads the SHARED tier's host database, filtering by the token's organization.
import http from "node:http";
import pg from "pg";
import type { TokenVerifier } from "../src/auth/verify-token.ts";

const SQL = `
SELECT p.id, p.name, COALESCE(i.items, '[]'::json) AS items
FROM projects p
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object('id', x.id, 'kind', x.kind, 'title', x.title, 'status', x.status,
           'priority', x.priority, 'createdAt', x.created_at) ORDER BY x.created_at, x.id) AS items
  FROM (SELECT id, kind, title, status, priority, created_at FROM items
        WHERE project_id = p.id AND deleted_at IS NULL ORDER BY created_at, id LIMIT 21) x
) i ON true
WHERE p.org_id = $1 AND p.deleted_at IS NULL
ORDER BY p.name, p.id
LIMIT 21`;

interface Row {
  id: string;
  name: string;
  items: Array<{ id: string; kind: string; title: string; status: string; priority: string; createdAt: string }>;
}

export function startRawServer(databaseUrl: string, verify: TokenVerifier, poolSize: number) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void answer(req, Buffer.concat(chunks).toString("utf8")).then(
        (body) => {
          res.writeHead(200, { "content-type": "application/graphql-response+json" });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(error instanceof Unauthenticated ? 401 : 500, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
        },
      );
    });
  });
  async function answer(req: http.IncomingMessage, body: string): Promise<string> {
    JSON.parse(body); // a GraphQL server parses the body; so does the baseline
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (!match) throw new Unauthenticated();
    const identity = await verify(match[1]!).catch(() => {
      throw new Unauthenticated();
    });
    const { rows } = await pool.query<Row>(SQL, [identity.orgId]);
    const edges = rows.slice(0, 20).map((p) => ({
      node: {
        id: p.id,
        name: p.name,
        itemsConnection: { edges: p.items.slice(0, 20).map((item) => ({ node: item })) },
      },
    }));
    return JSON.stringify({ data: { projectsConnection: { edges } } });
  }
  return { server, close: () => pool.end() };
}

class Unauthenticated extends Error {}
