import { requireTools } from '@conduit/testing';

// The request path is answered by the real nginx with the production config.
export default () => requireTools(['nginx']);
