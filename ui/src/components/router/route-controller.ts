/** Keeps a host element's `route` in step with the URL (back/forward and navigate()). */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { parseRoute, type Route } from '../../model/route';
import { TlRouteChangeEvent } from './navigate';

export class RouteController implements ReactiveController {
  route: Route = parseRoute(location.pathname, location.search);

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  private readonly sync = (): void => {
    this.route = parseRoute(location.pathname, location.search);
    this.host.requestUpdate();
  };

  hostConnected(): void {
    window.addEventListener('popstate', this.sync);
    window.addEventListener(TlRouteChangeEvent.eventName, this.sync);
    this.sync();
  }

  hostDisconnected(): void {
    window.removeEventListener('popstate', this.sync);
    window.removeEventListener(TlRouteChangeEvent.eventName, this.sync);
  }
}
