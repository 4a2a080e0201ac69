/** The browser tab's title for a route, so a row of Threadline tabs can be told apart. */
import type { Route } from './route';

const APP = 'Threadline';

export function pageTitle(route: Route): string {
  const title = ((): string => {
    switch (route.page) {
      case 'search':
        return route.query.service ? `Search ${route.query.service}` : 'Search';
      case 'trace':
        return route.source.kind === 'local' ? 'Trace file' : `Trace ${route.source.traceId.slice(0, 8)}`;
      case 'slow':
        return route.query.service ? `Slow spans of ${route.query.service}` : 'Slow spans';
      case 'operations':
        return route.query.service ? `Operations of ${route.query.service}` : 'Operations';
      case 'operation':
        return `${route.query.service}: ${route.query.operation}`;
      case 'nettrace':
      case 'nettrace-requests':
      case 'nettrace-events':
        return 'net/trace';
      case 'compare':
        return `Compare ${route.a.slice(0, 8)} / ${route.b.slice(0, 8)}`;
      case 'dependencies':
        return 'Dependencies';
      case 'not-found':
        return 'Not found';
    }
  })();
  return `${title} · ${APP}`;
}

/** A loaded trace's title: what it is, then which one. */
export function traceTitle(rootService: string, rootOperation: string, traceId: string): string {
  return `${rootService}: ${rootOperation} · Trace ${traceId.slice(0, 8)} · ${APP}`;
}
