import { lazy, type ReactNode, Suspense, useRef } from 'react';
import { BrowserRouter, Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { Footer, Header } from '../components/layout.js';
import HomePage from '../features/home/home-page.js';
import { pageChunk } from '../lib/page-chunk.js';
import { useAuth } from './auth.js';
import { articleSlug } from './preload.js';

// Every page but the home page is its own chunk, so the first visit downloads only what it shows.
// A chunk of an earlier release that the server no longer has reloads the page (pageChunk).
const AuthPage = lazy(pageChunk(() => import('../features/auth/auth-page.js')));
const SettingsPage = lazy(pageChunk(() => import('../features/settings/settings-page.js')));
const EditorPage = lazy(pageChunk(() => import('../features/editor/editor-page.js')));
const loadArticlePage = pageChunk(() => import('../features/article/article-page.js'));
const ArticlePage = lazy(loadArticlePage);

/** On a direct visit to an article, its page's code downloads now, beside its data (see preload.ts). */
export function preloadRouteCode(pathname: string): void {
  if (articleSlug(pathname) !== null) void loadArticlePage();
}
const ProfilePage = lazy(pageChunk(() => import('../features/profile/profile-page.js')));

/**
 * Pages for signed-in users; visitors are sent to sign in. An unreachable API keeps the page open.
 * Signing out on such a page (logout in settings) is not a visit: that page navigates on its own, and a
 * redirect from here would race it, because react-router applies navigations as transitions.
 */
function RequireAuth({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const wasSignedIn = useRef(false);
  if (status === 'authenticated' || status === 'unavailable') wasSignedIn.current = true;
  if (status === 'loading') return <div className="container page feed-loading">Loading...</div>;
  if (status === 'unauthenticated') return wasSignedIn.current ? null : <Navigate to="/login" replace />;
  return children;
}

function NotFound() {
  return (
    <div className="container page not-found">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the home page</Link>
      </p>
    </div>
  );
}

export function App() {
  // Without transitions a navigation shows the new page (or its loading state) at once: the old page
  // never lingers under the new URL while a route's chunk downloads.
  return (
    <BrowserRouter useTransitions={false}>
      <Header />
      <main>
        <Pages />
      </main>
      <Footer />
    </BrowserRouter>
  );
}

/** The first path segment names the page kind; `/tag/x` is the home page filtered. */
function pageKind(pathname: string): string {
  const segment = pathname.split('/')[1] ?? '';
  return segment === 'tag' ? '' : segment;
}

function Pages() {
  const { pathname } = useLocation();
  // A fresh boundary per page kind: while a page's chunk downloads, the previous page is unmounted
  // rather than kept (hidden) in the document under the new URL.
  return (
    <Suspense
      key={pageKind(pathname)}
      fallback={<div className="container page feed-loading">Loading...</div>}
    >
      <Routes>
        <Route path="/" element={<HomePage />} />
        <Route path="/tag/:tag" element={<HomePage />} />
        <Route path="/login" element={<AuthPage mode="login" />} />
        <Route path="/register" element={<AuthPage mode="register" />} />
        <Route
          path="/settings"
          element={
            <RequireAuth>
              <SettingsPage />
            </RequireAuth>
          }
        />
        <Route
          path="/editor"
          element={
            <RequireAuth>
              <EditorPage />
            </RequireAuth>
          }
        />
        <Route
          path="/editor/:slug"
          element={
            <RequireAuth>
              <EditorPage />
            </RequireAuth>
          }
        />
        <Route path="/article/:slug" element={<ArticlePage />} />
        <Route path="/profile/:username" element={<ProfilePage tab="articles" />} />
        <Route path="/profile/:username/favorites" element={<ProfilePage tab="favorites" />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
