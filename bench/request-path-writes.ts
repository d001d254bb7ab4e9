// The write mix of the request-path benchmark's --observe-cost: `updateProject` (a versioned
// change, audited in its own transaction) on the organizations' projects. Each connection owns
// its own projects, so no two writes race for one version; every answer carries the version
// the next write to that project must name. Versions live in the projects passed in, so the
// runs against the metrics-on and metrics-off servers (same databases) continue each other.
import http from "node:http";
import { request, type LoadResult } from "./request-path-load.ts";
import { runTimedLoad } from "./timed-load.ts";

export interface WritableProject {
  token: string;
  id: string;
  version: number;
}

const LIST = `query WriteTargets { projectsConnection(first: 20) { edges { node { id version } } } }`;
const UPDATE = `mutation WriteMix($input: UpdateProjectInput!) { updateProject(input: $input) { id version } }`;

/** Every project of the organizations whose tokens are given, with its current version. */
export async function writableProjects(port: number, tokens: string[]): Promise<WritableProject[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const out: WritableProject[] = [];
    for (const token of tokens) {
      const text = await request(agent, { port, body: JSON.stringify({ query: LIST }), tokens: [] }, token);
      const edges = (JSON.parse(text) as { data: { projectsConnection: { edges: Array<{ node: WritableProject }> } } })
        .data.projectsConnection.edges;
      for (const { node } of edges) out.push({ token, id: node.id, version: node.version });
    }
    return out;
  } finally {
    agent.destroy();
  }
}

export async function runWrites(
  port: number,
  projects: WritableProject[],
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  // Connection c writes the projects c, c + connections, ... (fewer connections than projects at most).
  const owned = Array.from({ length: Math.min(connections, projects.length) }, (_, connection) =>
    projects.filter((_, i) => i % connections === connection),
  );
  const projectOf = (connection: number, n: number) => owned[connection]![n % owned[connection]!.length]!;
  return runTimedLoad(
    owned.length,
    seconds,
    (agent, connection, n) => {
      const project = projectOf(connection, n);
      const input = { id: project.id, version: project.version, description: `write ${n}` };
      const body = JSON.stringify({ query: UPDATE, variables: { input } });
      return request(agent, { port, body, tokens: [] }, project.token);
    },
    (text, connection, n) => {
      projectOf(connection, n).version = (
        JSON.parse(text) as { data: { updateProject: { version: number } } }
      ).data.updateProject.version;
    },
  );
}
