import { Construct } from 'constructs';
import { routerOf } from '../routers/index.js';
import type { RenderSettings } from '../settings.js';

/** The public entry point: whatever the stage's router (`routers/`) routes the HTTP workloads with. */
export class Traffic extends Construct {
  constructor(scope: Construct, id: string, stage: RenderSettings) {
    super(scope, id);
    routerOf(stage).addRoutes(this, stage);
  }
}
