import type { RenderSettings } from '../settings.js';
import { albRouter } from './alb.js';
import { nginxRouter } from './nginx.js';
import type { Router } from './router.js';

/** The stage's router module. */
export function routerOf(stage: RenderSettings): Router {
  const r = stage.router;
  return r.kind === 'alb' ? albRouter(r) : nginxRouter(r);
}
