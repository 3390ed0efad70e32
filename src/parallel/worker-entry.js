// The worker thread's entry point. Plain JavaScript on purpose: a worker starts without the parent's
// TypeScript loader, so it registers tsx (as bin/pullsim.js does) before importing the worker itself.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
