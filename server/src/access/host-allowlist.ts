import { isIP } from 'node:net';

/** Names a browser resolves to this machine without asking DNS, so no rebinding can hide behind them. */
const LOOPBACK_NAMES = ['localhost', '*.localhost'];

/**
 * Which `Host` headers the HTTP listeners serve, against DNS rebinding: a page on
 * attacker.example whose name is re-pointed at 127.0.0.1 reaches our port with
 * `Host: attacker.example`, and is refused. IP literals are always fine (rebinding needs
 * a name). Bound to loopback, the loopback names are the default; bound elsewhere, the
 * names people use cannot be guessed, so every name is served unless `--allowed-hosts`
 * lists them.
 */
export function buildHostAllowlist(bindHost: string, allowedHosts: readonly string[]): (hostHeader: string | undefined) => boolean {
  const patterns = allowedHosts.length > 0 ? [...allowedHosts, ...LOOPBACK_NAMES] : isLoopbackBind(bindHost) ? LOOPBACK_NAMES : null;
  if (patterns === null) return () => true;
  return (hostHeader) => {
    // HTTP/1.0 clients (health probes) may omit Host; browsers always send it.
    if (hostHeader === undefined) return true;
    const name = hostNameOf(hostHeader);
    if (name === null) return false;
    if (isIP(name) !== 0) return true;
    return patterns.some((p) => (p.startsWith('*.') ? name.endsWith(p.slice(1)) : name === p));
  };
}

export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The name of a Host header without its port, lowercased; null when it is no host name at all. */
export function hostNameOf(hostHeader: string): string | null {
  const h = hostHeader.trim().toLowerCase();
  const m = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(h) ?? /^([a-z0-9.-]+)(?::\d+)?$/.exec(h);
  if (!m) return null;
  return m[1]!.replace(/\.$/, '');
}
