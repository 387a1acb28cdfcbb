const KEY = 'conduit:page-chunk-reload';

/** sessionStorage, or null where the browser refuses it (storage disabled): then nothing is remembered. */
function session(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
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
          session()?.removeItem(KEY);
        } catch {
          // Nothing was remembered where storage refuses writes.
        }
        return module;
      },
      (error: unknown) => {
        const path = window.location.pathname;
        const storage = session();
        try {
          if (!storage || storage.getItem(KEY) === path) throw error;
          storage.setItem(KEY, path);
        } catch {
          throw error;
        }
        reload();
        // The page is going away: nothing renders in the meantime.
        return new Promise<T>(() => {});
      },
    );
}
