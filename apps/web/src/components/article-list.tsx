import type { ReactNode } from 'react';
import type { MultipleArticlesResponse } from '../api/index.js';
import { PAGE_SIZE, pageOffset } from '../lib/pagination.js';
import { useAsync } from '../lib/use-async.js';
import { ArticlePreview } from './article-preview.js';
import { Pagination } from './pagination.js';

export interface ArticleListProps {
  /** Loads one page; `key` identifies the list so a change of filter or page reloads it. */
  load: (query: { limit: number; offset: number }) => Promise<MultipleArticlesResponse>;
  listKey: string;
  page: number;
  /** Link to page 1 of this list; other pages add `page=N`. */
  base: string;
  empty: ReactNode;
}

export function ArticleList({ load, listKey, page, base, empty }: ArticleListProps) {
  const [state, update] = useAsync(
    () => load({ limit: PAGE_SIZE, offset: pageOffset(page) }),
    `${listKey}#${page}`,
  );
  if (state.status === 'loading') {
    return (
      <div className="feed-loading list-loading" aria-busy="true">
        Loading articles...
      </div>
    );
  }
  if (state.status === 'error') {
    return <div className="empty-feed-message">Could not load articles. Please try again later.</div>;
  }
  const { articles, articlesCount } = state.data;
  if (articles.length === 0) return <div className="empty-feed-message">{empty}</div>;
  return (
    <>
      {articles.map((article) => (
        <ArticlePreview
          key={article.slug}
          article={article}
          onChange={(changed) =>
            update((data) => ({
              ...data,
              articles: data.articles.map((item) => (item.slug === changed.slug ? changed : item)),
            }))
          }
        />
      ))}
      <Pagination total={articlesCount} current={page} base={base} />
    </>
  );
}
