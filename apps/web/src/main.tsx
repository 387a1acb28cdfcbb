import { StrictMode, startTransition } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadRouteCode } from './app/app.js';
import { auth, installDebugInterface } from './app/auth.js';
import { preloadRoute } from './app/preload.js';
import './styles.css';

installDebugInterface(window);
void auth.init();
preloadRoute(window.location.pathname);
preloadRouteCode(window.location.pathname);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// As a transition, the first render yields to the browser every few milliseconds instead of holding the
// main thread in one long task (Total Blocking Time on slow phones).
startTransition(() => {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
