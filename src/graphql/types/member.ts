// Member: a user's membership of the request's organization. membersConnection pages through
// them in the order they joined (then by user id), forward only; the cursor is that position,
// so members added while a client pages appear after it and none is listed twice.
import type { Member, MemberPosition } from "../../accounts/members.ts";
import { badUserInput } from "../../errors.ts";
import { builder } from "../builder.ts";
import { searchRule } from "../input-rules.ts";
import { RoleEnum } from "./organization.ts";
import { UserRef } from "./user.ts";

export const MemberRef = builder.objectRef<Member>("Member").implement({
  fields: (t) => ({
    user: t.field({ type: UserRef, resolve: (member) => member.user }),
    role: t.field({ type: RoleEnum, resolve: (member) => member.role }),
    joinedAt: t.field({ type: "DateTime", resolve: (member) => member.joinedAt }),
  }),
});

function encodeCursor(member: Member): string {
  return Buffer.from(JSON.stringify([member.joinedAt.toISOString(), member.user.id])).toString("base64url");
}

function decodeCursor(cursor: string): MemberPosition {
  try {
    const [joinedAt, userId] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const position = { joinedAt: new Date(joinedAt), userId };
    if (Number.isNaN(position.joinedAt.getTime()) || typeof userId !== "string") throw new Error("bad cursor");
    return position;
  } catch {
    throw badUserInput("after", "is not a cursor of this connection");
  }
}

builder.queryField("membersConnection", (t) =>
  t.withAuth({ role: "VIEWER" }).connection(
    {
      type: MemberRef,
      description: "The organization's members in the order they joined; forward only, `first` is capped at 100.",
      args: {
        role: t.arg({ type: RoleEnum, required: false }),
        search: t.arg.string({
          required: false,
          description: "Part of the email or name, any case.",
          validate: searchRule,
        }),
      },
      resolve: async (_root, args, ctx) => {
        if (args.last != null || args.before != null)
          throw badUserInput("last", "members page forward only: use first and after");
        if (args.first != null && args.first < 0) throw badUserInput("first", "must not be negative");
        const { members, hasNextPage } = await ctx.accounts.members.list(ctx.org.id, {
          first: Math.min(args.first ?? 20, 100),
          after: args.after ? decodeCursor(args.after) : null,
          role: args.role,
          search: args.search,
        });
        const edges = members.map((member) => ({ cursor: encodeCursor(member), node: member }));
        return {
          edges,
          pageInfo: {
            hasNextPage,
            hasPreviousPage: args.after != null,
            startCursor: edges[0]?.cursor ?? null,
            endCursor: edges.at(-1)?.cursor ?? null,
          },
        };
      },
    },
    { name: "MemberConnection" },
    { name: "MemberEdge" },
  ),
);
