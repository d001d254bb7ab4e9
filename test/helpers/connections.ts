// Reading Relay connections in tests: the nodes of a page, in order.
export function nodes<T = any>(connection: { edges: Array<{ node: T }> }): T[] {
  return connection.edges.map((edge) => edge.node);
}
