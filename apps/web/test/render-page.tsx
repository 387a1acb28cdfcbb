import { render } from '@testing-library/preact';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';

/**
 * Renders `routes` in the real router at `path`, as the app does (app.tsx: no transitions). Any other
 * path lands on a stand-in page that names it, so a test sees where the page navigated to.
 */
export function renderAt(path: string, routes: ReactNode) {
  return render(
    <MemoryRouter initialEntries={[path]} useTransitions={false}>
      <Routes>
        {routes}
        <Route path="*" element={<Elsewhere />} />
      </Routes>
    </MemoryRouter>,
  );
}

function Elsewhere() {
  const { pathname, search } = useLocation();
  return <h1>{`Navigated to ${pathname}${search}`}</h1>;
}
