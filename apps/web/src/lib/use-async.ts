import { startTransition, useCallback, useEffect, useState } from 'react';

export type AsyncState<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'done'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: unknown };

/**
 * Loads data for a view and reloads when `key` changes; a late answer for an old key is dropped, so
 * fast tab switching never shows the previous tab's articles.
 */
export function useAsync<T>(
  load: () => Promise<T>,
  key: string,
): [AsyncState<T>, (update: (data: T) => T) => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` is a new closure each render; `key` names what it loads
  useEffect(() => {
    let current = true;
    setState({ status: 'loading' });
    // Rendering a page of results is a transition: React renders it in slices, keeping the page responsive.
    load().then(
      (data) => current && startTransition(() => setState({ status: 'done', data })),
      (error: unknown) => current && startTransition(() => setState({ status: 'error', error })),
    );
    return () => {
      current = false;
    };
  }, [key]);
  const update = useCallback(
    (change: (data: T) => T) =>
      setState((previous) =>
        previous.status === 'done' ? { status: 'done', data: change(previous.data) } : previous,
      ),
    [],
  );
  return [state, update];
}
