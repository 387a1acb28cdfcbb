import { Link } from 'react-router';
import { pageCount, pageHref, pageWindow } from '../lib/pagination.js';

export function Pagination({ total, current, base }: { total: number; current: number; base: string }) {
  const pages = pageCount(total);
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pages">
      <ul className="pagination">
        {pageWindow(current, pages).map((page, index) =>
          page === null ? (
            // biome-ignore lint/suspicious/noArrayIndexKey: gaps have no identity but their position
            <li className="page-item disabled" key={`gap-${index}`}>
              <span className="page-link">…</span>
            </li>
          ) : (
            <li className={page === current ? 'page-item active' : 'page-item'} key={page}>
              <Link
                className="page-link"
                to={pageHref(base, page)}
                aria-current={page === current ? 'page' : undefined}
              >
                {page}
              </Link>
            </li>
          ),
        )}
      </ul>
    </nav>
  );
}
