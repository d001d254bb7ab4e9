// The `operation` label of the GraphQL metrics, bounded: the persisted operations' names are
// known from the start; other names get a label of their own while there is room (the first
// `maxOther` distinct ones seen), then all collapse into "other". An unnamed operation is
// "anonymous". Any client can send any name, so without the bound a loop of random names
// would grow the scrape (and Prometheus) without end.
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const ANONYMOUS = "anonymous";
export const OTHER = "other";

export class OperationLabels {
  private readonly admitted = new Set<string>();

  constructor(
    private readonly known: ReadonlySet<string>,
    private readonly maxOther: number,
  ) {}

  labelFor(name: string | null | undefined): string {
    if (!name) return ANONYMOUS;
    if (this.known.has(name) || this.admitted.has(name)) return name;
    if (this.admitted.size < this.maxOther && NAME.test(name)) {
      this.admitted.add(name);
      return name;
    }
    return OTHER;
  }
}

/** Operation names in GraphQL documents (the persisted operations' texts). */
export function operationNamesIn(documents: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const text of documents) {
    for (const match of text.matchAll(/\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/g))
      names.add(match[1]!);
  }
  return names;
}
