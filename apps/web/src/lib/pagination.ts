export const PAGE_SIZE = 10;

/** The 1-based page from a `?page=` value; anything that is not a positive integer means page 1. */
export function parsePage(value: string | null | undefined): number {
  if (!value || !/^\d+$/.test(value)) return 1;
  const page = Number(value);
  return page >= 1 && Number.isSafeInteger(page) ? page : 1;
}

export function pageOffset(page: number, pageSize = PAGE_SIZE): number {
  return (Math.max(1, page) - 1) * pageSize;
}

export function pageCount(total: number, pageSize = PAGE_SIZE): number {
  return total > 0 ? Math.ceil(total / pageSize) : 0;
}

/**
 * The page numbers to show: all of them when few, else the first, the last and a window around the
 * current one, with `null` for a gap, so a feed with thousands of articles keeps a short pager.
 */
export function pageWindow(current: number, total: number, radius = 3): (number | null)[] {
  if (total <= radius * 2 + 5) return Array.from({ length: total }, (_, i) => i + 1);
  const start = Math.max(2, current - radius);
  const end = Math.min(total - 1, current + radius);
  const pages: (number | null)[] = [1];
  if (start > 2) pages.push(null);
  for (let page = start; page <= end; page += 1) pages.push(page);
  if (end < total - 1) pages.push(null);
  pages.push(total);
  return pages;
}

/** The link to page N of a list whose first page lives at `base` (which may already have a query). */
export function pageHref(base: string, page: number): string {
  if (page <= 1) return base;
  return `${base}${base.includes('?') ? '&' : '?'}page=${page}`;
}
