const KEY = 'conduit:page-chunk-reload';

/**
 * Wraps the import of a page's chunk. A chunk that fails to load belongs to a release whose files the server
 * no longer has (a tab open across releases, or a canary answering for the other version): the page is
 * loaded afresh, once per path, so the current index.html names the current chunks. A second failure on the
 * same path is a real outage and is thrown.
 */
export function pageChunk<T>(load: () => Promise<T>): () => Promise<T> {
  return () =>
    load().then(
      (module) => {
        sessionStorage.removeItem(KEY);
        return module;
      },
      (error: unknown) => {
        const path = window.location.pathname;
        if (sessionStorage.getItem(KEY) === path) throw error;
        sessionStorage.setItem(KEY, path);
        window.location.reload();
        // The page is going away: nothing renders in the meantime.
        return new Promise<T>(() => {});
      },
    );
}
