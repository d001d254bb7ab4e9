import { builder } from "../builder.ts";
import type { PublicUser } from "../loaders.ts";

export const UserRef = builder.objectRef<PublicUser>("User").implement({
  description: "A person; users live in the central database and may belong to several organizations.",
  fields: (t) => ({
    id: t.exposeID("id"),
    email: t.exposeString("email"),
    name: t.exposeString("name"),
  }),
});

builder.queryField("me", (t) =>
  t.withAuth({ signedIn: true }).field({
    type: UserRef,
    description: "The signed-in user.",
    resolve: async (_root, _args, ctx) => {
      const user = await ctx.loaders.userById.load(ctx.user.id);
      if (!user) throw new Error("authenticated user is missing from the central database");
      return user;
    },
  }),
);
