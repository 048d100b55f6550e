// IANA time zones as the runtime knows them (Node ships full ICU), so DST rules stay current with Node itself.
const ZONES: readonly string[] = [...Intl.supportedValuesOf("timeZone"), "UTC"];
const LOWER = new Map(ZONES.map((zone) => [zone.toLowerCase(), zone]));

export function isValidTimeZone(zone: string): boolean {
  if (LOWER.has(zone.toLowerCase())) return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Up to 25 zones containing what was typed ("berlin", "new_york", "new york"). */
export function timeZoneChoices(typed: string): { name: string; value: string }[] {
  const needle = typed.trim().toLowerCase().replace(/ /g, "_");
  const matches = needle ? ZONES.filter((zone) => zone.toLowerCase().includes(needle)) : ZONES;
  return matches.slice(0, 25).map((zone) => ({ name: zone, value: zone }));
}
