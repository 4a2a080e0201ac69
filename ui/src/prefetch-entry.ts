/**
 * The page's first script, kept small so that it runs before the app's modules have loaded:
 * it starts the request for the trace a `/trace/{id}` address names (trace-prefetch.ts).
 */
import { prefetchTrace } from './api/trace-prefetch';

prefetchTrace(location.pathname);
