// Types of bin/build-cli.js for the tests (bin/ is plain JavaScript, run without tsx).
export function currentCliBuild(dist?: string): string | undefined;
export function buildCli(): Promise<string>;
