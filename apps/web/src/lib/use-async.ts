import { startTransition, useCallback, useEffect, useState } from 'react';

export type AsyncState<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'done'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: unknown };

const LOADING = { status: 'loading' } as const;

/**
 * Loads data for a view and reloads when `key` changes. Results are stored with the key they belong
 * to, so the render right after a key change already shows "loading", never the previous key's data,
 * and a late answer for an old key is dropped.
 */
export function useAsync<T>(
  load: () => Promise<T>,
  key: string,
): [AsyncState<T>, (update: (data: T) => T) => void] {
  const [stored, setStored] = useState<{ key: string; state: AsyncState<T> }>({ key, state: LOADING });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `load` is a new closure each render; `key` names what it loads
  useEffect(() => {
    let current = true;
    // Rendering a page of results is a transition: React renders it in slices, keeping the page responsive.
    load().then(
      (data) => current && startTransition(() => setStored({ key, state: { status: 'done', data } })),
      (error: unknown) =>
        current && startTransition(() => setStored({ key, state: { status: 'error', error } })),
    );
    return () => {
      current = false;
    };
  }, [key]);
  const update = useCallback(
    (change: (data: T) => T) =>
      setStored((previous) =>
        previous.state.status === 'done'
          ? { key: previous.key, state: { status: 'done', data: change(previous.state.data) } }
          : previous,
      ),
    [],
  );
  return [stored.key === key ? stored.state : LOADING, update];
}
