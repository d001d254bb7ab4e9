// Email verification and password reset. verifyEmail, requestPasswordReset and resetPassword
// run without a token (the mail's link is the credential); resendVerification needs one.
// requestPasswordReset answers `true` whatever the address: whether it has an account is
// told only to its mailbox.
import { z } from "zod";
import { builder } from "../builder.ts";
import { emailRule, passwordRule } from "../input-rules.ts";

const tokenRule = z.string().min(1, "must not be empty").max(200, "is not a token this API sent");

builder.mutationFields((t) => ({
  verifyEmail: t.boolean({
    description: "Confirms the address with the token from the verification mail (single-use). No token header needed.",
    skipTypeScopes: true,
    args: { token: t.arg.string({ required: true, validate: tokenRule }) },
    resolve: async (_root, { token }, ctx) => {
      await ctx.accounts.verification.verify(token);
      return true;
    },
  }),
  resendVerification: t.withAuth({ signedIn: true }).boolean({
    description: "Mails a new verification link to the signed-in user (none once verified; a few per hour).",
    resolve: async (_root, _args, ctx) => {
      await ctx.accounts.verification.resend(ctx.user.id);
      return true;
    },
  }),
  requestPasswordReset: t.boolean({
    description:
      "Mails a link to set a new password, if the address has an account. Always answers true, as fast either way. No token needed.",
    skipTypeScopes: true,
    args: { email: t.arg.string({ required: true, validate: emailRule }) },
    resolve: async (_root, { email }, ctx) => {
      await ctx.accounts.passwordReset.request(email);
      return true;
    },
  }),
  resetPassword: t.boolean({
    description:
      "Sets a new password with the token from the reset mail (single-use, expires), verifies the address and ends every session of the account. Then logIn.",
    skipTypeScopes: true,
    args: {
      token: t.arg.string({ required: true, validate: tokenRule }),
      newPassword: t.arg.string({ required: true, description: "8-256 characters.", validate: passwordRule }),
    },
    resolve: async (_root, { token, newPassword }, ctx) => {
      await ctx.accounts.passwordReset.reset(token, newPassword);
      return true;
    },
  }),
}));
