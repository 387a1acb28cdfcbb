/** Throws `<where>: <field> <rule>`, the one shape of every model error. */
export function fail(where: string, field: string, rule: string): never {
  throw new Error(`${where}: ${field} ${rule}`);
}

/** An RFC 1123 label: what Kubernetes names, DNS names and our resource names are made of. */
export function isDnsLabel(value: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value);
}
