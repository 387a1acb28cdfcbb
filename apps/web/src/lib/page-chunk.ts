const KEY = 'conduit:page-chunk-reload';

/**
 * Remembers that `path` reloads now. False when it already did, or where the browser refuses sessionStorage
 * (storage disabled, writes refused): nothing can be remembered there, and reloading could loop.
 */
function firstReload(path: string): boolean {
  try {
    if (window.sessionStorage.getItem(KEY) === path) return false;
    window.sessionStorage.setItem(KEY, path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Wraps the import of a page's chunk. A chunk that fails to load belongs to a release whose files the server
 * no longer has (a tab open across releases, or a canary answering for the other version): the page is
 * loaded afresh, once per path, so the current index.html names the current chunks. A second failure on the
 * same path is a real outage and is thrown; so is any failure where the reload cannot be remembered, since
 * reloading then could loop.
 */
export function pageChunk<T>(
  load: () => Promise<T>,
  reload: () => void = () => window.location.reload(),
): () => Promise<T> {
  return () =>
    load().then(
      (module) => {
        try {
          window.sessionStorage.removeItem(KEY);
        } catch {
          // Nothing was remembered where storage is refused.
        }
        return module;
      },
      (error: unknown) => {
        if (!firstReload(window.location.pathname)) throw error;
        reload();
        // The page is going away: nothing renders in the meantime.
        return new Promise<T>(() => {});
      },
    );
}
