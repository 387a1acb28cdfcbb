import { render } from '@testing-library/preact';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';

/**
 * Renders `routes` in the real router at `path`, as the app does (app.tsx: no transitions). Any other
 * path lands on a stand-in page that names it, so a test sees where the page navigated to. `person`
 * types and clicks as a user does (whole key and pointer event sequences), without pauses between keys.
 */
export function renderAt(path: string, routes: ReactNode) {
  const person = userEvent.setup({ delay: null });
  const result = render(
    <MemoryRouter initialEntries={[path]} useTransitions={false}>
      <Routes>
        {routes}
        <Route path="*" element={<Elsewhere />} />
      </Routes>
    </MemoryRouter>,
  );
  return { person, ...result };
}

function Elsewhere() {
  const { pathname, search } = useLocation();
  return <h1>{`Navigated to ${pathname}${search}`}</h1>;
}
