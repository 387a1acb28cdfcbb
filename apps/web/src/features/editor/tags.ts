/** Adds what was typed in the tag box: trimmed, split on commas, without duplicates or blanks. */
export function addTag(tags: readonly string[], input: string): string[] {
  const next = [...tags];
  for (const raw of input.split(',')) {
    const tag = raw.trim();
    if (tag && !next.includes(tag)) next.push(tag);
  }
  return next;
}
