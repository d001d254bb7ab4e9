// How long a support-access token may live. Its own module: the CLI's option parsing and
// help text need these numbers without loading support access itself.
export const SUPPORT_ACCESS_MINUTES = { default: 15, max: 60 } as const;
