/** Time zones (IANA names): the default, the list the pickers offer, and how a name reads. */

/** The tenant's zone when the server does not say one (the gateway's default too). */
export const DEFAULT_TIMEZONE = "America/Sao_Paulo";

// Brazil's zones first: most tenants pick among these.
const COMMON = [DEFAULT_TIMEZONE, "America/Manaus", "America/Fortaleza", "America/Recife", "America/Noronha", "America/Rio_Branco", "UTC"];

function browserZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

/** Every zone the browser knows, `first` (e.g. the current and the tenant's) ahead of the common ones, once each. */
export function timeZoneOptions(...first: (string | null | undefined)[]): string[] {
  return [...new Set([...first, ...COMMON, ...browserZones()])].filter((z): z is string => Boolean(z));
}

/** "America/Sao_Paulo" → "America/Sao Paulo". */
export function zoneLabel(zone: string): string {
  return zone.replaceAll("_", " ");
}
