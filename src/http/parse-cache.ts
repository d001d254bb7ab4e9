// Yoga's parse cache, bounded by entries AND by estimated bytes. Yoga's default keeps 1,024
// documents of any size keyed by their full text: distinct ~1 MB documents (comments and
// whitespace are free of the token limit) filled the heap. A parsed document (with its
// locations and tokens) measured about 50 bytes per character of its source, so an entry is
// estimated as source length x 52 (text + AST); a document estimated over a tenth of the
// budget is never cached (lru-cache's maxEntrySize), it is parsed again when sent again.
// The validation cache needs no bound of its own: Yoga keys it by the parsed document in a
// WeakMap, so it lets go of whatever this cache evicts.
import type { DocumentNode } from "graphql";
import type { YogaServerOptions } from "graphql-yoga";
import { LRUCache } from "lru-cache";

export const BYTES_PER_SOURCE_CHARACTER = 52;

export interface ParseCacheLimits {
  entries: number;
  bytes: number;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- lru-cache requires non-nullish values, which is what {} says
function boundedCache<T extends {}>({
  entries,
  bytes,
}: ParseCacheLimits): { get(key: string): T | undefined; set(key: string, value: T): void } {
  const cache = new LRUCache<string, T>({
    max: entries,
    maxSize: bytes,
    maxEntrySize: Math.max(1, Math.floor(bytes / 10)),
    sizeCalculation: (_value, key) => Math.max(1, key.length * BYTES_PER_SOURCE_CHARACTER),
  });
  return {
    get: (key) => cache.get(key),
    set: (key, value) => {
      cache.set(key, value);
    },
  };
}

/** Yoga's parserAndValidationCache option: false when either bound is 0. */
export function parseCacheOption(
  limits: ParseCacheLimits,
): YogaServerOptions<object, object>["parserAndValidationCache"] {
  if (limits.entries === 0 || limits.bytes === 0) return false;
  return {
    documentCache: boundedCache<DocumentNode>(limits),
    errorCache: boundedCache<object>(limits),
    validationCache: true,
  };
}
