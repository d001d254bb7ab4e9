// "Contains this text, any case" for Prisma filters. Prisma sends `contains` as an ILIKE
// pattern without escaping, so a search for "%" or "_" would match everything; here they
// (and the escape character itself) match literally.
export function containsText(text: string) {
  return { contains: text.replace(/[\\%_]/g, (c) => `\\${c}`), mode: "insensitive" as const };
}
