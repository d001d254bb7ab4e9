// The application role: what SHARED-tier requests connect as. It owns nothing and cannot
// bypass row-level security; provisioning creates it on each server, and the tenancy layer
// opens the SHARED databases' pools with its credentials.

export interface AppRole {
  name: string;
  password: string;
}

/** The URL of a database with the application role's credentials. */
export function appRoleUrl(adminUrl: string, role: AppRole): string {
  const url = new URL(adminUrl);
  url.username = role.name;
  url.password = role.password;
  return url.toString();
}
