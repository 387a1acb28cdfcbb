import { cleanup } from '@testing-library/preact';
import { afterEach, beforeEach, vi } from 'vitest';
import { auth } from '../src/app/auth.js';
import { takeUnexpectedRequests } from './api-stub.js';

// Every page test starts signed out, with nothing stored, as a first visit does.
beforeEach(() => {
  localStorage.clear();
  auth.signOut();
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  const unexpected = takeUnexpectedRequests();
  if (unexpected.length > 0) throw new Error(`requests no test reply answered: ${unexpected.join(', ')}`);
});
