import { refusePlaceholders } from './placeholders.js';

// `npm run placeholders -w @conduit/platform`: the release workflow's first step; exits non-zero naming each
// setting that still holds a template value, so nothing is built for an account nobody owns.
try {
  refusePlaceholders(process.env);
  console.log('no placeholder left in the platform model');
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
